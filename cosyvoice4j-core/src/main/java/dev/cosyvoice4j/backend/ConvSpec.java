package dev.cosyvoice4j.backend;

/** Geometry of a 1-d convolution: zero padding on each side, stride, dilation and groups. */
public record ConvSpec(int stride, int padLeft, int padRight, int dilation, int groups) {
    public ConvSpec {
        if (stride < 1 || dilation < 1 || groups < 1 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("bad conv spec " + this);
        }
    }

    /** PyTorch's {@code Conv1d(padding=p)}: symmetric padding, stride 1. */
    public static ConvSpec same(int pad) { return new ConvSpec(1, pad, pad, 1, 1); }

    public static ConvSpec of(int stride, int padLeft, int padRight, int dilation, int groups) {
        return new ConvSpec(stride, padLeft, padRight, dilation, groups);
    }

    /** Output length for input length {@code t} and kernel size {@code k}. */
    public int outLength(int t, int k) {
        return (t + padLeft + padRight - dilation * (k - 1) - 1) / stride + 1;
    }
}
