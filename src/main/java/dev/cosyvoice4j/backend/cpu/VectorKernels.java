package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.MemorySegment;

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
    /** At or above this many rows linear() packs and runs the GEMM; below, it streams W once (dot products). Measured
     *  crossover at K 896, N 4864: 16 rows equal, 24 rows GEMM 1.3x faster (packing W costs ~0.3 ns per weight). */
    static final int GEMM_MIN_ROWS = 20;

    private final KernelPool pool;
    private final ScalarKernels scalar = new ScalarKernels();

    public VectorKernels(CpuOptions options) {
        this.pool = new KernelPool(options);
    }

    /** One thread per available processor. */
    public VectorKernels() { this(CpuOptions.defaults()); }

    @Override
    public int threads() { return pool.threads(); }

    /** Tasks on the pool; a kernel called inside a task finds the pool taken and runs on the task's thread alone. */
    @Override
    public void parallelTasks(int n, java.util.function.IntConsumer task) {
        pool.parallelFor(n, task::accept);
    }

    @Override
    public int taskThreads() { return pool.threads(); }

    /** The pool, for callers that run their own parallel loops between kernels. */
    public KernelPool pool() { return pool; }

    @Override
    public void close() { pool.close(); }

    /**
     * Runs every kernel on small shapes so that HotSpot's C2 compiles them (bounded to ~2 s). Until then Vector API
     * code runs interpreted or C1-compiled, 10-1000x slower (a decode attention measured 59 ms instead of 55 us),
     * so an engine should call this once at startup rather than let the first request pay for it.
     */
    public void warmUp() { warmUp(java.time.Duration.ofSeconds(2)); }

    /** {@link #warmUp()} bounded by {@code budget} (at most 3000 rounds). */
    public void warmUp(java.time.Duration budget) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        float[] w = new float[96 * 128], x = new float[40 * 128], out = new float[40 * 128], big = new float[4096];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() - 0.5);
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() - 0.5);
        Tensor wt = Tensor.of(w, 96, 128), norm = Tensor.of(java.util.Arrays.copyOf(w, 128), 128);
        Tensor q8 = QuantizedWeights.quantize(wt, DType.Q8_0), q4 = QuantizedWeights.quantize(wt, DType.Q4_0);
        Tensor conv = Tensor.of(java.util.Arrays.copyOf(w, 16 * 16 * 3), 16, 16, 3), convT = Tensor.of(java.util.Arrays.copyOf(w, 16 * 8 * 4), 16, 8, 4);
        float[] inv = new float[32];
        java.util.Arrays.fill(inv, 0.01f);
        long deadline = System.nanoTime() + budget.toNanos();
        for (int it = 0; it < 3000 && System.nanoTime() < deadline; it++) {
            linear(out, x, 1, wt, null);
            linear(out, x, 2, wt, norm.slice(0, 96));
            linear(out, x, 1, q8, null);
            linear(out, x, 1, q4, null);
            if (it % 4 == 0) {
                linear(out, x, 40, wt, null);
                linear(out, x, 24, q8, null);
                matmul(out, 0, x, 0, w, 0, 24, 40, 64, it % 8 == 0);
                attention(out, x, w, w, 20, 30, 4, 2, 64, 0.125f, AttentionMask.causal(10));
                conv1d(out, x, 16, 100, conv, null, ConvSpec.of(1, 1, 1, 1, 1));
                convTranspose1d(out, x, 16, 50, convT, null, 2, 1);
            }
            attention(out, x, w, w, 1, 60, 14, 2, 64, 0.125f, AttentionMask.causal(59));
            rmsNorm(out, x, 2, 128, norm, 1e-6f);
            layerNorm(out, x, 2, 128, norm, norm, 1e-5f);
            softmaxRows(big, 0, 4, 1000);
            ropeNeox(out, 2, 2, 64, it, inv);
            ropeInterleaved(out, 2, 128, 64, inv);
            System.arraycopy(x, 0, big, 0, big.length);
            siluMul(big, big, x, 2000);
            silu(big, 0, 1000);
            geluTanh(big, 0, 1000);
            mish(big, 0, 1000);
            leakyRelu(big, 0, 1000, 0.1f);
            snake(big, 4, 1000, norm);
            add(big, big, x, 1000);
        }
    }

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
            Gemm.gemm(pool, out, 0, new Gemm.ArrayA(x, 0), rows, n, k, new Gemm.SegmentNK(w.data(), n, k), floats(bias));
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
        Gemm.gemm(pool, c, cOff, new Gemm.ArrayA(a, aOff), m, n, k, src, null);
    }

    // ---- normalisation --------------------------------------------------------------------------------------

    @Override
    public void rmsNorm(float[] out, float[] x, int rows, int dim, Tensor weight, float eps) {
        MemorySegment w = f32(weight);
        rows(rows, dim, r -> Elementwise.rmsNormRow(out, x, r * dim, dim, w, eps));
    }

    @Override
    public void layerNorm(float[] out, float[] x, int rows, int dim, Tensor weight, Tensor bias, float eps) {
        MemorySegment w = f32(weight), b = f32(bias);
        rows(rows, dim, r -> Elementwise.layerNormRow(out, x, r * dim, dim, w, b, eps));
    }

    @Override
    public void softmaxRows(float[] x, int off, int rows, int cols) {
        rows(rows, cols, r -> Elementwise.softmaxRow(x, off + r * cols, cols));
    }

    /** Runs a per-row body, in parallel (chunks of rows) when there is enough work. */
    private void rows(int rows, int cols, KernelPool.Body row) {
        if ((long) rows * cols < Elementwise.PARALLEL_MIN || rows < 2 || pool.threads() == 1) {
            for (int r = 0; r < rows; r++) row.run(r);
            return;
        }
        int chunks = Math.min(rows, 4 * pool.threads()), per = (rows + chunks - 1) / chunks;
        pool.parallelFor((rows + per - 1) / per, c -> {
            for (int r = c * per; r < Math.min(rows, (c + 1) * per); r++) row.run(r);
        });
    }

    // ---- attention ------------------------------------------------------------------------------------------

    @Override
    public void attention(float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads, int kvHeads,
                          int headDim, float scale, AttentionMask mask) {
        Attention.attention(pool, out, q, k, v, tq, tk, heads, kvHeads, headDim, scale, mask);
    }

    // ---- positional ----------------------------------------------------------------------------------------

    @Override
    public void ropeNeox(float[] x, int rows, int heads, int headDim, int startPos, float[] invFreq) {
        int half = headDim / 2;
        float[] cos = new float[half], sin = new float[half];
        for (int r = 0; r < rows; r++) {
            Rope.cosSin(startPos + r, invFreq, half, cos, sin);
            for (int h = 0; h < heads; h++) Rope.rotateHalf(x, (r * heads + h) * headDim, half, cos, sin);
        }
    }

    @Override
    public void ropeInterleaved(float[] x, int rows, int rowStride, int rotDim, float[] invFreq) {
        int half = rotDim / 2;
        float[] cos = new float[half], sin = new float[half];
        for (int r = 0; r < rows; r++) {
            Rope.cosSin(r, invFreq, half, cos, sin);
            int o = r * rowStride;
            for (int i = 0; i < half; i++, o += 2) {
                float x1 = x[o], x2 = x[o + 1];
                x[o] = x1 * cos[i] - x2 * sin[i];
                x[o + 1] = x2 * cos[i] + x1 * sin[i];
            }
        }
    }

    // ---- convolutions ---------------------------------------------------------------------------------------

    @Override
    public void conv1dF64(double[] out, double[] xp, int cin, int tp, Tensor v, double[] scale, double[] bias, int cout, int k) {
        ScalarKernels.checkConv1dF64(out, xp, cin, tp, v, scale, bias, cout, k);
        ConvF64.conv(pool, out, xp, cin, tp, v, scale, bias, cout, k);
    }

    @Override
    public void conv1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, ConvSpec spec) {
        if (w.dtype() != DType.F32 || w.rank() != 3) {
            scalar.conv1d(out, x, cin, t, w, bias, spec);
            return;
        }
        Conv.conv1d(pool, out, x, cin, t, w, floats(bias), spec);
    }

    @Override
    public void convTranspose1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, int stride, int padding) {
        if (w.dtype() != DType.F32 || w.rank() != 3) {
            scalar.convTranspose1d(out, x, cin, t, w, bias, stride, padding);
            return;
        }
        Conv.convTranspose1d(pool, out, x, cin, t, w, floats(bias), stride, padding);
    }

    // ---- element-wise ---------------------------------------------------------------------------------------

    @Override
    public void siluMul(float[] out, float[] gate, float[] up, int n) {
        Elementwise.split(pool, 0, n, (a, b) -> Elementwise.siluMul(out, gate, up, a, b));
    }

    @Override
    public void silu(float[] x, int off, int n) {
        Elementwise.split(pool, off, n, (a, b) -> Elementwise.silu(x, a, b));
    }

    @Override
    public void geluTanh(float[] x, int off, int n) {
        Elementwise.split(pool, off, n, (a, b) -> Elementwise.geluTanh(x, a, b));
    }

    @Override
    public void mish(float[] x, int off, int n) {
        Elementwise.split(pool, off, n, (a, b) -> Elementwise.mish(x, a, b));
    }

    @Override
    public void leakyRelu(float[] x, int off, int n, float slope) {
        Elementwise.split(pool, off, n, (a, b) -> Elementwise.leakyRelu(x, a, b, slope));
    }

    @Override
    public void snake(float[] x, int channels, int t, Tensor alpha) {
        float[] al = floats(alpha);
        if (al.length < channels) throw new IllegalArgumentException("snake: alpha " + alpha + " for " + channels + " channels");
        rows(channels, t, c -> Elementwise.snake(x, c * t, (c + 1) * t, al[c], 1f / (al[c] + 1e-9f)));
    }

    @Override
    public void add(float[] out, float[] a, float[] b, int n) {
        Elementwise.split(pool, 0, n, (from, to) -> Elementwise.add(out, a, b, from, to));
    }

    /** The float32 data of a small tensor, in place when it is F32 (else converted), or null. */
    static MemorySegment f32(Tensor t) {
        if (t == null) return null;
        return t.dtype() == DType.F32 ? t.data() : Tensor.of(t.toFloatArray(), t.numel()).data();
    }

    /** A float32 copy of a small tensor (bias, norm weight), or null. */
    static float[] floats(Tensor t) {
        return t == null ? null : t.toFloatArray();
    }
}
