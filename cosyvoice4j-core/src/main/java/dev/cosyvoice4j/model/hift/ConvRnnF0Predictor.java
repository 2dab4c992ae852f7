package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.tensor.Tensor;

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
    private final int inChannels, condChannels;
    private final Tensor[] direction, scale, bias;
    private final Tensor classifierWeight;
    private final double classifierBias;

    private ConvRnnF0Predictor(int inChannels, int condChannels, Tensor[] direction, Tensor[] scale, Tensor[] bias,
                               Tensor classifierWeight, double classifierBias) {
        this.inChannels = inChannels;
        this.condChannels = condChannels;
        this.direction = direction;
        this.scale = scale;
        this.bias = bias;
        this.classifierWeight = classifierWeight;
        this.classifierBias = classifierBias;
    }

    /** Takes {@code f0_predictor.*}; sizes derived from the tensors and checked against the config. */
    static ConvRnnF0Predictor load(HiftWeights w, int expectedIn, int expectedCond, int expectedNumClass) {
        String p = "f0_predictor.";
        long[] s0 = w.weightNormShape(p + "condnet.0");
        if (s0.length != 3 || s0[2] != KERNEL) {
            throw new ModelFormatException(w.store().file(), p + "condnet.0 weight is " + HiftWeights.shape(s0)
                    + ", expected [cond, in, 3] (ConvRNNF0Predictor)");
        }
        int cond = Math.toIntExact(s0[0]), in = Math.toIntExact(s0[1]);
        if (in != expectedIn || cond != expectedCond) {
            throw new ModelFormatException(w.store().file(), "f0_predictor.condnet.0 is " + HiftWeights.shape(s0)
                    + " but the config says in_channels " + expectedIn + ", cond_channels " + expectedCond);
        }
        if (expectedNumClass != 1) {
            throw new ModelFormatException(w.store().file(), "f0_predictor.num_class " + expectedNumClass
                    + " unsupported (the vocoder needs one f0 value per frame)");
        }
        Tensor[] direction = new Tensor[LAYERS], scale = new Tensor[LAYERS], bias = new Tensor[LAYERS];
        for (int l = 0; l < LAYERS; l++) {
            String name = p + "condnet." + (2 * l);
            direction[l] = w.weightNormDirection(name, cond, l == 0 ? in : cond, KERNEL);
            scale[l] = Tensor.ofDoubles(w.weightNormScalesDouble(name, direction[l]), cond);
            bias[l] = Tensor.ofDoubles(w.take(name + ".bias", cond).toDoubleArray(), cond);
        }
        Tensor cw = Tensor.ofDoubles(w.take(p + "classifier.weight", 1, cond).toDoubleArray(), cond);
        double cb = w.take(p + "classifier.bias", 1).getDouble(0);
        return new ConvRnnF0Predictor(in, cond, direction, scale, bias, cw, cb);
    }

    public int inChannels() { return inChannels; }

    /** {@code f0 [1, T]} in Hz from {@code mel [inChannels, T]} (channel-major); scratch from the vocoder session. */
    void forward(Backend backend, HiftSession s, Buf mel, Buf f0) {
        int frames = mel.cols();
        if (mel.rows() != inChannels) throw new IllegalArgumentException("mel is " + mel.shape() + ", needs " + inChannels + " rows");
        if (f0.rows() != 1 || f0.cols() != frames) throw new IllegalArgumentException("f0 output " + f0.shape() + " for " + frames + " frames");
        s.ensureF0(Math.max(inChannels, condChannels), frames + 2 * PAD);
        Buf a = s.f0A.view(condChannels, frames);
        Buf in = mel;
        for (int l = 0; l < LAYERS; l++) {
            Buf padded = s.f0In.view(l == 0 ? inChannels : condChannels, frames + 2 * PAD);
            backend.fill(padded, 0f);
            backend.setCols(padded, PAD, in);                                         // (mel.double() at l = 0)
            backend.conv1dF64(a, padded, direction[l], scale[l], bias[l]);            // condnet.2l
            backend.eluF64(a);                                                        // condnet.2l+1
            in = a;
        }
        backend.classifierAbsF64(f0, a, classifierWeight, classifierBias);            // |classifier(x)|
    }
}
