package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.tensor.Tensor;


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
 * The convolutions are plain double loops: the module is small (3.3 M MACs per frame at full size).
 */
public final class CausalConvRnnF0Predictor {
    private final int inChannels;
    private final int condChannels;
    private final int[] kernel;      // per conv layer
    private final boolean[] right;   // causal_type == 'right'
    private final Tensor[] direction; // weight-norm v [cout, cin, k], float32 view of the file
    private final double[][] scale;   // g / ||v|| per output channel
    private final double[][] bias;
    private final double[] classifierWeight;
    private final double classifierBias;

    private CausalConvRnnF0Predictor(int inChannels, int condChannels, int[] kernel, boolean[] right,
                                     Tensor[] direction, double[][] scale, double[][] bias, double[] classifierWeight,
                                     double classifierBias) {
        this.inChannels = inChannels;
        this.condChannels = condChannels;
        this.kernel = kernel;
        this.right = right;
        this.direction = direction;
        this.scale = scale;
        this.bias = bias;
        this.classifierWeight = classifierWeight;
        this.classifierBias = classifierBias;
    }

    /** Takes {@code f0_predictor.*}; sizes derived from the tensors and checked against the arguments. */
    static CausalConvRnnF0Predictor load(HiftWeights w, int expectedIn, int expectedCond, int expectedNumClass) {
        String p = "f0_predictor.";
        long[] s0 = w.weightNormShape(p + "condnet.0");
        if (s0.length != 3) throw new ModelFormatException(w.store().file(), p + "condnet.0 weight is not 3-d");
        int cond = Math.toIntExact(s0[0]), in = Math.toIntExact(s0[1]);
        if (in != expectedIn || cond != expectedCond) {
            throw new ModelFormatException(w.store().file(), "f0_predictor.condnet.0 is " + HiftWeights.shape(s0)
                    + " but the config says in_channels " + expectedIn + ", cond_channels " + expectedCond);
        }
        if (expectedNumClass != 1) {
            throw new ModelFormatException(w.store().file(), "f0_predictor.num_class " + expectedNumClass
                    + " unsupported (the vocoder needs one f0 value per frame)");
        }
        int layers = 5;
        int[] kernel = {4, 3, 3, 3, 3};
        boolean[] right = {true, false, false, false, false};
        Tensor[] direction = new Tensor[layers];
        double[][] scale = new double[layers][];
        double[][] bias = new double[layers][];
        for (int l = 0; l < layers; l++) {
            String name = p + "condnet." + (2 * l);
            int cin = l == 0 ? in : cond;
            direction[l] = w.weightNormDirection(name, cond, cin, kernel[l]);
            scale[l] = w.weightNormScalesDouble(name, direction[l]);
            bias[l] = w.take(name + ".bias", cond).toDoubleArray();
        }
        double[] cw = w.take(p + "classifier.weight", 1, cond).toDoubleArray();
        double cb = w.take(p + "classifier.bias", 1).getDouble(0);
        return new CausalConvRnnF0Predictor(in, cond, kernel, right, direction, scale, bias, cw, cb);
    }

    /** Frames of look-ahead of {@code condnet.0} ({@code causal_padding} = 3). */
    public int lookAheadFrames() { return kernel[0] - 1; }

    public int inChannels() { return inChannels; }

    /** Output frames for {@code frames} mel frames: T when finalizing, T - 3 otherwise. */
    public int outputFrames(int frames, boolean finalize) {
        return finalize ? frames : frames - lookAheadFrames();
    }

    /**
     * {@code CausalConvRNNF0Predictor.forward(mel.double(), finalize).float()}: f0 in Hz, one value per output
     * frame. {@code mel} is {@code [inChannels, frames]} channel-major. The float64 convolutions run on
     * {@link Kernels#conv1dF64}.
     */
    public float[] forward(float[] mel, int frames, boolean finalize, Kernels k) {
        if (mel.length < (long) inChannels * frames) {
            throw new IllegalArgumentException("mel has " + mel.length + " values, need " + inChannels + " x " + frames);
        }
        int tOut = outputFrames(frames, finalize);
        if (tOut < 1) {
            throw new IllegalArgumentException("f0 predictor needs more than " + lookAheadFrames()
                    + " mel frames when not finalizing, got " + frames);
        }
        int c = condChannels;
        // layer 0: right-causal; finalize -> zero look-ahead, else the real last frames are the look-ahead
        int pad0 = lookAheadFrames();
        int tp0 = finalize ? frames + pad0 : frames;
        double[] xp = new double[inChannels * tp0];
        for (int ci = 0; ci < inChannels; ci++) {
            for (int t = 0; t < frames; t++) xp[ci * tp0 + t] = mel[ci * frames + t];
        }
        double[] a = new double[c * tOut];
        k.conv1dF64(a, xp, inChannels, tp0, direction[0], scale[0], bias[0], c, kernel[0]);
        elu(a);
        double[] padded = new double[c * (tOut + 2)];
        for (int l = 1; l < direction.length; l++) {
            int pad = kernel[l] - 1; // left-causal, dilation 1
            int tp = tOut + pad;
            if (padded.length != c * tp) padded = new double[c * tp];
            for (int ci = 0; ci < c; ci++) System.arraycopy(a, ci * tOut, padded, ci * tp + pad, tOut);
            k.conv1dF64(a, padded, c, tp, direction[l], scale[l], bias[l], c, kernel[l]);
            elu(a);
        }
        float[] f0 = new float[tOut];
        double[] acc = new double[tOut];
        java.util.Arrays.fill(acc, classifierBias);
        for (int ci = 0; ci < c; ci++) {
            double wc = classifierWeight[ci];
            int off = ci * tOut;
            for (int t = 0; t < tOut; t++) acc[t] += wc * a[off + t];
        }
        for (int t = 0; t < tOut; t++) f0[t] = (float) Math.abs(acc[t]);
        return f0;
    }

    /** ELU with alpha 1: {@code x > 0 ? x : exp(x) - 1}. */
    private static void elu(double[] x) {
        for (int i = 0; i < x.length; i++) if (x[i] <= 0) x[i] = StrictMath.expm1(x[i]);
    }
}
