package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.Tensor;

/** Delegating {@link Kernels} that sums the wall time of the ops the vocoder uses (bench only, not thread-safe). */
final class ProfilingKernels implements Kernels {
    private final Kernels k;
    long convNanos, snakeNanos, otherNanos;
    long convMacs;

    ProfilingKernels(Kernels k) { this.k = k; }

    void reset() { convNanos = snakeNanos = otherNanos = convMacs = 0; }

    String summary() {
        return String.format("conv1d %.3f s (%.1f GMAC, %.2f GMAC/s), snake %.3f s, leakyRelu+add %.3f s",
                convNanos / 1e9, convMacs / 1e9, convMacs / (double) Math.max(1, convNanos), snakeNanos / 1e9, otherNanos / 1e9);
    }

    @Override public int threads() { return k.threads(); }

    @Override public void linear(float[] out, float[] x, int rows, Tensor w, Tensor bias) { k.linear(out, x, rows, w, bias); }

    @Override
    public void matmul(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int kk, boolean transB) {
        k.matmul(c, cOff, a, aOff, b, bOff, m, n, kk, transB);
    }

    @Override public void rmsNorm(float[] out, float[] x, int rows, int dim, Tensor weight, float eps) { k.rmsNorm(out, x, rows, dim, weight, eps); }

    @Override
    public void layerNorm(float[] out, float[] x, int rows, int dim, Tensor weight, Tensor bias, float eps) {
        k.layerNorm(out, x, rows, dim, weight, bias, eps);
    }

    @Override public void softmaxRows(float[] x, int off, int rows, int cols) { k.softmaxRows(x, off, rows, cols); }

    @Override
    public void attention(float[] out, float[] q, float[] kk, float[] v, int tq, int tk, int heads, int kvHeads,
                          int headDim, float scale, AttentionMask mask) {
        k.attention(out, q, kk, v, tq, tk, heads, kvHeads, headDim, scale, mask);
    }

    @Override public void ropeNeox(float[] x, int rows, int heads, int headDim, int startPos, float[] invFreq) { k.ropeNeox(x, rows, heads, headDim, startPos, invFreq); }

    @Override public void ropeInterleaved(float[] x, int rows, int rowStride, int rotDim, float[] invFreq) { k.ropeInterleaved(x, rows, rowStride, rotDim, invFreq); }

    @Override
    public void conv1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, ConvSpec spec) {
        long a = System.nanoTime();
        k.conv1d(out, x, cin, t, w, bias, spec);
        convNanos += System.nanoTime() - a;
        convMacs += (long) w.dim(0) * w.dim(1) * w.dim(2) * spec.outLength(t, w.dim(2));
    }

    @Override
    public void convTranspose1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, int stride, int padding) {
        k.convTranspose1d(out, x, cin, t, w, bias, stride, padding);
    }

    @Override public void siluMul(float[] out, float[] gate, float[] up, int n) { k.siluMul(out, gate, up, n); }

    @Override public void silu(float[] x, int off, int n) { k.silu(x, off, n); }

    @Override public void geluTanh(float[] x, int off, int n) { k.geluTanh(x, off, n); }

    @Override public void mish(float[] x, int off, int n) { k.mish(x, off, n); }

    @Override
    public void leakyRelu(float[] x, int off, int n, float slope) {
        long a = System.nanoTime();
        k.leakyRelu(x, off, n, slope);
        otherNanos += System.nanoTime() - a;
    }

    @Override
    public void snake(float[] x, int channels, int t, Tensor alpha) {
        long a = System.nanoTime();
        k.snake(x, channels, t, alpha);
        snakeNanos += System.nanoTime() - a;
    }

    @Override
    public void add(float[] out, float[] a, float[] b, int n) {
        long s = System.nanoTime();
        k.add(out, a, b, n);
        otherNanos += System.nanoTime() - s;
    }
}
