package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A {@link Kernels} decorator that sends the large {@code linear} products (at least {@link #minRows()} rows:
 * the flow DiT, rows = 2 x frames) to oneDNN, in bf16 also the DiT's attention products ({@link OneDnnAttention}:
 * one query head per KV head, at least {@link #minRows()} queries), and everything else (decode mat-vecs, the
 * LLM's grouped-query attention, convolutions...) to the pure-Java kernels it wraps.
 *
 * <p>Enable with {@link #wrap(Kernels, String, Consumer)} from a flag: {@code java} (default, no oneDNN),
 * {@code onednn-bf16} or {@code onednn-f32}. When the library is absent the flag degrades to the given kernels
 * with the message {@link OneDnn#ABSENT}.
 */
public final class OneDnnKernels implements Kernels {
    /**
     * Rows below which the pure-Java kernel is used (per-call overhead: activation conversion, output copy,
     * primitive lookup; decode mat-vecs have 1-2 rows).
     */
    public static final int DEFAULT_MIN_ROWS = 16;

    private final Kernels delegate;
    private final OneDnnMatmul matmul;
    /** bf16 only: an f32 oneDNN attention would not beat the Java kernel's f32 products. */
    private final OneDnnAttention attention;
    private final int minRows;
    private final AtomicBoolean warned = new AtomicBoolean();
    /** Set while this thread runs a task of {@link #parallelTasks} (its products then use one core's share). */
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> Boolean.FALSE);

    public OneDnnKernels(Kernels delegate, OneDnnMatmul matmul, int minRows) {
        if (minRows < 1) throw new IllegalArgumentException("minRows must be >= 1, got " + minRows);
        this.delegate = delegate;
        this.matmul = matmul;
        this.minRows = minRows;
        this.attention = matmul != null && matmul.precision() == Precision.BF16 ? new OneDnnAttention(matmul.library()) : null;
    }

    /**
     * The kernels selected by a flag value: {@code java}/{@code off}/{@code none} (returns {@code delegate}),
     * {@code onednn-bf16}/{@code bf16}, {@code onednn-f32}/{@code f32}. If oneDNN is requested but absent,
     * {@code log} receives {@link OneDnn#ABSENT} (with what was tried) and {@code delegate} is returned;
     * otherwise {@code log} receives which library is used.
     *
     * @throws IllegalArgumentException for an unknown flag value
     */
    public static Kernels wrap(Kernels delegate, String mode, Consumer<String> log) {
        return parseMode(mode).isEmpty() ? delegate : wrap(delegate, mode, OneDnn.loadDefault(), log);
    }

    /** {@link #wrap(Kernels, String, Consumer)} with an explicit load result (tests, custom library paths). */
    public static Kernels wrap(Kernels delegate, String mode, OneDnn.LoadResult r, Consumer<String> log) {
        return wrap(delegate, mode, r, log, w -> { });
    }

    /**
     * {@link #wrap(Kernels, String, OneDnn.LoadResult, Consumer)} telling {@code afterPacking} of each weight once
     * oneDNN holds its converted copy (see {@link OneDnnMatmul}).
     */
    public static Kernels wrap(Kernels delegate, String mode, OneDnn.LoadResult r, Consumer<String> log,
                               Consumer<Tensor> afterPacking) {
        Optional<Precision> p = parseMode(mode);
        if (p.isEmpty()) return delegate;
        if (r.library().isEmpty()) {
            log.accept(r.message());
            return delegate;
        }
        log.accept(r.message() + ": " + p.get().name().toLowerCase(Locale.ROOT) + " linear for >= "
                + DEFAULT_MIN_ROWS + " rows" + (p.get() == Precision.BF16 ? ", bf16 DiT attention" : ""));
        return new OneDnnKernels(delegate, new OneDnnMatmul(r.library().get(), p.get(), delegate.threads(),
                OneDnnMatmul.DEFAULT_ROW_BUCKET, afterPacking), DEFAULT_MIN_ROWS);
    }

    /** The precision a flag value asks for; empty for the pure-Java kernels. */
    public static Optional<Precision> parseMode(String mode) {
        String m = mode == null ? "java" : mode.strip().toLowerCase(Locale.ROOT);
        return switch (m) {
            case "", "java", "off", "none", "false" -> Optional.empty();
            case "onednn-bf16", "bf16", "onednn" -> Optional.of(Precision.BF16);
            case "onednn-f32", "f32" -> Optional.of(Precision.F32);
            default -> throw new IllegalArgumentException("unknown matmul backend '" + mode
                    + "' (expected java, onednn-bf16 or onednn-f32)");
        };
    }

    public Kernels delegate() { return delegate; }
    public OneDnnMatmul matmul() { return matmul; }
    public int minRows() { return minRows; }

    @Override
    public int threads() { return delegate.threads(); }

    /**
     * Forwarded: the DiT's CFG rows then run side by side, each issuing its own oneDNN products (OneDnnMatmul is
     * thread-safe). Measured at full size: 0.56-0.86 s per DiT call vs 0.86-0.97 s with the rows batched.
     */
    @Override
    public void parallelTasks(int n, java.util.function.IntConsumer task) {
        delegate.parallelTasks(n, i -> {
            boolean outer = inTask.get();
            inTask.set(Boolean.TRUE);
            try {
                task.accept(i);
            } finally {
                inTask.set(outer);
            }
        });
    }

    /**
     * OpenMP team size of a product on this thread: all threads outside tasks; inside a task the threads divided by
     * the tasks running at once (1 on two cores with two CFG rows), so that the tasks' teams do not put 4 threads on 2
     * cores. Measured alternating in one process: bf16 DiT call 0.527 vs 0.536 s (1.5%, within this VM's noise).
     */
    int teamSize() {
        int all = matmul.threads();
        return inTask.get() ? Math.max(1, all / Math.max(1, delegate.taskThreads())) : all;
    }

    @Override
    public int taskThreads() { return delegate.taskThreads(); }

    @Override
    public void linear(float[] out, float[] x, int rows, Tensor w, Tensor bias) {
        if (rows >= minRows && OneDnnMatmul.supports(w, bias)) {
            try {
                matmul.linear(out, x, rows, w, bias, teamSize());
                return;
            } catch (OneDnn.OneDnnException e) {
                // e.g. a shape oneDNN does not implement: the Java kernel gives the same result, only slower.
                if (warned.compareAndSet(false, true)) {
                    System.err.println("oneDNN linear failed (" + e.getMessage() + "): using the Java kernel");
                }
            }
        }
        delegate.linear(out, x, rows, w, bias);
    }

    // ---- everything else: the wrapped kernels ---------------------------------------------------------------

    @Override
    public void matmul(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k, boolean transB) {
        delegate.matmul(c, cOff, a, aOff, b, bOff, m, n, k, transB);
    }

    @Override
    public void rmsNorm(float[] out, float[] x, int rows, int dim, Tensor weight, float eps) {
        delegate.rmsNorm(out, x, rows, dim, weight, eps);
    }

    @Override
    public void layerNorm(float[] out, float[] x, int rows, int dim, Tensor weight, Tensor bias, float eps) {
        delegate.layerNorm(out, x, rows, dim, weight, bias, eps);
    }

    @Override
    public void softmaxRows(float[] x, int off, int rows, int cols) {
        delegate.softmaxRows(x, off, rows, cols);
    }

    @Override
    public void attention(float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads, int kvHeads,
                          int headDim, float scale, AttentionMask mask) {
        if (attention != null && OneDnnAttention.supports(tq, tk, heads, kvHeads, headDim, scale, minRows)) {
            try {
                attention.attention(out, q, k, v, tq, tk, heads, headDim, scale, mask, teamSize());
                return;
            } catch (OneDnn.OneDnnException e) {
                if (warned.compareAndSet(false, true)) {
                    System.err.println("oneDNN attention failed (" + e.getMessage() + "): using the Java kernel");
                }
            }
        }
        delegate.attention(out, q, k, v, tq, tk, heads, kvHeads, headDim, scale, mask);
    }

    /** The oneDNN implementations of the attention products at this shape, or empty when the Java kernel runs. */
    public Optional<String> attentionImplementation(int tq, int tk, int heads, int kvHeads, int headDim) {
        if (attention == null || !OneDnnAttention.supports(tq, tk, heads, kvHeads, headDim, 1f, minRows)) {
            return Optional.empty();
        }
        return Optional.of(attention.implementation(tq, tk, heads, headDim, matmul.threads()));
    }

    @Override
    public void ropeNeox(float[] x, int rows, int heads, int headDim, int startPos, float[] invFreq) {
        delegate.ropeNeox(x, rows, heads, headDim, startPos, invFreq);
    }

    @Override
    public void ropeInterleaved(float[] x, int rows, int rowStride, int rotDim, float[] invFreq) {
        delegate.ropeInterleaved(x, rows, rowStride, rotDim, invFreq);
    }

    @Override
    public void conv1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, ConvSpec spec) {
        delegate.conv1d(out, x, cin, t, w, bias, spec);
    }

    @Override
    public void conv1dF64(double[] out, double[] xp, int cin, int tp, Tensor v, double[] scale, double[] bias, int cout, int k) {
        delegate.conv1dF64(out, xp, cin, tp, v, scale, bias, cout, k);
    }

    @Override
    public void convTranspose1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, int stride, int padding) {
        delegate.convTranspose1d(out, x, cin, t, w, bias, stride, padding);
    }

    @Override
    public void siluMul(float[] out, float[] gate, float[] up, int n) {
        delegate.siluMul(out, gate, up, n);
    }

    @Override
    public void silu(float[] x, int off, int n) {
        delegate.silu(x, off, n);
    }

    @Override
    public void geluTanh(float[] x, int off, int n) {
        delegate.geluTanh(x, off, n);
    }

    @Override
    public void mish(float[] x, int off, int n) {
        delegate.mish(x, off, n);
    }

    @Override
    public void leakyRelu(float[] x, int off, int n, float slope) {
        delegate.leakyRelu(x, off, n, slope);
    }

    @Override
    public void snake(float[] x, int channels, int t, Tensor alpha) {
        delegate.snake(x, channels, t, alpha);
    }

    @Override
    public void add(float[] out, float[] a, float[] b, int n) {
        delegate.add(out, a, b, n);
    }
}
