package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code CausalMaskedDiffWithDiT} (cosyvoice/flow/flow.py @ ace7c47, {@code inference}): speech tokens (prompt
 * tokens first) to mel with a token embedding, the {@link PreLookaheadLayer}, {@code token_mel_ratio} upsampling
 * and the {@link CausalConditionalCfm} solver around the {@link DiT}. Weights: flow.pt (every tensor used).
 * Golden: {@code flow/{offline,stream_nonfinal}/{encode,dit_call,cfm}}.
 *
 * <p>Immutable and thread-safe; each call allocates its own buffers.
 */
public final class FlowModel {
    /** {@code n_timesteps=10}, hard-coded by {@code flow.inference}. */
    public static final int N_TIMESTEPS = 10;

    private final FlowConfig config;
    final Tensor inputEmbedding;
    final Tensor spkEmbedAffineLayerWeight, spkEmbedAffineLayerBias;
    final PreLookaheadLayer preLookaheadLayer;
    final CausalConditionalCfm decoder;

    private FlowModel(WeightStore ws, FlowConfig cfg) {
        this.config = cfg;
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
        DiT estimator = DiT.load(ws, "decoder.estimator.", cfg);
        decoder = new CausalConditionalCfm(estimator, cfg.inferenceCfgRate(), cfg.tScheduler());
        ws.checkAllUsed();
    }

    /** Loads every tensor of flow.pt (strict: unknown or missing tensors are a {@link ModelFormatException}). */
    public static FlowModel load(WeightStore ws, FlowConfig cfg) {
        return new FlowModel(ws, cfg);
    }

    public FlowConfig config() { return config; }

    public DiT estimator() { return decoder.estimator(); }

    public CausalConditionalCfm decoder() { return decoder; }

    /** Frames the flow produces for {@code promptTokens + tokens} in a call with the given {@code finalize}. */
    public int framesFor(int totalTokens, boolean finalize) {
        return (finalize ? totalTokens : totalTokens - config.preLookaheadLen()) * config.tokenMelRatio();
    }

    /**
     * The encoding half of {@code inference}. {@code promptFeat} is the prompt mel {@code [promptFrames, outputSize]}
     * (time-major, as the frontend's {@code speech_feat}); {@code embedding} the speaker embedding
     * {@code [spkEmbedDim]}. With {@code finalize == false} the last {@code preLookaheadLen} tokens are look-ahead
     * context only and produce no frames.
     */
    public FlowEncoding encode(int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames, float[] embedding,
                               boolean finalize, Kernels kern) {
        int c = config.inputSize(), out = config.outputSize(), la = config.preLookaheadLen();
        int total = promptTokens.length + tokens.length;
        int produced = finalize ? total : total - la;
        if (produced < 1) {
            throw new IllegalArgumentException("flow needs at least " + (finalize ? 1 : la + 1) + " tokens (prompt included) for finalize="
                    + finalize + ", got " + total);
        }
        if (embedding.length != config.spkEmbedDim()) {
            throw new IllegalArgumentException("speaker embedding has " + embedding.length + " values, expected " + config.spkEmbedDim());
        }
        if (promptFrames < 0 || promptFeat.length != promptFrames * out) {
            throw new IllegalArgumentException("prompt mel has " + promptFeat.length + " values, expected " + promptFrames + " x " + out);
        }
        int frames = produced * config.tokenMelRatio();
        if (promptFrames > frames) {
            throw new IllegalArgumentException(promptFrames + " prompt mel frames exceed the " + frames + " frames of "
                    + produced + " tokens (the prompt mel must have token_mel_ratio frames per prompt token)");
        }

        // spks = spk_embed_affine_layer(F.normalize(embedding, dim=1))
        double ss = 0;
        for (float e : embedding) ss += (double) e * e;
        float norm = (float) Math.max(Math.sqrt(ss), 1e-12);
        float[] normalized = new float[embedding.length];
        for (int i = 0; i < normalized.length; i++) normalized[i] = embedding[i] / norm;
        float[] spks = new float[out];
        kern.linear(spks, normalized, 1, spkEmbedAffineLayerWeight, spkEmbedAffineLayerBias);

        // input_embedding(clamp(concat(prompt_token, token), min=0)) (the all-ones mask is a no-op)
        float[] emb = new float[total * c];
        for (int i = 0; i < total; i++) {
            int id = i < promptTokens.length ? promptTokens[i] : tokens[i - promptTokens.length];
            id = Math.max(id, 0);
            if (id >= config.vocabSize()) {
                throw new IllegalArgumentException("speech token " + id + " is outside the flow vocabulary [0, " + config.vocabSize() + ")");
            }
            Tensor row = inputEmbedding.select(id);
            for (int j = 0; j < c; j++) emb[i * c + j] = row.getFloat(j);
        }
        float[] tokenEmbedding = java.util.Arrays.copyOf(emb, produced * c);
        float[] context = finalize ? new float[0] : java.util.Arrays.copyOfRange(emb, produced * c, total * c);
        float[] h = preLookaheadLayer.forward(kern, tokenEmbedding, produced, finalize ? null : context);

        int ratio = config.tokenMelRatio();
        float[] mu = new float[frames * c];
        for (int t = 0; t < frames; t++) System.arraycopy(h, (t / ratio) * c, mu, t * c, c);
        float[] cond = new float[frames * out];
        System.arraycopy(promptFeat, 0, cond, 0, promptFeat.length);
        return new FlowEncoding(tokenEmbedding, context, h, spks, mu, cond, produced, frames, promptFrames);
    }

    /**
     * {@code CausalMaskedDiffWithDiT.inference}: returns the generated mel {@code [outputSize, frames - promptFrames]}
     * (channel-major, as the official {@code feat[:, :, mel_len1:]}), i.e. the frames after the prompt.
     * {@code streaming} selects the DiT chunk mask; {@code finalize == false} treats the last
     * {@code preLookaheadLen} tokens as look-ahead only.
     */
    public float[] inference(int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames, float[] embedding,
                             boolean streaming, boolean finalize, Kernels kern, FlowTimings timingsOrNull) {
        long t0 = System.nanoTime();
        FlowEncoding enc = encode(tokens, promptTokens, promptFeat, promptFrames, embedding, finalize, kern);
        long t1 = System.nanoTime();
        float[] x = decoder.solve(kern, enc.mu(), enc.cond(), enc.spks(), enc.frames(), N_TIMESTEPS, streaming, timingsOrNull, null);
        if (timingsOrNull != null) {
            timingsOrNull.addEncode(t1 - t0);
            timingsOrNull.addSolve(System.nanoTime() - t1, enc.frames());
        }
        return generatedMel(x, enc.frames(), promptFrames, config.outputSize());
    }

    /** {@code feat[:, :, promptFrames:]} of a time-major solver output, as channel-major {@code [mel, frames - promptFrames]}. */
    public static float[] generatedMel(float[] x, int frames, int promptFrames, int mel) {
        int n = frames - promptFrames;
        float[] out = new float[mel * n];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < mel; c++) out[c * n + t] = x[(promptFrames + t) * mel + c];
        }
        return out;
    }
}
