package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * A {@code Conv1d} under {@code weight_norm} computed as {@code scale[o] * conv(x, v)[o] + bias[o]} with v the file's
 * direction tensor (memory-mapped, never copied) and {@code scale = g / ||v||} ({@link HiftWeights}). Equal to the
 * conv with the folded weight {@code v * scale} up to float32 rounding (one rounding of the scale moves from each
 * weight to each output); golden cases {@code hift/decode} and {@code hift/inference} check it.
 */
record WeightNormConv(Tensor v, float[] scale, float[] bias, ConvSpec spec) {
    int outChannels() { return v.dim(0); }

    int kernelSize() { return v.dim(2); }

    /** The same weights with another geometry (conv_pre pads on the right only when finalizing). */
    WeightNormConv withSpec(ConvSpec other) { return new WeightNormConv(v, scale, bias, other); }

    /** {@code out [cout, spec.outLength(t, k)] = conv(x [cin, t])}. */
    void forward(Kernels k, float[] out, float[] x, int cin, int t) {
        k.conv1d(out, x, cin, t, v, null, spec);
        int tOut = spec.outLength(t, kernelSize());
        for (int o = 0; o < scale.length; o++) {
            float s = scale[o], b = bias[o];
            for (int i = o * tOut, end = i + tOut; i < end; i++) out[i] = out[i] * s + b;
        }
    }
}
