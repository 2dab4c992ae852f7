package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The fast CPU {@link Kernels}: Vector API (AVX-512 where available) kernels on a fixed pool of platform threads.
 * {@link ScalarKernels} is the specification; results agree with it within float32 rounding (summation order
 * differs), see the tests.
 *
 * <pre>{@code
 * try (VectorKernels k = new VectorKernels(new CpuOptions(2))) { ... }
 * }</pre>
 *
 * <p>Thread safety: every method may be called concurrently from several session threads. One parallel kernel
 * runs on the pool at a time; a call that finds the pool busy runs on its caller's thread alone
 * (see {@link KernelPool}). Weights may be F32 (any tensor) or {@link QuantizedWeights} Q8_0/Q4_0 for
 * {@link #linear}; other dtypes fall back to {@link ScalarKernels}.
 */
public final class VectorKernels implements Kernels, AutoCloseable {
    /** At or above this many rows linear() packs and runs the GEMM; below, it streams W once (dot products). */
    static final int GEMM_MIN_ROWS = 16;

    private final KernelPool pool;
    private final ScalarKernels scalar = new ScalarKernels();

    public VectorKernels(CpuOptions options) {
        this.pool = new KernelPool(options);
    }

    /** One thread per available processor. */
    public VectorKernels() { this(CpuOptions.defaults()); }

    @Override
    public int threads() { return pool.threads(); }

    /** The pool, for callers that run their own parallel loops between kernels. */
    public KernelPool pool() { return pool; }

    @Override
    public void close() { pool.close(); }

    // ---- matrix products ------------------------------------------------------------------------------------

    @Override
    public void linear(float[] out, float[] x, int rows, Tensor w, Tensor bias) {
        if (w.rank() != 2) throw new IllegalArgumentException("linear: weight must be [N, K], got " + w);
        int n = w.dim(0), k = w.dim(1);
        if (bias != null && bias.numel() != n) throw new IllegalArgumentException("linear: bias " + bias + " for weight " + w);
        if ((long) rows * k > x.length || (long) rows * n > out.length) {
            throw new IllegalArgumentException("linear: " + rows + " rows of " + w + " do not fit x[" + x.length + "] / out[" + out.length + "]");
        }
        if (rows <= 0) return;
        if (w.dtype() == DType.Q8_0 || w.dtype() == DType.Q4_0) {
            QuantizedWeights.linear(pool, out, x, rows, w, floats(bias));
            return;
        }
        if (w.dtype() != DType.F32) {
            scalar.linear(out, x, rows, w, bias);
            return;
        }
        if (rows < GEMM_MIN_ROWS) {
            MatVec.linear(pool, out, x, rows, w.data(), n, k, floats(bias));
        } else {
            Gemm.gemm(pool, out, 0, x, 0, rows, n, k, new Gemm.SegmentNK(w.data(), n, k), floats(bias));
        }
    }

    @Override
    public void matmul(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k, boolean transB) {
        if (m <= 0 || n <= 0) return;
        if (k == 0) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
            return;
        }
        Gemm.BSource src = transB ? new Gemm.ArrayNK(b, bOff, n, k) : new Gemm.ArrayKN(b, bOff, n, k);
        Gemm.gemm(pool, c, cOff, a, aOff, m, n, k, src, null);
    }

    // ---- normalisation --------------------------------------------------------------------------------------

    @Override
    public void rmsNorm(float[] out, float[] x, int rows, int dim, Tensor weight, float eps) {
        scalar.rmsNorm(out, x, rows, dim, weight, eps);
    }

    @Override
    public void layerNorm(float[] out, float[] x, int rows, int dim, Tensor weight, Tensor bias, float eps) {
        scalar.layerNorm(out, x, rows, dim, weight, bias, eps);
    }

    @Override
    public void softmaxRows(float[] x, int off, int rows, int cols) {
        scalar.softmaxRows(x, off, rows, cols);
    }

    @Override
    public void attention(float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads, int kvHeads,
                          int headDim, float scale, AttentionMask mask) {
        scalar.attention(out, q, k, v, tq, tk, heads, kvHeads, headDim, scale, mask);
    }

    @Override
    public void ropeNeox(float[] x, int rows, int heads, int headDim, int startPos, float[] invFreq) {
        scalar.ropeNeox(x, rows, heads, headDim, startPos, invFreq);
    }

    @Override
    public void ropeInterleaved(float[] x, int rows, int rowStride, int rotDim, float[] invFreq) {
        scalar.ropeInterleaved(x, rows, rowStride, rotDim, invFreq);
    }

    @Override
    public void conv1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, ConvSpec spec) {
        scalar.conv1d(out, x, cin, t, w, bias, spec);
    }

    @Override
    public void convTranspose1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, int stride, int padding) {
        scalar.convTranspose1d(out, x, cin, t, w, bias, stride, padding);
    }

    @Override
    public void siluMul(float[] out, float[] gate, float[] up, int n) { scalar.siluMul(out, gate, up, n); }

    @Override
    public void silu(float[] x, int off, int n) { scalar.silu(x, off, n); }

    @Override
    public void geluTanh(float[] x, int off, int n) { scalar.geluTanh(x, off, n); }

    @Override
    public void mish(float[] x, int off, int n) { scalar.mish(x, off, n); }

    @Override
    public void leakyRelu(float[] x, int off, int n, float slope) { scalar.leakyRelu(x, off, n, slope); }

    @Override
    public void snake(float[] x, int channels, int t, Tensor alpha) { scalar.snake(x, channels, t, alpha); }

    @Override
    public void add(float[] out, float[] a, float[] b, int n) { scalar.add(out, a, b, n); }

    /** A float32 copy of a small tensor (bias, norm weight), or null. */
    static float[] floats(Tensor t) {
        return t == null ? null : t.toFloatArray();
    }
}
