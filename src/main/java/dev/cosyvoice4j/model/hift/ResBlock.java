package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.List;

/**
 * Port of {@code ResBlock(channels, kernel_size, dilations, causal=True)} ({@code cosyvoice/hifigan/generator.py:46-117}
 * @ ace7c47): for each dilation d_j, {@code x = x + convs2_j(Snake2_j(convs1_j(Snake1_j(x))))} where convs1_j is a
 * left-causal conv with dilation d_j and convs2_j a left-causal conv with dilation 1 (weight norm folded).
 * Snake: {@code x + 1/(alpha + 1e-9) * sin(alpha x)^2}. Golden: {@code hift/decode}.
 */
final class ResBlock {
    private final int channels;
    private final Tensor[] convs1Weight, convs1Bias, convs2Weight, convs2Bias;
    private final Tensor[] activations1Alpha, activations2Alpha;
    private final ConvSpec[] spec1, spec2;

    private ResBlock(int channels, Tensor[] w1, Tensor[] b1, Tensor[] w2, Tensor[] b2, Tensor[] a1, Tensor[] a2,
                     ConvSpec[] spec1, ConvSpec[] spec2) {
        this.channels = channels;
        this.convs1Weight = w1;
        this.convs1Bias = b1;
        this.convs2Weight = w2;
        this.convs2Bias = b2;
        this.activations1Alpha = a1;
        this.activations2Alpha = a2;
        this.spec1 = spec1;
        this.spec2 = spec2;
    }

    static ResBlock load(HiftWeights w, String prefix, int channels, int kernel, List<Integer> dilations) {
        int n = dilations.size();
        Tensor[] w1 = new Tensor[n], b1 = new Tensor[n], w2 = new Tensor[n], b2 = new Tensor[n];
        Tensor[] a1 = new Tensor[n], a2 = new Tensor[n];
        ConvSpec[] s1 = new ConvSpec[n], s2 = new ConvSpec[n];
        for (int j = 0; j < n; j++) {
            int d = dilations.get(j);
            w1[j] = w.weightNorm(prefix + "convs1." + j, channels, channels, kernel);
            b1[j] = w.take(prefix + "convs1." + j + ".bias", channels);
            w2[j] = w.weightNorm(prefix + "convs2." + j, channels, channels, kernel);
            b2[j] = w.take(prefix + "convs2." + j + ".bias", channels);
            a1[j] = w.take(prefix + "activations1." + j + ".alpha", channels);
            a2[j] = w.take(prefix + "activations2." + j + ".alpha", channels);
            s1[j] = leftCausal(kernel, d);
            s2[j] = leftCausal(kernel, 1);
        }
        if (w.has(prefix + "convs1." + n + ".bias")) {
            throw new ModelFormatException(w.store().file(), w.key(prefix) + " has more convs than the "
                    + n + " dilations of the config");
        }
        return new ResBlock(channels, w1, b1, w2, b2, a1, a2, s1, s2);
    }

    /** {@code CausalConv1d(causal_type='left')}: zero left padding of {@code causal_padding}. */
    static ConvSpec leftCausal(int kernel, int dilation) {
        return ConvSpec.of(1, causalPadding(kernel, dilation), 0, dilation, 1);
    }

    /** {@code CausalConv1d.causal_padding = int((k*d - d) / 2) * 2 + (k + 1) % 2} (convolution.py:172). */
    static int causalPadding(int kernel, int dilation) {
        int p = (kernel * dilation - dilation) / 2 * 2 + (kernel + 1) % 2;
        if (p != dilation * (kernel - 1)) {
            throw new IllegalArgumentException("CausalConv1d with kernel " + kernel + " dilation " + dilation
                    + " does not keep the length (the official module asserts the same)");
        }
        return p;
    }

    int channels() { return channels; }

    /**
     * {@code out = ResBlock(x)} for {@code x} {@code [channels, t]} (x unchanged). {@code a} and {@code b} are
     * scratch buffers of at least {@code channels * t} floats.
     */
    void forward(float[] x, float[] out, int t, float[] a, float[] b, Kernels k) {
        int n = channels * t;
        System.arraycopy(x, 0, out, 0, n);
        for (int j = 0; j < convs1Weight.length; j++) {
            System.arraycopy(out, 0, a, 0, n);
            k.snake(a, channels, t, activations1Alpha[j]);
            k.conv1d(b, a, channels, t, convs1Weight[j], convs1Bias[j], spec1[j]);
            k.snake(b, channels, t, activations2Alpha[j]);
            k.conv1d(a, b, channels, t, convs2Weight[j], convs2Bias[j], spec2[j]);
            k.add(out, a, out, n);                                   // x = xt + x
        }
    }
}
