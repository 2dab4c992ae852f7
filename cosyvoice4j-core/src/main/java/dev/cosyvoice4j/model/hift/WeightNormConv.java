package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * A {@code Conv1d} under {@code weight_norm} computed as {@code scale[o] * conv(x, v)[o] + bias[o]} with v the file's
 * direction tensor (memory-mapped, never copied) and {@code scale = g / ||v||} ({@link HiftWeights}). Equal to the
 * conv with the folded weight {@code v * scale} up to float32 rounding (one rounding of the scale moves from each
 * weight to each output); golden cases {@code hift/decode} and {@code hift/inference} check it.
 *
 * @param scale {@code [cout]} float32
 * @param bias  {@code [cout]} float32
 */
record WeightNormConv(Tensor v, Tensor scale, Tensor bias, ConvSpec spec) {
    int outChannels() { return v.dim(0); }

    int kernelSize() { return v.dim(2); }

    /** Output frames for {@code t} input frames. */
    int outLength(int t) { return spec.outLength(t, kernelSize()); }

    /** The same weights with another geometry (conv_pre pads on the right only when finalizing). */
    WeightNormConv withSpec(ConvSpec other) { return new WeightNormConv(v, scale, bias, other); }

    /** {@code out [cout, spec.outLength(t, k)] = conv(x [cin, t])}. */
    void forward(Backend backend, Buf out, Buf x) {
        backend.conv1d(out, x, v, null, spec);
        backend.affineRows(out, scale, bias);
    }
}
