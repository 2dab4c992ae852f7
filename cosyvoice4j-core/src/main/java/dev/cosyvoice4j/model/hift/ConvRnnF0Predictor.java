package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.ModelFormatException;

/**
 * Port of CosyVoice2's non-causal {@code ConvRNNF0Predictor} ({@code cosyvoice/hifigan/f0_predictor.py:23-59} @
 * ace7c47): {@code condnet} = 5 x [weight-normed {@code Conv1d(k=3, padding=1)}, ELU], then
 * {@code |classifier(x^T)|}; as many f0 frames as mel frames. Golden: {@code golden-cv2 hift/f0_predictor}.
 *
 * <p>Deviation: the official module runs in float32; this one runs on the float64 F0 operations the causal predictor
 * uses ({@link Backend#conv1dF64}, {@link Backend#eluF64}, {@link Backend#classifierAbsF64}) with the same
 * weight-norm fold, so it differs from the reference by float32 rounding only (the case's bound is 1e-3 Hz).
 */
public final class ConvRnnF0Predictor {
    private static final int LAYERS = 5, KERNEL = 3, PAD = 1;
    private final F0Condnet condnet;

    private ConvRnnF0Predictor(F0Condnet condnet) { this.condnet = condnet; }

    /** Takes {@code f0_predictor.*}; sizes derived from the tensors and checked against the config. */
    static ConvRnnF0Predictor load(HiftWeights w, int expectedIn, int expectedCond, int expectedNumClass) {
        String p = "f0_predictor.";
        long[] s0 = w.weightNormShape(p + "condnet.0");
        if (s0.length != 3 || s0[2] != KERNEL) {
            throw new ModelFormatException(w.store().file(), p + "condnet.0 weight is " + HiftWeights.shape(s0)
                    + ", expected [cond, in, 3] (ConvRNNF0Predictor)");
        }
        int[] kernel = new int[LAYERS];
        java.util.Arrays.fill(kernel, KERNEL);
        return new ConvRnnF0Predictor(F0Condnet.load(w, s0, kernel, expectedIn, expectedCond, expectedNumClass));
    }

    public int inChannels() { return condnet.inChannels; }

    /** {@code f0 [1, T]} in Hz from {@code mel [inChannels, T]} (channel-major); scratch from the vocoder session. */
    void forward(Backend backend, HiftSession s, Buf mel, Buf f0) {
        int frames = mel.cols(), inChannels = condnet.inChannels, condChannels = condnet.condChannels;
        if (mel.rows() != inChannels) throw new IllegalArgumentException("mel is " + mel.shape() + ", needs " + inChannels + " rows");
        if (f0.rows() != 1 || f0.cols() != frames) throw new IllegalArgumentException("f0 output " + f0.shape() + " for " + frames + " frames");
        s.ensureF0(Math.max(inChannels, condChannels), frames + 2 * PAD);
        Buf a = s.f0A.view(condChannels, frames);
        Buf in = mel;                                                                 // (mel.double() at l = 0)
        for (int l = 0; l < LAYERS; l++) {
            condnet.paddedConvElu(backend, s, l, in, PAD, PAD, a);                    // condnet.2l, ELU
            in = a;
        }
        condnet.classifyAbs(backend, a, f0);                                          // |classifier(x)|
    }
}
