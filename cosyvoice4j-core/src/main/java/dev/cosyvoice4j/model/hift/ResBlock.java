package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.List;

/**
 * Port of {@code ResBlock(channels, kernel_size, dilations, causal=True)} ({@code cosyvoice/hifigan/generator.py:46-117}
 * @ ace7c47): for each dilation d_j, {@code x = x + convs2_j(Snake2_j(convs1_j(Snake1_j(x))))} where convs1_j is a
 * left-causal conv with dilation d_j and convs2_j a left-causal conv with dilation 1 ({@link WeightNormConv}).
 * Snake: {@code x + 1/(alpha + 1e-9) * sin(alpha x)^2}. Golden: {@code hift/decode}.
 */
final class ResBlock {
    private final int channels;
    private final WeightNormConv[] convs1, convs2;
    private final Tensor[] activations1Alpha, activations2Alpha;

    private ResBlock(int channels, WeightNormConv[] convs1, WeightNormConv[] convs2, Tensor[] a1, Tensor[] a2) {
        this.channels = channels;
        this.convs1 = convs1;
        this.convs2 = convs2;
        this.activations1Alpha = a1;
        this.activations2Alpha = a2;
    }

    static ResBlock load(HiftWeights w, String prefix, int channels, int kernel, List<Integer> dilations) {
        return load(w, prefix, channels, kernel, dilations, true);
    }

    /**
     * {@code causal=false} (CosyVoice2's {@code HiFTGenerator}): symmetric {@code Conv1d} padding
     * {@code get_padding(k, d) = (k d - d) / 2} for convs1 and {@code (k - 1) / 2} for convs2 (generator.py:58-82).
     */
    static ResBlock load(HiftWeights w, String prefix, int channels, int kernel, List<Integer> dilations, boolean causal) {
        int n = dilations.size();
        WeightNormConv[] c1 = new WeightNormConv[n], c2 = new WeightNormConv[n];
        Tensor[] a1 = new Tensor[n], a2 = new Tensor[n];
        for (int j = 0; j < n; j++) {
            int d = dilations.get(j);
            c1[j] = w.weightNormConv(prefix + "convs1." + j, causal ? leftCausal(kernel, d) : symmetric(kernel, d),
                    channels, channels, kernel);
            c2[j] = w.weightNormConv(prefix + "convs2." + j, causal ? leftCausal(kernel, 1) : symmetric(kernel, 1),
                    channels, channels, kernel);
            a1[j] = w.take(prefix + "activations1." + j + ".alpha", channels);
            a2[j] = w.take(prefix + "activations2." + j + ".alpha", channels);
        }
        if (w.has(prefix + "convs1." + n + ".bias")) {
            throw new ModelFormatException(w.store().file(), w.key(prefix) + " has more convs than the "
                    + n + " dilations of the config");
        }
        return new ResBlock(channels, c1, c2, a1, a2);
    }

    /** {@code Conv1d(padding=get_padding(k, d))}, {@code get_padding = (k * d - d) / 2}: keeps the length for odd k. */
    static ConvSpec symmetric(int kernel, int dilation) {
        int p = (kernel * dilation - dilation) / 2;
        return new ConvSpec(1, p, p, dilation, 1);
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

    /** Samples of left context (receptive field) of the block's output: the causal paddings of all its convs. */
    int leftContext() {
        int c = 0;
        for (int j = 0; j < convs1.length; j++) c += convs1[j].spec().padLeft() + convs2[j].spec().padLeft();
        return c;
    }

    /** Relative cost (MACs per sample): kernel taps of all convs. */
    int cost() { return convs1.length * (convs1[0].kernelSize() + convs2[0].kernelSize()); }

    /**
     * {@code out = ResBlock(x)} for {@code x [channels, t]} (x unchanged); {@code a}, {@code b} are scratch of the
     * same shape.
     */
    void forward(Backend backend, Buf x, Buf out, Buf a, Buf b) {
        backend.copy(out, x);
        for (int j = 0; j < convs1.length; j++) {
            backend.copy(a, out);
            backend.snake(a, activations1Alpha[j]);                              // activations1[j]
            convs1[j].forward(backend, b, a);                                    // convs1[j] (dilation d_j)
            backend.snake(b, activations2Alpha[j]);                              // activations2[j]
            convs2[j].forward(backend, a, b);                                    // convs2[j]
            backend.add(out, a, out);                                            // x = xt + x
        }
    }
}
