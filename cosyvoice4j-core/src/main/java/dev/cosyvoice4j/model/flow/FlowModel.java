package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.Arrays;

/**
 * {@code CausalMaskedDiffWithDiT} (cosyvoice/flow/flow.py @ ace7c47, {@code inference}): speech tokens (prompt
 * tokens first) to mel with a token embedding, the {@link PreLookaheadLayer}, {@code token_mel_ratio} upsampling
 * and the {@link CausalConditionalCfm} solver around the {@link DiT}. Weights: flow.pt (every tensor used).
 * Golden: {@code flow/{offline,stream_nonfinal}/{encode,dit_call,cfm}}.
 *
 * <p>Immutable and thread-safe; the memory of a request lives in a {@link FlowSession}.
 */
public final class FlowModel {
    /** {@code n_timesteps=10}, hard-coded by {@code flow.inference}. */
    public static final int N_TIMESTEPS = 10;

    private final FlowConfig config;
    private final Backend backend;
    final Tensor inputEmbedding;
    final Tensor spkEmbedAffineLayerWeight, spkEmbedAffineLayerBias;
    final PreLookaheadLayer preLookaheadLayer;
    final CausalConditionalCfm decoder;

    private FlowModel(WeightStore ws, FlowConfig cfg, Backend backend, Precision precision) {
        this.config = cfg;
        this.backend = backend;
        if (cfg.muDim() != cfg.inputSize() || cfg.melDim() != cfg.outputSize() || cfg.spkDim() != cfg.outputSize()
                || cfg.tokenMelRatio() < 1 || cfg.preLookaheadLen() < 1) {
            throw new IllegalArgumentException("inconsistent flow config (need estimator.mu_dim = input_size, "
                    + "mel_dim = spk_dim = output_size, token_mel_ratio >= 1, pre_lookahead_len >= 1): " + cfg);
        }
        inputEmbedding = ws.take("input_embedding.weight", cfg.vocabSize(), cfg.inputSize());
        spkEmbedAffineLayerWeight = ws.take("spk_embed_affine_layer.weight", cfg.outputSize(), cfg.spkEmbedDim());
        spkEmbedAffineLayerBias = ws.take("spk_embed_affine_layer.bias", cfg.outputSize());
        preLookaheadLayer = PreLookaheadLayer.load(ws, "pre_lookahead_layer.", cfg.inputSize(),
                cfg.preLookaheadChannels(), cfg.preLookaheadLen());
        DiT estimator = DiT.load(ws, "decoder.estimator.", cfg, backend, precision);
        decoder = new CausalConditionalCfm(estimator, cfg.inferenceCfgRate(), cfg.tScheduler());
        ws.checkAllUsed();
    }

    /**
     * Loads every tensor of flow.pt (strict: unknown or missing tensors are a {@link ModelFormatException}) for
     * {@code backend}; the DiT's attention products run in {@code precision} (its linear layers in whatever form
     * the store's tensors were prepared in, see {@link #isLinearWeight}).
     */
    public static FlowModel load(WeightStore ws, FlowConfig cfg, Backend backend, Precision precision) {
        return new FlowModel(ws, cfg, backend, precision);
    }

    /** {@link #load(WeightStore, FlowConfig, Backend, Precision)} in float32. */
    public static FlowModel load(WeightStore ws, FlowConfig cfg, Backend backend) {
        return load(ws, cfg, backend, Precision.F32);
    }

    /**
     * The flow.pt weights that are {@code Linear} matrices (what a backend prepares in the flow's precision): every
     * 2-d {@code .weight} except the token embedding table.
     */
    public static boolean isLinearWeight(String name, Tensor t) {
        return t.rank() == 2 && name.endsWith(".weight") && !name.equals("input_embedding.weight");
    }

    public FlowConfig config() { return config; }

    public Backend backend() { return backend; }

    public DiT estimator() { return decoder.estimator(); }

    public CausalConditionalCfm decoder() { return decoder; }

    /** The memory of one request's flow calls (grows to the longest call; reuse it for every call of the request). */
    public FlowSession newSession() {
        return new FlowSession(backend, estimator(), config.inputSize(), config.outputSize(), config.spkEmbedDim(),
                config.preLookaheadChannels());
    }

    /** Frames the flow produces for {@code promptTokens + tokens} in a call with the given {@code finalize}. */
    public int framesFor(int totalTokens, boolean finalize) {
        return (finalize ? totalTokens : totalTokens - config.preLookaheadLen()) * config.tokenMelRatio();
    }

    /**
     * The encoding half of {@code inference}. {@code promptFeat} is the prompt mel {@code [promptFrames, outputSize]}
     * (time-major, as the frontend's {@code speech_feat}); {@code embedding} the speaker embedding
     * {@code [spkEmbedDim]}. With {@code finalize == false} the last {@code preLookaheadLen} tokens are look-ahead
     * context only and produce no frames. The result views {@code s}'s buffers.
     */
    public FlowEncoding encode(FlowSession s, int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames,
                               float[] embedding, boolean finalize) {
        return encode(s, tokens, promptTokens, promptFeat, promptFrames, embedding, finalize, false);
    }

    /** {@code promptOnly}: the prompt mel may be longer than the frames (a voice's prompt region, {@link #promptPrefix}). */
    private FlowEncoding encode(FlowSession s, int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames,
                                float[] embedding, boolean finalize, boolean promptOnly) {
        int out = config.outputSize(), la = config.preLookaheadLen();
        int total = promptTokens.length + tokens.length;
        int produced = FlowEncodeInputs.produced(total, la, finalize, embedding, config.spkEmbedDim(), promptFeat, promptFrames, out);
        int frames = produced * config.tokenMelRatio();
        if (promptFrames > frames && !promptOnly) {
            throw new IllegalArgumentException(promptFrames + " prompt mel frames exceed the " + frames + " frames of "
                    + produced + " tokens (the prompt mel must have token_mel_ratio frames per prompt token)");
        }
        s.ensure(total + la, frames);                         // the PreLookaheadLayer pads by la

        // spks = spk_embed_affine_layer(F.normalize(embedding, dim=1))
        FlowEncodeInputs.spks(backend, embedding, s.embedding, s.spks, spkEmbedAffineLayerWeight, spkEmbedAffineLayerBias);

        // input_embedding(clamp(concat(prompt_token, token), min=0)) (the all-ones mask is a no-op)
        int[] ids = FlowEncodeInputs.ids(promptTokens, tokens, config.vocabSize());
        Buf emb = s.embeddings.rows(0, total);
        backend.gatherRows(emb, inputEmbedding, ids);
        Buf tokenEmbedding = emb.rows(0, produced), context = finalize ? null : emb.rows(produced, total);
        Buf h = s.h.rows(0, produced);
        preLookaheadLayer.forward(backend, s, tokenEmbedding, context, h);

        Buf mu = s.mu.rows(0, frames), cond = s.cond.rows(0, frames);
        backend.repeatRows(mu, h, config.tokenMelRatio());                           // repeat_interleave(ratio)
        backend.fill(cond, 0f);                                                       // conds[:, :mel_len1] = prompt_feat
        int condFrames = Math.min(promptFrames, frames);
        if (condFrames > 0) backend.write(cond.rows(0, condFrames), Arrays.copyOf(promptFeat, condFrames * out), 0);
        return new FlowEncoding(tokenEmbedding, context, h, s.spks, mu, cond, produced, frames, promptFrames);
    }

    /**
     * {@code CausalMaskedDiffWithDiT.inference}: returns the generated mel {@code [outputSize, frames - promptFrames]}
     * (channel-major, as the official {@code feat[:, :, mel_len1:]}), i.e. the frames after the prompt, on the host.
     * {@code streaming} selects the DiT chunk mask; {@code finalize == false} treats the last
     * {@code preLookaheadLen} tokens as look-ahead only.
     */
    public float[] inference(FlowSession s, int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames,
                             float[] embedding, boolean streaming, boolean finalize, FlowTimings timingsOrNull) {
        long t0 = System.nanoTime();
        FlowEncoding enc = encode(s, tokens, promptTokens, promptFeat, promptFrames, embedding, finalize);
        long t1 = System.nanoTime();
        Buf x = decoder.solve(s, enc.mu(), enc.cond(), enc.spks(), N_TIMESTEPS, streaming, timingsOrNull, null);
        if (timingsOrNull != null) {
            timingsOrNull.addEncode(t1 - t0);
            timingsOrNull.addSolve(System.nanoTime() - t1, enc.frames());
        }
        return generatedMel(s, x, promptFrames);
    }

    /** {@code feat[:, :, promptFrames:]} of a time-major solver output {@code [T, mel]}, as channel-major host values. */
    public float[] generatedMel(FlowSession s, Buf x, int promptFrames) {
        int n = x.rows() - promptFrames, mel = x.cols();
        Buf out = s.melOut.view(mel, n);
        backend.transpose(out, x.rows(promptFrames, x.rows()));
        return backend.read(out);
    }

    /** An empty streaming DiT cache for one request's utterances ({@link #inferenceCached}). */
    public DitCache newCache() { return new DitCache(estimator(), N_TIMESTEPS); }

    /** Prompt and generated token ids as the flow reads them ({@code clamp(min=0)}). */
    private static int[] flowIds(int[] promptTokens, int[] tokens) {
        int[] ids = new int[promptTokens.length + tokens.length];
        for (int i = 0; i < ids.length; i++) ids[i] = Math.max(0, i < promptTokens.length ? promptTokens[i] : tokens[i - promptTokens.length]);
        return ids;
    }

    /**
     * {@link #inference} with the chunk mask ({@code streaming=True}), computing only the frames that {@code cache} does not
     * hold: the result equals the uncached call's (same operations on the same values). A cache computed from other
     * inputs (another utterance, voice or token prefix) is dropped first; an empty one starts from {@code prefixOrNull}
     * when it matches the voice. {@code finalize=true} here is the chunk-causal last chunk (the official last call uses
     * full attention: {@link #inference} with {@code streaming=false}).
     */
    public float[] inferenceCached(FlowSession s, DitCache cache, DitPrefix prefixOrNull, int[] tokens, int[] promptTokens,
                                   float[] promptFeat, int promptFrames, float[] embedding, boolean finalize,
                                   FlowTimings timingsOrNull) {
        long t0 = System.nanoTime();
        FlowEncoding enc = encode(s, tokens, promptTokens, promptFeat, promptFrames, embedding, finalize);
        int[] ids = flowIds(promptTokens, tokens);
        if (!cache.matches(ids, promptFeat, promptFrames, embedding)) cache.reset();
        if (cache.frames() == 0 && prefixOrNull != null && prefixOrNull.frames() < enc.frames()
                && prefixOrNull.matches(ids, promptFeat, promptFrames, embedding)) {
            cache.restore(prefixOrNull, enc.frames());
        }
        if (cache.frames() >= enc.frames()) cache.reset();          // nothing new to compute: start over (same result)
        long t1 = System.nanoTime();
        Buf x = decoder.solveCached(s, cache, enc.mu(), enc.cond(), enc.spks(), N_TIMESTEPS, timingsOrNull);
        cache.record(enc.frames(), ids, config.tokenMelRatio(), config.preLookaheadLen(), promptFeat, promptFrames, embedding);
        if (timingsOrNull != null) {
            timingsOrNull.addEncode(t1 - t0);
            timingsOrNull.addSolve(System.nanoTime() - t1, enc.frames());
        }
        return generatedMel(s, x, promptFrames);
    }

    /**
     * The DiT state of a voice's prompt region, or null when it has no complete chunk independent of the text: frame f
     * reads tokens up to {@code f / token_mel_ratio + pre_lookahead_len}, so the chunks before
     * {@code (P - pre_lookahead_len) token_mel_ratio} frames are computed (chunk mask, as the first streaming call would).
     */
    public DitPrefix promptPrefix(FlowSession s, int[] promptTokens, float[] promptFeat, int promptFrames, float[] embedding) {
        DitCache scratch = newCache();
        try {
            return promptPrefix(s, scratch, promptTokens, promptFeat, promptFrames, embedding);
        } finally {
            scratch.clear();
        }
    }

    /** {@link #promptPrefix(FlowSession, int[], float[], int, float[])} computed in {@code scratch} (reset before and after). */
    public DitPrefix promptPrefix(FlowSession s, DitCache scratch, int[] promptTokens, float[] promptFeat, int promptFrames,
                                  float[] embedding) {
        int la = config.preLookaheadLen(), chunk = estimator().staticChunkSize;
        int frames = (promptTokens.length - la) * config.tokenMelRatio() / chunk * chunk;
        if (frames <= 0) return null;
        FlowEncoding enc = encode(s, new int[0], promptTokens, promptFeat, promptFrames, embedding, false, true);
        scratch.reset();
        decoder.solveCached(s, scratch, enc.mu().rows(0, frames), enc.cond().rows(0, frames), enc.spks(), N_TIMESTEPS, null);
        scratch.record(frames, flowIds(promptTokens, new int[0]), config.tokenMelRatio(), la, promptFeat, promptFrames, embedding);
        DitPrefix prefix = scratch.snapshot();
        scratch.reset();
        return prefix;
    }
}
