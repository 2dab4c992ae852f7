package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.ModelFormatException;


/**
 * Port of {@code CausalConvRNNF0Predictor} ({@code cosyvoice/hifigan/f0_predictor.py} @ ace7c47) as
 * {@code CausalHiFTGenerator.inference} runs it: IN FLOAT64 (module and input cast to double,
 * {@code generator.py:716-717}; the official comment: "precision is crucial for causal inference"), the result
 * cast back to float32. Golden: {@code hift/f0_predictor}.
 *
 * <p>{@code condnet.0} is a right-causal conv (kernel 4, look-ahead 3 frames: zero padded when finalizing, taken
 * from the input's last 3 frames otherwise, so the output is 3 frames shorter); {@code condnet.2/4/6/8} are
 * left-causal convs (kernel 3); ELU after each; {@code |classifier(x^T)|}. Weight norm in double: each weight is
 * formed as {@code (double) v * scale[o]} when the conv reads it (torch's fold, exactly), v staying the file's view.
 * Every step is a float64 backend operation ({@link Backend#conv1dF64}, {@link Backend#eluF64},
 * {@link Backend#classifierAbsF64}).
 */
public final class CausalConvRnnF0Predictor {
    private final F0Condnet condnet;
    private final int[] kernel;      // per conv layer
    private final boolean[] right;   // causal_type == 'right'

    private CausalConvRnnF0Predictor(F0Condnet condnet, int[] kernel, boolean[] right) {
        this.condnet = condnet;
        this.kernel = kernel;
        this.right = right;
    }

    /** Takes {@code f0_predictor.*}; sizes derived from the tensors and checked against the arguments. */
    static CausalConvRnnF0Predictor load(HiftWeights w, int expectedIn, int expectedCond, int expectedNumClass) {
        String p = "f0_predictor.";
        long[] s0 = w.weightNormShape(p + "condnet.0");
        if (s0.length != 3) throw new ModelFormatException(w.store().file(), p + "condnet.0 weight is not 3-d");
        int[] kernel = {4, 3, 3, 3, 3};
        boolean[] right = {true, false, false, false, false};
        return new CausalConvRnnF0Predictor(F0Condnet.load(w, s0, kernel, expectedIn, expectedCond, expectedNumClass),
                kernel, right);
    }

    /** Frames of look-ahead of {@code condnet.0} ({@code causal_padding} = 3). */
    public int lookAheadFrames() { return kernel[0] - 1; }

    public int inChannels() { return condnet.inChannels; }

    /** Frames of left context of an output frame: the left-causal layers' paddings (8 = 4 x (3 - 1)). */
    public int leftContextFrames() {
        int c = 0;
        for (int l = 0; l < kernel.length; l++) if (!right[l]) c += kernel[l] - 1;
        return c;
    }

    /** Output frames for {@code frames} mel frames: T when finalizing, T - 3 otherwise. */
    public int outputFrames(int frames, boolean finalize) {
        return finalize ? frames : frames - lookAheadFrames();
    }

    /**
     * {@code CausalConvRNNF0Predictor.forward(mel.double(), finalize).float()}: {@code f0 [1, T']} in Hz from
     * {@code mel [inChannels, frames]} (channel-major), T' = {@link #outputFrames}. Scratch from the vocoder session.
     */
    void forward(Backend backend, HiftSession s, Buf mel, boolean finalize, Buf f0) {
        int frames = mel.cols(), inChannels = condnet.inChannels;
        if (mel.rows() != inChannels) throw new IllegalArgumentException("mel is " + mel.shape() + ", needs " + inChannels + " rows");
        int tOut = outputFrames(frames, finalize);
        if (tOut < 1) {
            throw new IllegalArgumentException("f0 predictor needs more than " + lookAheadFrames()
                    + " mel frames when not finalizing, got " + frames);
        }
        if (f0.rows() != 1 || f0.cols() != tOut) throw new IllegalArgumentException("f0 output " + f0.shape() + " for " + tOut + " frames");
        int c = condnet.condChannels;
        s.ensureF0(Math.max(inChannels, c), frames + lookAheadFrames());
        // layer 0: right-causal; finalize -> zero look-ahead, else the real last frames are the look-ahead
        int tp0 = finalize ? frames + lookAheadFrames() : frames;
        Buf xp = s.f0In.view(inChannels, tp0);
        if (finalize) backend.fill(xp, 0f);
        backend.setCols(xp, 0, mel);                                                  // mel.double()
        Buf a = s.f0A.view(c, tOut);
        condnet.convElu(backend, 0, xp, a);                                           // condnet.0, condnet.1
        for (int l = 1; l < condnet.layers(); l++) {
            condnet.paddedConvElu(backend, s, l, a, kernel[l] - 1, 0, a);             // left-causal, dilation 1
        }
        condnet.classifyAbs(backend, a, f0);                                          // |classifier(x)|, float()
    }
}
