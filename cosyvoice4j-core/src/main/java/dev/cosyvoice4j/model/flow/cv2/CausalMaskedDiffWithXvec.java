package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.flow.FlowEncodeInputs;
import dev.cosyvoice4j.model.flow.FlowTimings;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code CausalMaskedDiffWithXvec} (cosyvoice/flow/flow.py:149-281 @ ace7c47, {@code inference} l. 235-281), the
 * CosyVoice2 flow: speech tokens (prompt tokens first) through {@code input_embedding}, the
 * {@link UpsampleConformerEncoder} (x token_mel_ratio) and {@code encoder_proj} to {@code mu}; the speaker embedding
 * through {@code spk_embed_affine_layer}; the prompt mel as {@code cond}; then the {@link CausalConditionalCfm} over
 * the U-Net {@link CausalConditionalDecoder}. Weights: flow.pt, every tensor used (strict). Golden:
 * {@code flow/{offline,stream_nonfinal}/{encode,estimator_call,cfm}} of golden-cv2.
 *
 * <p>Immutable and thread-safe; the memory of a request lives in a {@link Cv2FlowSession}. Float32 only.
 */
public final class CausalMaskedDiffWithXvec {
    /** {@code n_timesteps=10}, hard-coded by {@code flow.inference}. */
    public static final int N_TIMESTEPS = 10;

    private final Cv2FlowConfig config;
    private final Backend backend;
    final Tensor inputEmbedding, spkEmbedAffineLayerWeight, spkEmbedAffineLayerBias, encoderProjWeight, encoderProjBias;
    final UpsampleConformerEncoder encoder;
    final CausalConditionalCfm decoder;

    private CausalMaskedDiffWithXvec(WeightStore ws, Cv2FlowConfig cfg, Backend backend) {
        this.config = cfg;
        this.backend = backend;
        inputEmbedding = ws.take("input_embedding.weight", cfg.vocabSize(), cfg.inputSize());
        spkEmbedAffineLayerWeight = ws.take("spk_embed_affine_layer.weight", cfg.outputSize(), cfg.spkEmbedDim());
        spkEmbedAffineLayerBias = ws.take("spk_embed_affine_layer.bias", cfg.outputSize());
        encoder = new UpsampleConformerEncoder(ws, "encoder.", cfg);
        encoderProjWeight = ws.take("encoder_proj.weight", cfg.outputSize(), cfg.encoderOutputSize());
        encoderProjBias = ws.take("encoder_proj.bias", cfg.outputSize());
        CausalConditionalDecoder estimator = new CausalConditionalDecoder(ws, "decoder.estimator.", cfg, backend);
        decoder = new CausalConditionalCfm(estimator, cfg.inferenceCfgRate(), cfg.tScheduler());
        ws.checkAllUsed();
    }

    /**
     * Loads every tensor of a CosyVoice2 flow.pt (strict: an unknown or missing tensor, or a shape that contradicts
     * the config, is a {@link ModelFormatException}) for {@code backend}, in float32.
     */
    public static CausalMaskedDiffWithXvec load(WeightStore ws, Cv2FlowConfig cfg, Backend backend) {
        return new CausalMaskedDiffWithXvec(ws, cfg, backend);
    }

    /**
     * The flow.pt weights that are {@code Linear} matrices (what a backend may prepare, e.g. through
     * {@code WeightStore.transformed} with {@code Backend.prepare(.., WeightKind.LINEAR, ..)}): every 2-d
     * {@code .weight} except the token embedding table (the rel-pos biases are not {@code .weight}s, convs are 3-d).
     */
    public static boolean isLinearWeight(String name, Tensor t) {
        return t.rank() == 2 && name.endsWith(".weight") && !name.equals("input_embedding.weight");
    }

    public Cv2FlowConfig config() { return config; }

    public Backend backend() { return backend; }

    UpsampleConformerEncoder encoder() { return encoder; }

    public CausalConditionalDecoder estimator() { return decoder.estimator(); }

    public CausalConditionalCfm decoder() { return decoder; }

    /** The memory of one request's flow calls (grows to the longest call; reuse it for every call of the request). */
    public Cv2FlowSession newSession() { return new Cv2FlowSession(this, CausalConditionalCfm.timeHolder()); }

    /** Frames the flow produces for {@code promptTokens + tokens} in a call with the given {@code finalize}. */
    public int framesFor(int totalTokens, boolean finalize) {
        return (finalize ? totalTokens : totalTokens - config.preLookaheadLen()) * config.tokenMelRatio();
    }

    /**
     * The encoding half of {@code inference}. {@code promptFeat} is the prompt mel {@code [promptFrames, outputSize]}
     * (time-major, as the frontend's {@code speech_feat}); {@code embedding} the speaker embedding
     * {@code [spkEmbedDim]}. With {@code finalize == false} the last {@code preLookaheadLen} tokens are look-ahead
     * context only. {@code streaming} selects the encoder's chunk masks. {@code probeOrNull} sees the intermediates.
     */
    public Cv2FlowEncoding encode(Cv2FlowSession s, int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames,
                                  float[] embedding, boolean streaming, boolean finalize, Probe probeOrNull) {
        int mel = config.outputSize(), la = config.preLookaheadLen(), d = config.inputSize();
        int total = promptTokens.length + tokens.length;
        int produced = FlowEncodeInputs.produced(total, la, finalize, embedding, config.spkEmbedDim(), promptFeat, promptFrames, mel);
        int frames = produced * encoder.upStride;
        if (promptFrames > frames) {
            throw new IllegalArgumentException(promptFrames + " prompt mel frames exceed the " + frames + " frames of "
                    + produced + " tokens");
        }
        s.ensure(total, frames);

        // spks = spk_embed_affine_layer(F.normalize(embedding, dim=1))
        FlowEncodeInputs.spks(backend, embedding, s.embedding, s.spks, spkEmbedAffineLayerWeight, spkEmbedAffineLayerBias);

        // input_embedding(clamp(concat(prompt_token, token), min=0)) (the all-ones mask is a no-op)
        int[] ids = FlowEncodeInputs.ids(promptTokens, tokens, config.vocabSize());
        Buf emb = s.embeddings.rows(0, total);
        backend.gatherRows(emb, inputEmbedding, ids);
        Buf xs = emb.rows(0, produced), context = finalize ? null : emb.rows(produced, total);
        if (probeOrNull != null) {
            probeOrNull.at("token_embedding", xs);
            if (context != null) probeOrNull.at("lookahead_context_embedding", context);
        }

        Buf h = s.encOut.view(frames, encoder.size);
        encoder.forward(backend, s, xs, context, streaming, h, probeOrNull == null ? null : probeOrNull::at);
        if (probeOrNull != null) probeOrNull.at("encoder_out", h);
        Buf muT = s.muT.view(frames, mel), mu = s.mu.view(mel, frames);
        backend.linear(muT, h, encoderProjWeight, encoderProjBias);                  // encoder_proj
        if (probeOrNull != null) probeOrNull.at("encoder_proj_out", muT);
        backend.transpose(mu, muT);
        Buf condT = s.condT.view(frames, mel), cond = s.cond.view(mel, frames);
        backend.fill(condT, 0f);                                                      // conds[:, :mel_len1] = prompt_feat
        if (promptFrames > 0) backend.write(condT.rows(0, promptFrames), promptFeat, 0);
        backend.transpose(cond, condT);
        return new Cv2FlowEncoding(s.spks, mu, cond, produced, frames, promptFrames);
    }

    /** Observes named intermediates of {@link #encode} (the golden stage); values are views valid during the call. */
    public interface Probe {
        void at(String name, Buf value);
    }

    /**
     * {@code CausalMaskedDiffWithXvec.inference}: the generated mel {@code [outputSize, frames - promptFrames]}
     * (channel-major, as the official {@code feat[:, :, mel_len1:]}) on the host. {@code streaming} selects the chunk
     * masks of the encoder and the estimator; {@code finalize == false} treats the last {@code preLookaheadLen} tokens
     * as look-ahead only. Same contract as the CosyVoice3 {@code FlowModel.inference}.
     */
    public float[] inference(Cv2FlowSession s, int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames,
                             float[] embedding, boolean streaming, boolean finalize, FlowTimings timingsOrNull) {
        long t0 = System.nanoTime();
        Cv2FlowEncoding enc = encode(s, tokens, promptTokens, promptFeat, promptFrames, embedding, streaming, finalize, null);
        long t1 = System.nanoTime();
        Buf x = decoder.solve(s, enc.mu(), enc.cond(), enc.spks(), N_TIMESTEPS, streaming, timingsOrNull, null);
        if (timingsOrNull != null) {
            timingsOrNull.addEncode(t1 - t0);
            timingsOrNull.addSolve(System.nanoTime() - t1, enc.frames());
        }
        return generatedMel(s, x, promptFrames);
    }

    /** {@code feat[:, :, promptFrames:]} of a channel-major solver output {@code [mel, T]}, on the host. */
    public float[] generatedMel(Cv2FlowSession s, Buf x, int promptFrames) {
        int mel = x.rows(), n = x.cols() - promptFrames;
        Buf out = s.melOut.view(mel, n);
        backend.copyCols(out, x, promptFrames);
        return backend.read(out);
    }
}
