package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The weights and layer step both F0 predictors share ({@code ConvRNNF0Predictor} and {@code CausalConvRNNF0Predictor},
 * {@code cosyvoice/hifigan/f0_predictor.py} @ ace7c47): {@code condnet} = 5 x [weight-normed conv, ELU], then
 * {@code |classifier(x^T)|}, all in float64; only the convs' kernels and paddings differ. Used by
 * {@link ConvRnnF0Predictor} and {@link CausalConvRnnF0Predictor}; checked by {@code hift/f0_predictor} of both families.
 */
final class F0Condnet {
    final int inChannels, condChannels;
    private final Tensor[] direction;          // weight-norm v [cout, cin, k], float32 view of the file
    private final Tensor[] scale;              // g / ||v|| per output channel, float64
    private final Tensor[] bias;               // float64
    private final Tensor classifierWeight;     // float64 [cond]
    private final double classifierBias;

    private F0Condnet(int inChannels, int condChannels, Tensor[] direction, Tensor[] scale, Tensor[] bias,
                      Tensor classifierWeight, double classifierBias) {
        this.inChannels = inChannels;
        this.condChannels = condChannels;
        this.direction = direction;
        this.scale = scale;
        this.bias = bias;
        this.classifierWeight = classifierWeight;
        this.classifierBias = classifierBias;
    }

    /**
     * Takes {@code f0_predictor.*} with {@code condnet.0}'s shape {@code s0} (checked 3-d by the caller) and the
     * kernel of each conv layer; sizes derived from the tensors and checked against the config's.
     */
    static F0Condnet load(HiftWeights w, long[] s0, int[] kernel, int expectedIn, int expectedCond, int expectedNumClass) {
        String p = "f0_predictor.";
        int cond = Math.toIntExact(s0[0]), in = Math.toIntExact(s0[1]);
        if (in != expectedIn || cond != expectedCond) {
            throw new ModelFormatException(w.store().file(), "f0_predictor.condnet.0 is " + HiftWeights.shape(s0)
                    + " but the config says in_channels " + expectedIn + ", cond_channels " + expectedCond);
        }
        if (expectedNumClass != 1) {
            throw new ModelFormatException(w.store().file(), "f0_predictor.num_class " + expectedNumClass
                    + " unsupported (the vocoder needs one f0 value per frame)");
        }
        int layers = kernel.length;
        Tensor[] direction = new Tensor[layers], scale = new Tensor[layers], bias = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            String name = p + "condnet." + (2 * l);
            direction[l] = w.weightNormDirection(name, cond, l == 0 ? in : cond, kernel[l]);
            scale[l] = Tensor.ofDoubles(w.weightNormScalesDouble(name, direction[l]), cond);
            bias[l] = Tensor.ofDoubles(w.take(name + ".bias", cond).toDoubleArray(), cond);
        }
        Tensor cw = Tensor.ofDoubles(w.take(p + "classifier.weight", 1, cond).toDoubleArray(), cond);
        double cb = w.take(p + "classifier.bias", 1).getDouble(0);
        return new F0Condnet(in, cond, direction, scale, bias, cw, cb);
    }

    int layers() { return direction.length; }

    /** {@code condnet.2l} on {@code padded} (the input already placed in it), then {@code condnet.2l+1} (ELU), into {@code out}. */
    void convElu(Backend backend, int l, Buf padded, Buf out) {
        backend.conv1dF64(out, padded, direction[l], scale[l], bias[l]);              // condnet.2l
        backend.eluF64(out);                                                          // condnet.2l+1
    }

    /**
     * Layer {@code l} with {@code in} zero padded by {@code left} and {@code right} frames in the session's
     * {@code f0In} scratch; {@code out} may be {@code in}.
     */
    void paddedConvElu(Backend backend, HiftSession s, int l, Buf in, int left, int right, Buf out) {
        Buf padded = s.f0In.view(in.rows(), in.cols() + left + right);
        backend.fill(padded, 0f);
        backend.setCols(padded, left, in);
        convElu(backend, l, padded, out);
    }

    /** {@code |classifier(x)|} into {@code f0 [1, T]}. */
    void classifyAbs(Backend backend, Buf x, Buf f0) {
        backend.classifierAbsF64(f0, x, classifierWeight, classifierBias);
    }
}
