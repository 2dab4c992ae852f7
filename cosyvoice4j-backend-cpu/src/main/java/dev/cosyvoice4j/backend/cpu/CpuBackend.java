package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.NsfSpec;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.backend.host.HostOps;
import dev.cosyvoice4j.backend.onednn.OneDnn;
import dev.cosyvoice4j.backend.onednn.OneDnnAttention;
import dev.cosyvoice4j.backend.onednn.OneDnnMatmul;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The {@code cpu} {@link Backend}: the Vector API kernels of this package (AVX-512 where the CPU has it) on a fixed
 * {@link KernelPool} of platform threads, activations in Java heap arrays ({@link HostBuf}), and oneDNN for the bf16
 * products. {@code scalar} is the specification: matrix products, norms and attention agree with it within float32
 * rounding (summation order differs); element-wise operations and copies are bit-identical to it.
 *
 * <p>Views ({@link HostBuf#offset}: a CFG batch row, a KV-cache prefix, the last hidden row) go to the kernels as
 * base offsets into the shared array: no activation is copied on any path.
 *
 * <p>Weights: {@link #prepare} quantises LINEAR matrices to Q8_0/Q4_0 ({@link QuantizedWeights}, read by the
 * mat-vec / dequantising GEMM), or marks them for oneDNN's bf16 matmul ({@link OneDnnMatmul#prepare}: converted and
 * packed on the first product with at least {@link #ONEDNN_MIN_ROWS} rows; fewer rows run the Java kernel on the
 * float32 values). oneDNN is loaded at the first bf16 request (~0.4 s), from {@link BackendOptions#oneDnnLibrary()}
 * or the system or the bundled natives; without it {@code supports(BF16)} is false.
 *
 * <p>Thread safety: every method may be called concurrently by several sessions. One parallel kernel runs on the
 * pool at a time; a call that finds the pool busy runs on its caller's thread alone ({@link KernelPool}).
 */
public final class CpuBackend implements Backend {
    /** At or above this many rows linear() packs and runs the GEMM; below, it streams W once (dot products). Measured
     *  crossover at K 896, N 4864: 16 rows equal, 24 rows GEMM 1.3x faster (packing W costs ~0.3 ns per weight). */
    static final int GEMM_MIN_ROWS = 20;
    /**
     * Rows below which a bf16-prepared weight's product runs the Java kernel on its float32 values (oneDNN's per-call
     * overhead: activation conversion, output copy, primitive lookup; decode mat-vecs have 1-2 rows).
     */
    public static final int ONEDNN_MIN_ROWS = 16;

    private final BackendOptions options;
    private final KernelPool pool;
    /** oneDNN, once asked for (null until then). */
    private volatile Dnn dnn;
    private final Object dnnLock = new Object();
    private final AtomicBoolean warned = new AtomicBoolean();
    /** Grouped conv weights as their kernel reads them, one copy per weight (the DiT's position convs: 2 x 9 MB). */
    private final GroupedConv.Weights groupedConvWeights = new GroupedConv.Weights();
    /**
     * OpenMP team size of oneDNN products on this thread while it runs a {@link #parts} / {@link #rowRanges} task (0
     * outside): the pool's
     * threads divided by the tasks running at once, so that concurrent tasks' teams do not put 4 threads on 2 cores.
     * Measured (as OneDnnKernels): bf16 DiT call 0.527 vs 0.536 s, within noise, and no oversubscription.
     */
    private final ThreadLocal<int[]> team = ThreadLocal.withInitial(() -> new int[1]);

    /** oneDNN's load result and, when it loaded, the bf16 matmul and attention on this backend's threads. */
    private record Dnn(OneDnn.LoadResult result, OneDnnMatmul matmul, OneDnnAttention attention) {
        boolean available() { return matmul != null; }
    }

    public CpuBackend(BackendOptions options) {
        this.options = options;
        this.pool = new KernelPool(options.threads(), CpuOptions.DEFAULT_SPIN_MICROS);
    }

    // ---- identity -------------------------------------------------------------------------------------------

    @Override
    public String name() { return "cpu"; }

    @Override
    public String description() {
        Dnn d = dnn;
        String onednn;
        if (d == null) {
            onednn = "oneDNN for bf16 loaded on first use";
        } else if (d.available()) {
            OneDnn lib = d.matmul.library();
            boolean bundled = d.result.message().contains(" bundled");
            onednn = "oneDNN " + lib.version() + " (" + (bundled ? "bundled" : lib.source()) + ") for bf16";
        } else {
            onednn = "oneDNN not found (no bf16)";
        }
        int t = pool.threads();
        return "cpu: Vector API " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit, " + t
                + (t == 1 ? " thread, " : " threads, ") + onednn;
    }

    @Override
    public int threads() { return pool.threads(); }

    @Override
    public boolean supports(Precision precision) {
        return switch (precision) {
            case F32, Q8_0, Q4_0 -> true;
            case BF16 -> dnn().available();
        };
    }

    /** Loads oneDNN once (thread-safe); the result, available or not, is kept. */
    private Dnn dnn() {
        Dnn d = dnn;
        if (d != null) return d;
        synchronized (dnnLock) {
            if (dnn == null) {
                OneDnn.LoadResult r = OneDnn.loadDefault(options.oneDnnLibrary(), options.ompWaitPolicy());
                dnn = r.library().map(lib -> new Dnn(r, new OneDnnMatmul(lib,
                                dev.cosyvoice4j.backend.onednn.Precision.BF16, pool.threads(), OneDnnMatmul.DEFAULT_ROW_BUCKET),
                                new OneDnnAttention(lib)))
                        .orElseGet(() -> new Dnn(r, null, null));
            }
            return dnn;
        }
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    @Override
    public Buf alloc(int rows, int cols) { return HostBuf.f32(rows, cols); }

    @Override
    public Buf allocF64(int rows, int cols) { return HostBuf.f64(rows, cols); }

    @Override
    public Buf allocBf16(int rows, int cols) { return HostBuf.bf16(rows, cols); }

    @Override
    public void write(Buf dst, float[] src, int srcOff) { HostBuf.write(dst, src, srcOff); }

    @Override
    public void read(Buf src, float[] dst, int dstOff) { HostBuf.read(src, dst, dstOff); }

    @Override
    public void readF64(Buf src, double[] dst, int dstOff) { HostBuf.readF64(src, dst, dstOff); }

    // ---- weights ----------------------------------------------------------------------------------------------

    @Override
    public Tensor prepare(Tensor weight, WeightKind kind, Precision precision, Consumer<Tensor> release) {
        if (kind != WeightKind.LINEAR) return weight;
        return switch (precision) {
            case F32 -> weight;
            case Q8_0, Q4_0 -> {
                // float32 rows of whole 32-value blocks only; others stay as they are (as scalar, and as the engine did)
                if (!dev.cosyvoice4j.backend.host.GgmlQuant.quantizable(weight)) yield weight;
                Tensor q = QuantizedWeights.quantize(weight, precision == Precision.Q8_0 ? DType.Q8_0 : DType.Q4_0);
                if (release != null) release.accept(weight);
                yield q;
            }
            case BF16 -> {
                Dnn d = dnn();
                if (!d.available()) throw new IllegalArgumentException(d.result.message());
                if (weight.rank() == 2 && (weight.dtype() == DType.Q8_0 || weight.dtype() == DType.Q4_0)) {
                    if (!options.quantizedBf16Copies()) {
                        yield weight.withPrepared(QuantizedWeights.Bf16Products.INSTANCE);   // the blocks stay the only copy
                    }
                    // a packed bf16 copy besides the blocks (which decode steps keep reading), from their values
                    yield weight.withPrepared(d.matmul.prepareFromBf16(weight, dst -> QuantizedWeights.writeBf16(pool, weight, dst)));
                }
                if (!OneDnnMatmul.supports(weight, null)) yield weight;   // not a 2-d F32/BF16 matrix: the Java kernels
                yield weight.withPrepared(d.matmul.prepare(weight, release == null ? t -> { } : release));
            }
        };
    }

    // ---- scheduling -------------------------------------------------------------------------------------------

    /**
     * Parts grouped onto the pool's threads by cost (largest first onto the least-loaded thread), each group one pool
     * task: the kernels a part calls find the pool busy and run on that thread alone. Measured: two concurrent
     * 1-thread GEMMs 330-350 GFLOP/s vs 250-280 for one 2-thread GEMM at the DiT shapes (GemmScaling); the DiT's CFG
     * rows as tasks 0.56-0.86 s per call vs 0.86-0.97 s batched (bf16). One thread or one part: in order here.
     */
    @Override
    public void parts(int[] costs, IntConsumer part) {
        int n = costs.length, tasks = Math.min(pool.threads(), n);
        if (tasks <= 1) {
            for (int i = 0; i < n; i++) part.accept(i);
            return;
        }
        int[] taskOf = costGroups(costs, tasks);
        tasks(tasks, q -> {
            for (int i = 0; i < n; i++) if (taskOf[i] == q) part.accept(i);
        });
    }

    /**
     * With several threads, contiguous row ranges as {@link #parts} tasks (one row each when there are at most as
     * many rows as threads: the DiT's 2 CFG rows on 2 threads run as two 1-core forward passes); else one call.
     */
    @Override
    public void rowRanges(int n, Range body) {
        int tasks = Math.min(pool.threads(), n);
        if (tasks <= 1) {
            body.run(0, n);
            return;
        }
        tasks(tasks, q -> body.run((int) ((long) q * n / tasks), (int) ((long) (q + 1) * n / tasks)));
    }

    /** Runs {@code tasks} pool tasks, each with its oneDNN team set to its share of the threads ({@link #team}). */
    private void tasks(int tasks, IntConsumer task) {
        int share = pool.yieldsToForeground() ? 1 : Math.max(1, pool.threads() / tasks);
        pool.parallelFor(tasks, q -> {
            int[] t = team.get();
            int outer = t[0];
            t[0] = outer > 0 ? Math.min(outer, share) : share;
            try {
                task.accept(q);
            } finally {
                t[0] = outer;
            }
        });
    }

    /** Task of each part: largest first onto the least loaded task (kernel sizes 3, 7, 11 on 2 tasks: {11} and {7, 3}). */
    static int[] costGroups(int[] cost, int tasks) {
        Integer[] order = new Integer[cost.length];
        for (int j = 0; j < order.length; j++) order[j] = j;
        Arrays.sort(order, (p, q) -> Integer.compare(cost[q], cost[p]));
        long[] load = new long[tasks];
        int[] taskOf = new int[cost.length];
        for (int j : order) {
            int best = 0;
            for (int q = 1; q < tasks; q++) if (load[q] < load[best]) best = q;
            taskOf[j] = best;
            load[best] += cost[j];
        }
        return taskOf;
    }

    /** The OpenMP team size of a oneDNN product on this thread (see {@link #team}); one while yielding to a foreground section. */
    private int teamSize() {
        int t = team.get()[0];
        if (t <= 0 && pool.yieldsToForeground()) return 1;
        return t > 0 ? t : pool.threads();
    }

    @Override
    public Foreground foreground() { return pool.foreground(); }

    // ---- matrix products --------------------------------------------------------------------------------------

    @Override
    public void linear(Buf outBuf, Buf xBuf, Tensor w, Tensor bias) { linear(outBuf, xBuf, w, bias, false); }

    /** A oneDNN product applies the GELU to each output row as it copies it out (same values, one pass fewer). */
    @Override
    public void linearGeluTanh(Buf out, Buf x, Tensor w, Tensor bias) {
        if (!linear(out, x, w, bias, true)) geluTanh(out);
    }

    /** Returns whether {@code geluTanh} was applied too (asked for, on a oneDNN product). */
    private boolean linear(Buf outBuf, Buf xBuf, Tensor w, Tensor bias, boolean geluTanh) {
        HostBuf out = HostBuf.f32(outBuf), x = HostBuf.f32(xBuf);
        if (w.rank() != 2) throw new IllegalArgumentException("linear: weight must be [N, K], got " + w);
        int n = w.dim(0), k = w.dim(1), rows = x.rows();
        if (x.cols() != k || out.cols() != n || out.rows() != rows) {
            throw new IllegalArgumentException("linear: " + x.shape() + " x " + w + " -> " + out.shape());
        }
        if (bias != null && bias.numel() != n) throw new IllegalArgumentException("linear: bias " + bias + " for weight " + w);
        if (rows == 0) return geluTanh;
        if (rows >= ONEDNN_MIN_ROWS && w.prepared() != null) {
            Dnn d = dnn;
            boolean blocks = w.prepared() == QuantizedWeights.Bf16Products.INSTANCE;
            if (d != null && d.available() && (blocks || d.matmul.isPrepared(w))) {
                try {
                    if (blocks) {
                        d.matmul.linear(out.data, out.offset, x.data, x.offset, rows, n, k,
                                dst -> QuantizedWeights.writeBf16(pool, w, dst), bias, teamSize());
                        return false;
                    }
                    d.matmul.linear(out.data, out.offset, x.data, x.offset, rows, w, bias, teamSize(),
                            geluTanh ? OneDnnMatmul.GELU_TANH : null);
                    return geluTanh;
                } catch (OneDnn.OneDnnException e) {
                    // e.g. a shape oneDNN does not implement: the Java kernel gives the same result, only slower.
                    if (warned.compareAndSet(false, true)) {
                        System.err.println("oneDNN linear failed (" + e.getMessage() + "): using the Java kernel");
                    }
                }
            }
        }
        if (w.dtype() == DType.Q8_0 || w.dtype() == DType.Q4_0) {
            QuantizedWeights.linear(pool, out.data, out.offset, x.data, x.offset, rows, w, floats(bias));
        } else if (w.dtype() != DType.F32) {
            linearAnyDtype(out, x, w, bias);
        } else if (rows < GEMM_MIN_ROWS) {
            MatVec.linear(pool, out.data, out.offset, x.data, x.offset, rows, w.data(), n, k, floats(bias));
        } else {
            Gemm.gemm(pool, out.data, out.offset, new Gemm.ArrayA(x.data, x.offset), rows, n, k,
                    new Gemm.SegmentNK(w.data(), n, k), floats(bias));
        }
        return false;
    }

    /** Weights of other storage types (F16, BF16 files): the specification's loop, element by element. */
    private static void linearAnyDtype(HostBuf out, HostBuf x, Tensor w, Tensor bias) {
        int n = w.dim(0), k = w.dim(1);
        for (int m = 0; m < x.rows(); m++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int i = 0; i < k; i++) acc += x.data[x.at(m, i)] * w.getFloat((long) j * k + i);
                out.data[out.at(m, j)] = acc + (bias == null ? 0f : bias.getFloat(j));
            }
        }
    }

    // ---- normalisation ------------------------------------------------------------------------------------------

    @Override
    public void rmsNorm(Buf outBuf, Buf xBuf, Tensor weight, float eps) {
        HostBuf out = HostBuf.f32(outBuf), x = HostBuf.f32(xBuf);
        sameShape("rmsNorm", out, x);
        int dim = x.cols();
        if (weight.numel() != dim) throw new IllegalArgumentException("rmsNorm: weight " + weight + " for " + x.shape());
        MemorySegment w = f32(weight);
        float[] o = out.data, xd = x.data;
        int oo = out.offset, xo = x.offset;
        if (oo == xo) rows(x.rows(), dim, r -> Elementwise.rmsNormRow(o, xd, xo + r * dim, dim, w, eps));   // one index
        else rows(x.rows(), dim, r -> Elementwise.rmsNormRow(o, oo + r * dim, xd, xo + r * dim, dim, w, eps));
    }

    @Override
    public void layerNorm(Buf outBuf, Buf xBuf, Tensor weight, Tensor bias, float eps) {
        HostBuf out = HostBuf.f32(outBuf), x = HostBuf.f32(xBuf);
        sameShape("layerNorm", out, x);
        int dim = x.cols();
        if ((weight != null && weight.numel() != dim) || (bias != null && bias.numel() != dim)) {
            throw new IllegalArgumentException("layerNorm: weight " + weight + " / bias " + bias + " for " + x.shape());
        }
        MemorySegment w = f32(weight), b = f32(bias);
        float[] o = out.data, xd = x.data;
        int oo = out.offset, xo = x.offset;
        if (oo == xo) rows(x.rows(), dim, r -> Elementwise.layerNormRow(o, xd, xo + r * dim, dim, w, b, eps));   // one index
        else rows(x.rows(), dim, r -> Elementwise.layerNormRow(o, oo + r * dim, xd, xo + r * dim, dim, w, b, eps));
    }

    @Override
    public void logSoftmax(Buf x) { HostOps.logSoftmax(HostBuf.of(x)); }

    // ---- attention ----------------------------------------------------------------------------------------------

    @Override
    public void relPositionAttention(Buf outBuf, Buf qBuf, Buf kBuf, Buf vBuf, Buf pBuf, Tensor posBiasU, Tensor posBiasV,
                                     int heads, float divisor, AttentionMask mask) {
        HostBuf out = HostBuf.f32(outBuf), q = HostBuf.f32(qBuf), k = HostBuf.f32(kBuf), v = HostBuf.f32(vBuf), p = HostBuf.f32(pBuf);
        if (heads <= 0 || q.cols() % heads != 0) {
            throw new IllegalArgumentException("relPositionAttention: " + heads + " heads for q " + q.shape());
        }
        int t = q.rows(), w = q.cols(), hd = w / heads;
        if (k.rows() != t || k.cols() != w || v.rows() != t || v.cols() != w || out.rows() != t || out.cols() != w
                || p.cols() != w || p.rows() != Math.max(0, 2 * t - 1)) {
            throw new IllegalArgumentException("relPositionAttention: q " + q.shape() + ", k " + k.shape() + ", v "
                    + v.shape() + ", p " + p.shape() + " (need [2t - 1, width]), out " + out.shape());
        }
        if (posBiasU.numel() != w || posBiasV.numel() != w) {
            throw new IllegalArgumentException("relPositionAttention: pos biases " + posBiasU + ", " + posBiasV
                    + " must have " + w + " elements");
        }
        if (t == 0) return;
        RelPositionAttention.attention(pool, out, q, k, v, p, posBiasU.toFloatArray(), posBiasV.toFloatArray(), heads, hd, divisor, mask);
    }

    /** Heads {@code [h0, h1)} on oneDNN, keys and values stored as bf16 (copied, not rounded) or float32. */
    private static void oneDnnAttention(Dnn d, HostBuf out, HostBuf q, HostBuf k, HostBuf v, int tq, int tk, int heads, int h0,
                                        int h1, int hd, float scale, AttentionMask mask, int team) {
        if (k.isBf16()) {
            d.attention.attention(out.data, out.offset, q.data, q.offset, k.bf16, k.offset, v.bf16, v.offset,
                    tq, tk, heads, h0, h1, hd, scale, mask, team);
        } else {
            d.attention.attention(out.data, out.offset, q.data, q.offset, k.data, k.offset, v.data, v.offset,
                    tq, tk, heads, h0, h1, hd, scale, mask, team);
        }
    }

    @Override
    public void attention(Buf outBuf, Buf qBuf, Buf kBuf, Buf vBuf, int heads, int kvHeads, float scale,
                          AttentionMask mask, Precision precision) {
        HostBuf out = HostBuf.f32(outBuf), q = HostBuf.f32(qBuf), k = HostBuf.storage(kBuf), v = HostBuf.storage(vBuf);
        if (precision != Precision.F32 && precision != Precision.BF16) {
            throw new IllegalArgumentException("attention: precision " + precision + " (F32 or BF16 only)");
        }
        if (k.isF64() || v.isF64() || k.isBf16() != v.isBf16()) {
            throw new IllegalArgumentException("attention: keys " + k.shape() + " and values " + v.shape() + " must both be float32 or both bf16");
        }
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || q.cols() % heads != 0) {
            throw new IllegalArgumentException("attention: " + heads + " heads, " + kvHeads + " KV heads for q " + q.shape());
        }
        int tq = q.rows(), tk = k.rows(), hd = q.cols() / heads;
        if (k.cols() != kvHeads * hd || v.rows() != tk || v.cols() != k.cols() || out.rows() != tq || out.cols() != q.cols()) {
            throw new IllegalArgumentException("attention: q " + q.shape() + ", k " + k.shape() + ", v " + v.shape()
                    + ", out " + out.shape() + " with " + heads + "/" + kvHeads + " heads");
        }
        if (tq == 0) return;
        if (precision == Precision.BF16 && OneDnnAttention.supports(tq, tk, heads, kvHeads, hd, scale, ONEDNN_MIN_ROWS)) {
            Dnn d = dnn();
            if (d.available()) {
                try {
                    int team = teamSize(), tasks = Math.min(team, heads);
                    if (tasks > 1) {                         // all threads free (one CFG row): heads split over them
                        tasks(tasks, t -> oneDnnAttention(d, out, q, k, v, tq, tk, heads, t * heads / tasks,
                                (t + 1) * heads / tasks, hd, scale, mask, 1));
                    } else {
                        oneDnnAttention(d, out, q, k, v, tq, tk, heads, 0, heads, hd, scale, mask, team);
                    }
                    return;
                } catch (OneDnn.OneDnnException e) {
                    if (warned.compareAndSet(false, true)) {
                        System.err.println("oneDNN attention failed (" + e.getMessage() + "): using the Java kernel");
                    }
                }
            }
        }
        if (k.isBf16()) {                                    // the float32 kernel on their exact float32 values
            Attention.attention(pool, out.data, out.offset, q.data, q.offset, k.bf16, k.offset, v.bf16, v.offset,
                    tq, tk, heads, kvHeads, hd, scale, mask);
        } else {
            Attention.attention(pool, out.data, out.offset, q.data, q.offset, k.data, k.offset, v.data, v.offset,
                    tq, tk, heads, kvHeads, hd, scale, mask);
        }
    }

    // ---- positions ----------------------------------------------------------------------------------------------

    @Override
    public void ropeNeox(Buf xBuf, int heads, int startPos, Tensor invFreq) {
        HostBuf x = HostBuf.f32(xBuf);
        float[] inv = invFreq.toFloatArray();
        int half = inv.length, hd = 2 * half;
        if (x.cols() != heads * hd) throw new IllegalArgumentException("ropeNeox: " + x.shape() + " is not " + heads + " heads of " + hd);
        float[] cos = new float[half], sin = new float[half];
        for (int r = 0; r < x.rows(); r++) {
            Rope.cosSin(startPos + r, inv, half, cos, sin);
            for (int h = 0; h < heads; h++) Rope.rotateHalf(x.data, x.offset + (r * heads + h) * hd, half, cos, sin);
        }
    }

    @Override
    public void ropeInterleaved(Buf xBuf, int rotDim, Tensor invFreq, int startPos) {
        HostBuf x = HostBuf.f32(xBuf);
        float[] inv = invFreq.toFloatArray();
        int half = rotDim / 2;
        if (rotDim < 0 || rotDim % 2 != 0 || rotDim > x.cols() || inv.length != half || startPos < 0) {
            throw new IllegalArgumentException("ropeInterleaved: " + rotDim + " of " + x.shape() + " with " + invFreq + " from " + startPos);
        }
        float[] cos = new float[half], sin = new float[half], d = x.data;
        for (int r = 0; r < x.rows(); r++) {
            Rope.cosSin(startPos + r, inv, half, cos, sin);
            int o = x.at(r, 0);
            for (int i = 0; i < half; i++, o += 2) {
                float x1 = d[o], x2 = d[o + 1];
                d[o] = x1 * cos[i] - x2 * sin[i];
                d[o + 1] = x2 * cos[i] + x1 * sin[i];
            }
        }
    }

    @Override
    public void sinusPositionEmbedding(Buf out, float[] t, float scale) {
        HostOps.sinusPositionEmbedding(HostBuf.of(out), t, scale);
    }

    // ---- convolutions ---------------------------------------------------------------------------------------

    @Override
    public void conv1d(Buf outBuf, Buf xBuf, Tensor w, Tensor bias, ConvSpec spec) {
        HostBuf out = HostBuf.f32(outBuf), x = HostBuf.f32(xBuf);
        if (w.rank() != 3) throw new IllegalArgumentException("conv1d: weight must be [cout, cin/groups, k], got " + w);
        int cin = x.rows(), t = x.cols(), cout = w.dim(0), kw = w.dim(2);
        if (w.dim(1) * spec.groups() != cin || cout % spec.groups() != 0 || out.rows() != cout
                || out.cols() != spec.outLength(t, kw) || (bias != null && bias.numel() != cout)) {
            throw new IllegalArgumentException("conv1d: " + x.shape() + " with " + w + (bias == null ? "" : " + " + bias)
                    + ", " + spec + " -> " + out.shape());
        }
        if (out.cols() <= 0) return;
        if (w.dtype() != DType.F32) {
            conv1dAnyDtype(out, x, w, bias, spec);
            return;
        }
        Conv.conv1d(pool, groupedConvWeights, out.data, out.offset, x.data, x.offset, cin, t, w, floats(bias), spec);
    }

    /** Weights of other storage types: the specification's loop. */
    private static void conv1dAnyDtype(HostBuf out, HostBuf x, Tensor w, Tensor bias, ConvSpec spec) {
        int cout = w.dim(0), cinG = w.dim(1), kw = w.dim(2), coutG = cout / spec.groups(), t = x.cols();
        for (int co = 0; co < cout; co++) {
            int g = co / coutG;
            for (int to = 0; to < out.cols(); to++) {
                float acc = 0;
                for (int ci = 0; ci < cinG; ci++) {
                    for (int kk = 0; kk < kw; kk++) {
                        int ti = to * spec.stride() - spec.padLeft() + kk * spec.dilation();
                        if (ti >= 0 && ti < t) acc += w.getFloat(((long) co * cinG + ci) * kw + kk) * x.data[x.at(g * cinG + ci, ti)];
                    }
                }
                out.data[out.at(co, to)] = acc + (bias == null ? 0f : bias.getFloat(co));
            }
        }
    }

    @Override
    public void conv1dF64(Buf outBuf, Buf xpBuf, Tensor v, Tensor scale, Tensor bias) {
        HostBuf out = HostBuf.f64(outBuf), xp = HostBuf.f64(xpBuf);
        int cin = xp.rows(), tp = xp.cols();
        if (v.rank() != 3 || v.dtype() != DType.F32 || v.dim(1) != cin || v.dim(2) > tp) {
            throw new IllegalArgumentException("conv1dF64: weight " + v + " for input " + xp.shape());
        }
        int cout = v.dim(0), k = v.dim(2);
        if (out.rows() != cout || out.cols() != tp - k + 1 || scale.numel() != cout || bias.numel() != cout) {
            throw new IllegalArgumentException("conv1dF64: " + xp.shape() + " with " + v + ", scale " + scale + ", bias "
                    + bias + " -> " + out.shape());
        }
        ConvF64.conv(pool, out.f64, out.offset, xp.f64, xp.offset, cin, tp, v, scale.toDoubleArray(), bias.toDoubleArray(), cout, k);
    }

    @Override
    public void eluF64(Buf x) { HostOps.eluF64(HostBuf.of(x)); }

    @Override
    public void classifierAbsF64(Buf out, Buf x, Tensor w, double bias) {
        HostOps.classifierAbsF64(HostBuf.of(out), HostBuf.of(x), w, bias);
    }

    // ---- element-wise -----------------------------------------------------------------------------------------

    @Override
    public void siluMul(Buf outBuf, Buf gateBuf, Buf upBuf) {
        HostBuf out = HostBuf.f32(outBuf), gate = HostBuf.f32(gateBuf), up = HostBuf.f32(upBuf);
        sameShape("siluMul", out, gate);
        sameShape("siluMul", out, up);
        float[] o = out.data, g = gate.data, u = up.data;
        int oo = out.offset, go = gate.offset, uo = up.offset;
        if (oo == go && go == uo) {
            // one index for all three arrays (views of one batch row, aliases): the loop as before views, 4% faster at 4864
            Elementwise.split(pool, oo, size(out), (a, b) -> Elementwise.siluMul(o, g, u, a, b));
        } else {
            Elementwise.split(pool, 0, size(out), (a, b) -> Elementwise.siluMul(o, oo, g, go, u, uo, a, b));
        }
    }

    @Override
    public void silu(Buf xBuf) {
        HostBuf x = HostBuf.f32(xBuf);
        float[] d = x.data;
        Elementwise.split(pool, x.offset, size(x), (a, b) -> Elementwise.silu(d, a, b));
    }

    @Override
    public void geluTanh(Buf xBuf) {
        HostBuf x = HostBuf.f32(xBuf);
        float[] d = x.data;
        Elementwise.split(pool, x.offset, size(x), (a, b) -> Elementwise.geluTanh(d, a, b));
    }

    @Override
    public void geluErf(Buf xBuf) {
        HostBuf x = HostBuf.f32(xBuf);
        float[] d = x.data;
        Elementwise.split(pool, x.offset, size(x), (a, b) -> Elementwise.geluErf(d, a, b));
    }

    @Override
    public void mish(Buf xBuf) {
        HostBuf x = HostBuf.f32(xBuf);
        float[] d = x.data;
        Elementwise.split(pool, x.offset, size(x), (a, b) -> Elementwise.mish(d, a, b));
    }

    @Override
    public void leakyRelu(Buf xBuf, float slope) {
        HostBuf x = HostBuf.f32(xBuf);
        float[] d = x.data;
        Elementwise.split(pool, x.offset, size(x), (a, b) -> Elementwise.leakyRelu(d, a, b, slope));
    }

    @Override
    public void snake(Buf xBuf, Tensor alpha) {
        HostBuf x = HostBuf.f32(xBuf);
        int channels = x.rows(), t = x.cols();
        float[] al = floats(alpha), d = x.data;
        if (al.length != channels) throw new IllegalArgumentException("snake: alpha " + alpha + " for " + x.shape());
        int off = x.offset;
        rows(channels, t, c -> Elementwise.snake(d, off + c * t, off + (c + 1) * t, al[c], 1f / (al[c] + 1e-9f)));
    }

    @Override
    public void add(Buf outBuf, Buf aBuf, Buf bBuf) {
        HostBuf out = HostBuf.f32(outBuf), a = HostBuf.f32(aBuf), b = HostBuf.f32(bBuf);
        sameShape("add", out, a);
        sameShape("add", out, b);
        float[] o = out.data, ad = a.data, bd = b.data;
        int oo = out.offset, ao = a.offset, bo = b.offset;
        if (oo == ao && ao == bo) {
            Elementwise.split(pool, oo, size(out), (from, to) -> Elementwise.add(o, ad, bd, from, to));   // one index (see siluMul)
        } else {
            Elementwise.split(pool, 0, size(out), (from, to) -> Elementwise.add(o, oo, ad, ao, bd, bo, from, to));
        }
    }

    @Override
    public void div(Buf outBuf, Buf xBuf, float divisor) {
        HostBuf out = HostBuf.f32(outBuf), x = HostBuf.f32(xBuf);
        sameShape("div", out, x);
        float[] o = out.data, xd = x.data;
        int oo = out.offset, xo = x.offset;
        Elementwise.split(pool, 0, size(out), (from, to) -> Elementwise.div(o, oo, xd, xo, divisor, from, to));
    }

    @Override
    public void affineRows(Buf xBuf, Tensor scale, Tensor bias) {
        HostBuf x = HostBuf.f32(xBuf);
        int rows = x.rows(), cols = x.cols();
        if (scale.numel() != rows || bias.numel() != rows) {
            throw new IllegalArgumentException("affineRows: scale " + scale + ", bias " + bias + " for " + x.shape());
        }
        float[] s = scale.toFloatArray(), b = bias.toFloatArray(), d = x.data;
        int off = x.offset;
        rows(rows, cols, r -> Elementwise.affine(d, off + r * cols, off + (r + 1) * cols, s[r], b[r]));
    }

    @Override
    public void modulate(Buf xBuf, Buf modBuf, int shiftCol, int scaleCol) {
        HostBuf x = HostBuf.f32(xBuf), mod = HostBuf.f32(modBuf);
        int cols = x.cols(), per = groupRows("modulate", x, mod, cols, shiftCol, scaleCol);
        float[] xd = x.data, md = mod.data;
        int xo = x.offset;
        rows(x.rows(), cols, r -> {
            int m = mod.at(r / per, 0);
            Elementwise.modulate(xd, xo + r * cols, md, m + shiftCol, m + scaleCol, cols);
        });
    }

    @Override
    public void addGated(Buf xBuf, Buf modBuf, int gateCol, Buf yBuf) {
        HostBuf x = HostBuf.f32(xBuf), mod = HostBuf.f32(modBuf), y = HostBuf.f32(yBuf);
        sameShape("addGated", x, y);
        int cols = x.cols(), per = groupRows("addGated", x, mod, cols, gateCol, gateCol);
        float[] xd = x.data, md = mod.data, yd = y.data;
        int xo = x.offset, yo = y.offset;
        rows(x.rows(), cols, r -> Elementwise.addGated(xd, xo + r * cols, md, mod.at(r / per, gateCol), yd, yo + r * cols, cols));
    }

    /** Rows of x per row of mod (checked: whole groups, column ranges inside mod's rows). */
    private static int groupRows(String op, HostBuf x, HostBuf mod, int cols, int colA, int colB) {
        if (mod.rows() < 1 || x.rows() % mod.rows() != 0 || Math.min(colA, colB) < 0
                || Math.max(colA, colB) + cols > mod.cols()) {
            throw new IllegalArgumentException(op + ": " + x.shape() + " with mod " + mod.shape() + " at columns "
                    + colA + ", " + colB);
        }
        return x.rows() / mod.rows();
    }

    @Override
    public void cfgEulerStep(Buf xBuf, Buf vCondBuf, Buf vUncondBuf, float dt, float cfgCond, float cfgUncond) {
        HostBuf x = HostBuf.f32(xBuf), vc = HostBuf.f32(vCondBuf), vu = HostBuf.f32(vUncondBuf);
        sameShape("cfgEulerStep", x, vc);
        sameShape("cfgEulerStep", x, vu);
        float[] xd = x.data, cd = vc.data, ud = vu.data;
        int xo = x.offset, co = vc.offset, uo = vu.offset;
        Elementwise.split(pool, 0, size(x), (a, b) -> Elementwise.cfgEuler(xd, xo, cd, co, ud, uo, dt, cfgCond, cfgUncond, a, b));
    }

    @Override
    public void fill(Buf xBuf, float value) {
        HostBuf x = HostBuf.of(xBuf);
        if (x.isF64()) Arrays.fill(x.f64, x.offset, x.end(), value);
        else Arrays.fill(x.data, x.offset, x.end(), value);
    }

    @Override
    public void copy(Buf dstBuf, Buf srcBuf) {
        HostBuf dst = HostBuf.storage(dstBuf), src = HostBuf.storage(srcBuf);
        if (dst.rows() != src.rows() || dst.cols() != src.cols()) {
            throw new IllegalArgumentException("copy: " + src.shape() + " into " + dst.shape());
        }
        if (dst.isBf16() || src.isBf16()) {
            Bf16Copy.copy(pool, dst, src);
        } else if (dst.isF64() == src.isF64()) {
            if (dst.isF64()) System.arraycopy(src.f64, src.offset, dst.f64, dst.offset, size(src));
            else System.arraycopy(src.data, src.offset, dst.data, dst.offset, size(src));
        } else {
            HostOps.copy(dst, src);   // float32 <-> float64 conversions (small F0 buffers)
        }
    }

    /** 16 x 16 register transposes ({@link Transpose}) where whole, scalar edges (float64: {@link HostOps#transpose}). */
    @Override
    public void transpose(Buf outBuf, Buf xBuf) {
        if (outBuf.isF64() || xBuf.isF64()) {
            HostOps.transpose(HostBuf.of(outBuf), HostBuf.of(xBuf));
            return;
        }
        HostBuf out = HostBuf.f32(outBuf), x = HostBuf.f32(xBuf);
        int rows = x.rows(), cols = x.cols();
        if (out.rows() != cols || out.cols() != rows) throw new IllegalArgumentException("transpose: " + x.shape() + " into " + out.shape());
        float[] o = out.data, xd = x.data;
        int oo = out.offset, xo = x.offset;
        int r16 = Transpose.SUPPORTED ? rows / 16 * 16 : 0, c16 = Transpose.SUPPORTED ? cols / 16 * 16 : 0;
        // one thread, 16 rows of x at a time: 74 us at 314 x 1024 (the scalar loop 205-230 us); on 2 threads split by
        // rows of x 231 us (neighbouring blocks share out's cache lines), by columns 85 us (column order alone 109 us)
        for (int r0 = 0; r0 < r16; r0 += 16) {
            for (int c0 = 0; c0 < c16; c0 += 16) Transpose.fromArray(xd, xo + r0 * cols + c0, cols, o, oo + c0 * rows + r0, rows);
            for (int r = r0; r < r0 + 16; r++) {
                for (int c = c16; c < cols; c++) o[oo + c * rows + r] = xd[xo + r * cols + c];
            }
        }
        for (int r = r16; r < rows; r++) {
            for (int c = 0; c < cols; c++) o[oo + c * rows + r] = xd[xo + r * cols + c];
        }
    }

    @Override
    public void setCols(Buf dst, int col, Buf src) { HostOps.setCols(HostBuf.of(dst), col, HostBuf.of(src)); }

    @Override
    public void copyCols(Buf out, Buf x, int fromCol) { HostOps.copyCols(HostBuf.of(out), HostBuf.of(x), fromCol); }

    @Override
    public void gatherRows(Buf out, Tensor table, int[] ids) { HostOps.gatherRows(HostBuf.of(out), table, ids); }

    @Override
    public void repeatRows(Buf out, Buf x, int times) { HostOps.repeatRows(HostBuf.of(out), HostBuf.of(x), times); }

    @Override
    public void l2NormalizeRows(Buf x) { HostOps.l2NormalizeRows(HostBuf.of(x)); }

    // ---- vocoder signal ops -------------------------------------------------------------------------------------

    @Override
    public void polyphaseInterleave(Buf out, Buf phases, boolean reflectPadLeft) {
        HostOps.polyphaseInterleave(HostBuf.of(out), HostBuf.of(phases), reflectPadLeft);
    }

    @Override
    public void stft(Buf out, Buf x, Tensor window, int nFft, int hop) {
        HostOps.stft(HostBuf.of(out), HostBuf.of(x), window, nFft, hop);
    }

    @Override
    public void istftFromLogits(Buf out, Buf x, Tensor window, int nFft, int hop, float clamp) {
        HostOps.istftFromLogits(HostBuf.of(out), HostBuf.of(x), window, nFft, hop, clamp);
    }

    @Override
    public void nsfSource(Buf source, Buf f0, NsfSpec spec, NsfSpec.Trace traceOrNull) {
        HostOps.nsfSource(HostBuf.of(source), HostBuf.of(f0), spec, traceOrNull);
    }

    @Override
    public void nsfSourceFrom(Buf source, Buf f0, long frameOffset, Buf phaseIn, Buf phaseOut, NsfSpec spec) {
        HostOps.nsfSourceFrom(HostBuf.of(source), HostBuf.of(f0), frameOffset, phaseIn == null ? null : HostBuf.of(phaseIn),
                phaseOut == null ? null : HostBuf.of(phaseOut), spec);
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------------

    /** Stops the pool's threads (later calls run on their callers). oneDNN's packed weights die with their tensors. */
    @Override
    public void close() { pool.close(); }

    /**
     * Runs every Java kernel on small shapes so that HotSpot's C2 compiles them (bounded to ~2 s). Until then Vector
     * API code runs interpreted or C1-compiled, 10-1000x slower (a decode attention measured 59 ms instead of 55 us),
     * so an engine should call this once at startup rather than let the first request pay for it.
     */
    public void warmUp() { warmUp(Duration.ofSeconds(2)); }

    /** {@link #warmUp()} bounded by {@code budget} (at most 3000 rounds). */
    public void warmUp(Duration budget) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        float[] w = new float[96 * 128], xs = new float[40 * 128];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextDouble() - 0.5);
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (rnd.nextDouble() - 0.5);
        Tensor wt = Tensor.of(w, 96, 128), norm = Tensor.of(Arrays.copyOf(w, 128), 128), bias = Tensor.of(Arrays.copyOf(w, 96), 96);
        Tensor q8 = QuantizedWeights.quantize(wt, DType.Q8_0), q4 = QuantizedWeights.quantize(wt, DType.Q4_0);
        Tensor conv = Tensor.of(Arrays.copyOf(w, 16 * 16 * 3), 16, 16, 3), grouped = Tensor.of(Arrays.copyOf(w, 16 * 4 * 5), 16, 4, 5);
        Tensor convBias = Tensor.of(Arrays.copyOf(w, 16), 16), alpha = Tensor.of(Arrays.copyOf(xs, 16), 16);
        Tensor inv = Tensor.of(filled(32, 0.01f), 32), rowScale = Tensor.of(filled(40, 0.9f), 40), rowBias = Tensor.of(filled(40, 0.1f), 40);
        Tensor f64Scale = f64Tensor(16, 0.5), f64Bias = f64Tensor(16, 0.1);
        HostBuf x = HostBuf.wrap(xs, 0, 40, 128), out = HostBuf.f32(40, 128), big = HostBuf.f32(40, 128), y = HostBuf.f32(40, 128);
        HostBuf mod = HostBuf.f32(2, 3 * 128), xpF64 = HostBuf.f64(16, 102), outF64 = HostBuf.f64(16, 100);
        HostBuf wAsBuf = HostBuf.wrap(w, 0, 96, 128);
        long deadline = System.nanoTime() + budget.toNanos();
        for (int it = 0; it < 3000 && System.nanoTime() < deadline; it++) {
            linear(out.view(1, 96), x.rows(0, 1), wt, null);
            linear(out.view(2, 96), x.rows(1, 3), wt, bias);
            linear(out.view(1, 96), x.rows(0, 1), q8, null);
            linear(out.view(1, 96), x.rows(0, 1), q4, null);
            if (it % 4 == 0) {
                linear(out.view(40, 96), x, wt, null);
                linear(out.view(24, 96), x.rows(0, 24), q8, null);
                attention(out.view(20, 256), x.view(20, 256), wAsBuf.view(30, 128), wAsBuf.view(30, 128), 4, 2, 0.125f,
                        AttentionMask.causal(10), Precision.F32);
                conv1d(out.view(16, 100), x.view(16, 100), conv, convBias, ConvSpec.of(1, 1, 1, 1, 1));
                conv1d(out.view(16, 100), x.view(16, 100), grouped, null, ConvSpec.of(1, 2, 2, 1, 4));
                conv1dF64(outF64, xpF64, conv, f64Scale, f64Bias);
                transpose(big.view(128, 40), x);
            }
            attention(out.view(1, 896), x.view(1, 896), wAsBuf.view(60, 128), wAsBuf.view(60, 128), 14, 2, 0.125f,
                    AttentionMask.causal(59), Precision.F32);
            rmsNorm(out.view(2, 128), x.rows(0, 2), norm, 1e-6f);
            layerNorm(out.view(2, 128), x.rows(0, 2), norm, norm, 1e-5f);
            ropeNeox(out.view(2, 128), 2, it, inv);
            ropeInterleaved(out.view(2, 128), 64, inv);
            copy(big, x);
            siluMul(big, big, x);
            silu(big.view(8, 125));
            geluTanh(big.view(8, 125));
            mish(big.view(8, 125));
            leakyRelu(big.view(8, 125), 0.1f);
            snake(big.view(16, 250), alpha);
            add(big, big, x);
            div(big, big, 3f);
            affineRows(y, rowScale, rowBias);
            fill(y, 0.5f);
            modulate(big, mod, 0, 128);
            addGated(big, mod, 256, y);
            cfgEulerStep(big.view(10, 100), x.view(10, 100), y.view(10, 100), 0.1f, 1.7f, 0.7f);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

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

    private static int size(HostBuf b) { return Math.toIntExact(b.size()); }

    private static void sameShape(String op, HostBuf a, HostBuf b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) throw new IllegalArgumentException(op + ": " + a.shape() + " vs " + b.shape());
    }

    /** The float32 data of a small tensor, in place when it is F32 (else converted into native memory), or null. */
    private static MemorySegment f32(Tensor t) {
        if (t == null) return null;
        return t.dtype() == DType.F32 ? t.data() : Tensor.of(t.toFloatArray(), t.numel()).data();
    }

    /** A float32 copy of a small tensor (bias, norm weight), or null. */
    private static float[] floats(Tensor t) {
        return t == null ? null : t.toFloatArray();
    }

    /** A float64 tensor of {@code n} equal values in native memory (weights are never heap segments). */
    private static Tensor f64Tensor(int n, double v) {
        MemorySegment seg = java.lang.foreign.Arena.ofAuto().allocate((long) n * Double.BYTES, 64);
        for (int i = 0; i < n; i++) seg.setAtIndex(Tensor.F64_LE, i, v);
        return new Tensor(DType.F64, new long[] {n}, seg);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
