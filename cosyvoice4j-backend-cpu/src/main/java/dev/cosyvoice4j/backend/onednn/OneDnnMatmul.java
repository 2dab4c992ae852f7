package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.cpu.VectorMath;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * PyTorch {@code Linear} through a oneDNN matmul primitive, with exactly the semantics of
 * {@code Backend.linear}: {@code out[m, n] = sum_k x[m, k] * w[n, k] + bias[n]}, {@code w} {@code [N, K]}.
 *
 * <p>Weights are immutable, so each is converted ONCE (to bf16 for {@link Precision#BF16}) into the blocked layout
 * the primitive prefers (memory format "any", chosen by oneDNN) and cached, keyed by the address of the tensor's
 * memory (memory-mapped weights; an entry dies with the file's mapping) or by the identity of its heap array.
 * Activations are converted per call (bf16, round to nearest even) into a per-thread native buffer; the f32
 * result is copied back to the caller's array. Accumulation is always f32.
 *
 * <p>Primitives are created per row count (oneDNN's runtime-dimension matmul falls back to a slower gemm kernel)
 * and kept in an LRU. Creating one JIT-compiles kernels (5-40 ms), so row counts are rounded up to a multiple of
 * {@code rowBucket}, or of a sixteenth of their power of two where that is larger (padding rows are computed and
 * dropped; a row's output depends only on that row): at most 16 primitives per doubling of the row count, so an
 * utterance of a new length mostly reuses the primitives of earlier ones, and at most 1/16 of the work padding.
 * Padding is not free: a streamed chunk's 100 rows padded to 112 took 12% longer, 50 to 64 took 20% (one core, bf16).
 * The weight layout does not depend on the row count for the DiT shapes (one copy for every count from 16 to 1000);
 * when it does, a second packed copy is made. A user-managed scratchpad and a per-thread stream make concurrent calls
 * from several threads safe.
 *
 * <p>Two ways to find a weight's packed copy: a {@link PackedWeight} handle from {@link #prepare} carried by the
 * tensor ({@link Tensor#withPrepared}; the {@code cpu} backend's way: the copy lives and dies with the tensor), or
 * a cache keyed by the weight's memory (plain tensors).
 */
public final class OneDnnMatmul {
    private static final int MAX_PRIMITIVES = 512;
    /** Default row rounding: a multiple of 4 up to 127 rows (a 50-frame chunk: 52), then 1/16 of the power of two. */
    public static final int DEFAULT_ROW_BUCKET = 4;
    /** Row counts between two powers of two share at most this many primitives. */
    private static final int ROW_COUNTS_PER_DOUBLING = 16;

    private final OneDnn lib;
    private final Precision precision;
    private final int threads;
    private final int rowBucket;
    private final java.util.function.Consumer<Tensor> afterPacking;
    private final int dataType;
    private final Map<ShapeKey, OneDnnPrimitive> primitives = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ShapeKey, OneDnnPrimitive> eldest) {
            return size() > MAX_PRIMITIVES; // evicted ones are destroyed by the cleaner once no call uses them
        }
    });
    private final ConcurrentHashMap<NativeKey, Packed> nativeWeights = new ConcurrentHashMap<>();
    private final Map<Object, ConcurrentHashMap<HeapKey, Packed>> heapWeights =
            Collections.synchronizedMap(new WeakHashMap<>());
    private final ThreadLocal<Workspace> workspaces;

    /** With the default row bucket. */
    public OneDnnMatmul(OneDnn lib, Precision precision, int threads) {
        this(lib, precision, threads, DEFAULT_ROW_BUCKET);
    }

    /**
     * @param threads   OpenMP team size used for each product (the decorated kernels' thread count)
     * @param rowBucket row counts are rounded up to a multiple of this at least (1: exact below 32 rows)
     */
    public OneDnnMatmul(OneDnn lib, Precision precision, int threads, int rowBucket) {
        this(lib, precision, threads, rowBucket, w -> { });
    }

    /**
     * @param afterPacking told of each weight once its converted copy exists (the original is then only read again if
     *                     a product falls back to the Java kernel): the engine drops the file pages of such weights
     *                     from the resident set
     */
    public OneDnnMatmul(OneDnn lib, Precision precision, int threads, int rowBucket,
                        java.util.function.Consumer<Tensor> afterPacking) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (rowBucket < 1) throw new IllegalArgumentException("rowBucket must be >= 1, got " + rowBucket);
        this.lib = lib;
        this.precision = precision;
        this.threads = threads;
        this.rowBucket = rowBucket;
        this.afterPacking = java.util.Objects.requireNonNull(afterPacking, "afterPacking");
        this.dataType = precision == Precision.BF16 ? OneDnn.DT_BF16 : OneDnn.DT_F32;
        this.workspaces = ThreadLocal.withInitial(() -> new Workspace(lib));
    }

    public Precision precision() { return precision; }
    /** The OpenMP team size of {@link #linear(float[], float[], int, Tensor, Tensor)}. */
    public int threads() { return threads; }
    public OneDnn library() { return lib; }

    /** Whether {@code w} can go through oneDNN: a 2-d F32 or BF16 tensor. */
    public static boolean supports(Tensor w, Tensor bias) {
        return w.rank() == 2 && (w.dtype() == DType.F32 || w.dtype() == DType.BF16)
                && (bias == null || bias.numel() == w.dim(0));
    }

    /** {@code Backend.linear}: {@code out[m, n] = sum_k x[m, k] * w[n, k] + bias[n]} for {@code m < rows}. */
    public void linear(float[] out, float[] x, int rows, Tensor w, Tensor bias) {
        linear(out, x, rows, w, bias, threads);
    }

    /**
     * The handle that marks a weight for this matmul: {@code w.withPrepared(prepare(w, release))}. The weight is
     * converted and packed on its first product (the layout depends on the primitive, known only then), after which
     * {@code release} is told that {@code w}'s float32 values are no longer read (again after any later repacking for
     * another layout, which reads them once more).
     *
     * @throws IllegalArgumentException when {@code w} is not a 2-d F32/BF16 tensor
     */
    public PackedWeight prepare(Tensor w, java.util.function.Consumer<Tensor> release) {
        if (!supports(w, null)) throw new IllegalArgumentException("oneDNN linear needs a 2-d F32/BF16 weight, got " + w);
        return new PackedWeight(this, w, java.util.Objects.requireNonNull(release, "release"), null);
    }

    /**
     * The same for a 2-d weight kept in another form ({@code w}, e.g. block-quantised, stays its only other copy): on its
     * first product {@code values} writes its bf16 values into a temporary plain {@code [N, K]} buffer that is packed.
     */
    public PackedWeight prepareFromBf16(Tensor w, Bf16Weights values) {
        if (w.rank() != 2 || precision != Precision.BF16) {
            throw new IllegalArgumentException("a packed copy from bf16 values needs a 2-d weight and a BF16 matmul, got " + w);
        }
        return new PackedWeight(this, w, t -> { }, java.util.Objects.requireNonNull(values, "values"));
    }

    /** Whether {@code w} carries a handle of this matmul ({@link #prepare}). */
    public boolean isPrepared(Tensor w) {
        return w.prepared() instanceof PackedWeight p && p.owner == this;
    }

    /**
     * A weight's packed copies, made on first use ({@link #prepare}). Opaque to callers; held by the prepared tensor,
     * so the copies are freed with it.
     */
    public static final class PackedWeight {
        private final OneDnnMatmul owner;
        private final Tensor original;
        private final java.util.function.Consumer<Tensor> release;
        /** Writes the bf16 values when {@code original} is not an F32/BF16 matrix; null otherwise. */
        private final Bf16Weights values;
        private final Packed packed = new Packed(null);

        private PackedWeight(OneDnnMatmul owner, Tensor original, java.util.function.Consumer<Tensor> release, Bf16Weights values) {
            this.owner = owner;
            this.original = original;
            this.release = release;
            this.values = values;
        }

        /** Bytes of its packed copies (0 before the first product). */
        public long bytes() { return packed.bytes(); }

        @Override
        public String toString() { return "oneDNN " + owner.precision + " packed " + original; }
    }

    /** Applied in place to each output row, {@code [from, to)} of {@code out}, as it is copied out (still in cache). */
    @FunctionalInterface
    public interface RowEpilogue {
        void apply(float[] out, int from, int to);
    }

    /** The tanh-approximated GELU of the cpu backend ({@link VectorMath#geluTanh}). */
    public static final RowEpilogue GELU_TANH = VectorMath::geluTanh;

    /**
     * {@link #linear(float[], float[], int, Tensor, Tensor, int)} on arrays whose matrices start at {@code outOff} and
     * {@code xOff} (views: a batch row, a workspace prefix), then {@code epilogueOrNull} on every output row.
     */
    public void linear(float[] out, int outOff, float[] x, int xOff, int rows, Tensor w, Tensor bias, int teamSize,
                       RowEpilogue epilogueOrNull) {
        if (outOff < 0 || xOff < 0) throw new IllegalArgumentException("negative offset " + outOff + " / " + xOff);
        linearAt(out, outOff, x, xOff, rows, w, bias, teamSize, epilogueOrNull);
    }

    /**
     * {@link #linear(float[], float[], int, Tensor, Tensor)} with an OpenMP team of {@code teamSize} threads (1 inside
     * a task of {@code Backend.parts}, where every core already runs a task). Primitives are created per team
     * size: oneDNN fixes a primitive's thread count when it is created.
     */
    public void linear(float[] out, float[] x, int rows, Tensor w, Tensor bias, int teamSize) {
        linearAt(out, 0, x, 0, rows, w, bias, teamSize, null);
    }

    private void linearAt(float[] out, int outOff, float[] x, int xOff, int rows, Tensor w, Tensor bias, int teamSize,
                          RowEpilogue epilogueOrNull) {
        if (!(supports(w, bias) || isPrepared(w) && w.rank() == 2 && (bias == null || bias.numel() == w.dim(0)))) {
            throw new IllegalArgumentException("oneDNN linear needs 2-d F32/BF16 (or prepared) weights and "
                    + "a bias of N values, got " + w + (bias == null ? "" : " and bias " + bias));
        }
        int n = w.dim(0), k = w.dim(1);
        if (rows < 1) {
            if (rows == 0) return;
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (xOff + (long) rows * k > x.length || outOff + (long) rows * n > out.length) {
            throw new IllegalArgumentException("linear " + rows + "x" + k + " -> " + rows + "x" + n + ": x has "
                    + x.length + " values from " + xOff + ", out has " + out.length + " from " + outOff);
        }
        if (teamSize < 1) throw new IllegalArgumentException("teamSize must be >= 1, got " + teamSize);
        lib.setThreads(teamSize);
        Workspace ws = workspaces.get();
        OneDnnPrimitive prim = primitive(paddedRows(rows), k, n, bias != null, teamSize);
        Variant weights = packed(w, prim, ws);
        execute(prim, ws, out, outOff, x, xOff, rows, n, k, weights.buffer, bias, epilogueOrNull);
        Reference.reachabilityFence(weights);
    }

    /**
     * Runs {@code prim} on the activations {@code x} (converted into the workspace) and {@code weights} in its layout;
     * the first {@code rows} output rows go to {@code out}. Rows past {@code rows} hold stale data: their outputs are
     * never copied out.
     */
    private void execute(OneDnnPrimitive prim, Workspace ws, float[] out, int outOff, float[] x, int xOff, int rows, int n,
                         int k, MemorySegment weights, Tensor bias, RowEpilogue epilogueOrNull) {
        int paddedRows = paddedRows(rows);
        long srcBytes = (long) paddedRows * k * (precision == Precision.BF16 ? 2 : 4);
        MemorySegment src = ws.src(srcBytes), dst = ws.dst((long) paddedRows * n * 4), scratch = ws.scratch(prim.scratchBytes);
        if (precision == Precision.BF16) Bf16.convert(x, xOff, rows * k, src);
        else MemorySegment.copy(x, xOff, src, JAVA_FLOAT, 0, rows * k);
        MemorySegment biasPtr = bias == null ? MemorySegment.NULL : biasPointer(bias, ws);
        prim.execute(ws.exec, src, weights, biasPtr, dst, scratch);
        if (epilogueOrNull == null) {
            MemorySegment.copy(dst, JAVA_FLOAT, 0, out, outOff, rows * n);
        } else {
            for (int i = 0; i < rows; i++) {
                int at = outOff + i * n;
                MemorySegment.copy(dst, JAVA_FLOAT, (long) i * n * 4, out, at, n);
                epilogueOrNull.apply(out, at, at + n);
            }
        }
        Reference.reachabilityFence(prim);
        Reference.reachabilityFence(bias);
        Reference.reachabilityFence(ws);
    }

    /**
     * Writes a weight's values as bfloat16 into plain row-major {@code [N, K]} memory (row j from byte {@code 2 j K}):
     * weights kept in another form (block-quantised) that a many-row product wants in bf16.
     */
    @FunctionalInterface
    public interface Bf16Weights {
        void write(MemorySegment dst);
    }

    /**
     * {@link #linear(float[], int, float[], int, int, Tensor, Tensor, int, RowEpilogue)} for a bf16 {@code [n, k]}
     * weight that {@code weights} writes into a per-thread buffer on every call (nothing is cached: the weight's own form stays the
     * only copy). oneDNN reads the plain layout directly; worth it where the rows amortise the write (a prompt
     * prefill), not for mat-vecs.
     */
    public void linear(float[] out, int outOff, float[] x, int xOff, int rows, int n, int k, Bf16Weights weights,
                       Tensor bias, int teamSize) {
        if (precision != Precision.BF16) throw new IllegalStateException("bf16 weights need a BF16 matmul, this one is " + precision);
        if (rows < 1 || n < 1 || k < 1 || outOff < 0 || xOff < 0 || teamSize < 1) {
            throw new IllegalArgumentException("linear " + rows + "x" + k + " -> " + n + " (offsets " + xOff + "/" + outOff
                    + ", team " + teamSize + ")");
        }
        if (bias != null && bias.numel() != n) throw new IllegalArgumentException("bias " + bias + " for N = " + n);
        if (xOff + (long) rows * k > x.length || outOff + (long) rows * n > out.length) {
            throw new IllegalArgumentException("linear " + rows + "x" + k + " -> " + rows + "x" + n + ": x has "
                    + x.length + " values from " + xOff + ", out has " + out.length + " from " + outOff);
        }
        lib.setThreads(teamSize);
        Workspace ws = workspaces.get();
        OneDnnPrimitive prim = primitive(new ShapeKey(paddedRows(rows), k, n, bias != null, teamSize, true));
        MemorySegment w = ws.weights((long) n * k * 2);
        weights.write(w);
        execute(prim, ws, out, outOff, x, xOff, rows, n, k, w, bias, null);
    }

    /** The oneDNN implementation chosen for a {@code rows x k -> rows x n} product, e.g. {@code brg:avx512_core_bf16}. */
    public String implementation(int rows, int k, int n) {
        lib.setThreads(threads);
        return lib.implInfo(primitive(paddedRows(rows), k, n, true, threads).pd);
    }

    private int paddedRows(int rows) {
        long step = Math.max(rowBucket, Integer.highestOneBit(rows) / ROW_COUNTS_PER_DOUBLING);
        return Math.toIntExact((rows + step - 1) / step * step);
    }

    /** Bytes held by converted weight copies in the memory-keyed caches (not those of {@link PackedWeight} handles). */
    public long packedBytes() {
        long total = 0;
        for (Packed p : nativeWeights.values()) total += p.bytes();
        synchronized (heapWeights) {
            for (var m : heapWeights.values()) for (Packed p : m.values()) total += p.bytes();
        }
        return total;
    }

    private MemorySegment biasPointer(Tensor bias, Workspace ws) {
        MemorySegment data = bias.data();
        if (bias.dtype() == DType.F32 && data.isNative()) return MemorySegment.ofAddress(data.address());
        int n = Math.toIntExact(bias.numel());
        MemorySegment b = ws.bias(n * 4L);
        for (int i = 0; i < n; i++) b.setAtIndex(JAVA_FLOAT, i, bias.getFloat(i));
        return b;
    }

    // ---- primitives ----------------------------------------------------------------------------------------

    /** {@code plainWeights}: the weights come as row-major {@code [N, K]} per call, else packed as oneDNN prefers. */
    private record ShapeKey(int rows, int k, int n, boolean bias, int teamSize, boolean plainWeights) {}

    /** Created with the calling thread's OpenMP team size set to {@code teamSize} (see {@link OneDnn#setThreads}). */
    private OneDnnPrimitive primitive(int rows, int k, int n, boolean bias, int teamSize) {
        return primitive(new ShapeKey(rows, k, n, bias, teamSize, false));
    }

    private OneDnnPrimitive primitive(ShapeKey key) {
        OneDnnPrimitive p = primitives.get(key);
        if (p != null) return p;
        int rows = key.rows, k = key.k, n = key.n;
        MemorySegment pd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = lib.memoryDesc(a, new long[] {rows, k}, dataType, new long[] {k, 1});
            MemorySegment wts = key.plainWeights ? lib.memoryDesc(a, new long[] {k, n}, dataType, new long[] {1, k})
                    : lib.memoryDescAny(a, new long[] {k, n}, dataType);
            MemorySegment b = key.bias ? lib.memoryDesc(a, new long[] {1, n}, OneDnn.DT_F32, new long[] {n, 1})
                    : MemorySegment.NULL;
            MemorySegment dst = lib.memoryDesc(a, new long[] {rows, n}, OneDnn.DT_F32, new long[] {n, 1});
            pd = lib.matmulPd(a, src, wts, b, dst, lib.userScratchpadAttr(a));
        }
        p = new OneDnnPrimitive(lib, pd);
        OneDnnPrimitive raced = primitives.putIfAbsent(key, p);
        return raced != null ? raced : p;
    }

    // ---- weights --------------------------------------------------------------------------------------------

    private record NativeKey(long address, long byteSize, DType dtype, int n) {}

    private record HeapKey(long offset, long byteSize, DType dtype, int n) {}

    /** A weight converted to the primitive's layout: the buffer and the primitive whose pd owns the descriptor. */
    private record Variant(OneDnnPrimitive owner, MemorySegment buffer) {}

    /** The converted copies of one weight tensor (normally one layout). */
    private static final class Packed {
        final WeakReference<MemorySegment.Scope> scope;
        final CopyOnWriteArrayList<Variant> variants = new CopyOnWriteArrayList<>();

        /** {@code scope}: of the weight's memory (cache entries), null for a {@link PackedWeight}'s. */
        Packed(MemorySegment.Scope scope) { this.scope = scope == null ? null : new WeakReference<>(scope); }

        boolean alive() {
            if (scope == null) return true;
            MemorySegment.Scope s = scope.get();
            return s != null && s.isAlive();
        }

        long bytes() {
            long b = 0;
            for (Variant v : variants) b += v.buffer.byteSize();
            return b;
        }
    }

    private Variant packed(Tensor w, OneDnnPrimitive prim, Workspace ws) {
        MemorySegment data = w.data();
        int n = w.dim(0);
        Packed packed;
        PackedWeight handle = w.prepared() instanceof PackedWeight p && p.owner == this ? p : null;
        if (handle != null) {
            packed = handle.packed;
        } else if (data.isNative()) {
            NativeKey key = new NativeKey(data.address(), data.byteSize(), w.dtype(), n);
            packed = nativeWeights.get(key);
            if (packed == null || !packed.alive()) {
                // A dead entry means the file was unmapped and the address reused: drop every such entry.
                nativeWeights.values().removeIf(p -> !p.alive());
                packed = nativeWeights.computeIfAbsent(key, kk -> new Packed(data.scope()));
            }
        } else {
            Object base = data.heapBase().orElseThrow();
            ConcurrentHashMap<HeapKey, Packed> perArray;
            synchronized (heapWeights) {
                perArray = heapWeights.computeIfAbsent(base, b -> new ConcurrentHashMap<>());
            }
            packed = perArray.computeIfAbsent(new HeapKey(data.address(), data.byteSize(), w.dtype(), n),
                    kk -> new Packed(data.scope()));
        }
        for (Variant v : packed.variants) {
            if (v.owner == prim || lib.mdEqual(v.owner.weightsMd, prim.weightsMd)) return v;
        }
        synchronized (packed) {
            for (Variant v : packed.variants) {
                if (v.owner == prim || lib.mdEqual(v.owner.weightsMd, prim.weightsMd)) return v;
            }
            Variant v = new Variant(prim, reorderWeights(w, handle == null ? null : handle.values, prim, ws));
            packed.variants.add(v);
            if (handle != null) handle.release.accept(handle.original);
            else afterPacking.accept(w);
            return v;
        }
    }

    /**
     * Converts {@code w} [N, K] (seen as K x N with strides (1, K)), or the bf16 values {@code valuesOrNull} writes for it,
     * into {@code prim}'s weight layout.
     */
    private MemorySegment reorderWeights(Tensor w, Bf16Weights valuesOrNull, OneDnnPrimitive prim, Workspace ws) {
        int n = w.dim(0), k = w.dim(1);
        int srcType = valuesOrNull != null || w.dtype() == DType.BF16 ? OneDnn.DT_BF16 : OneDnn.DT_F32;
        MemorySegment buffer = Arena.ofAuto().allocate(Math.max(64, lib.mdSize(prim.weightsMd)), 64);
        try (Arena a = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment srcData;
            if (valuesOrNull != null) {
                srcData = shared.allocate((long) n * k * 2, 64);      // the writer may use several threads
                valuesOrNull.write(srcData);
            } else {
                srcData = w.data().isNative() ? MemorySegment.ofAddress(w.data().address())
                        : a.allocate(w.data().byteSize(), 64).copyFrom(w.data());
            }
            MemorySegment srcMd = lib.memoryDesc(a, new long[] {k, n}, srcType, new long[] {1, k});
            MemorySegment pd = lib.reorderPd(a, srcMd, prim.weightsMd);
            MemorySegment reorder;
            try {
                reorder = lib.primitiveCreate(pd);
            } finally {
                lib.pdDestroy(pd);
            }
            MemorySegment args = a.allocate(OneDnn.EXEC_ARG, 2), slots = a.allocate(ADDRESS, 2);
            int nargs = 0;
            try {
                nargs = OneDnnPrimitive.arg(lib, args, slots, nargs, OneDnn.ARG_FROM, srcMd, srcData);
                nargs = OneDnnPrimitive.arg(lib, args, slots, nargs, OneDnn.ARG_TO, prim.weightsMd, buffer);
                lib.execute(reorder, ws.exec.stream, nargs, args);
            } finally {
                OneDnnPrimitive.destroyArgs(lib, args, nargs);
                lib.primitiveDestroy(reorder);
            }
        }
        Reference.reachabilityFence(w);
        return buffer;
    }

    // ---- per-thread state -----------------------------------------------------------------------------------

    /** A stream and growable native buffers for one thread. */
    private static final class Workspace {
        final OneDnnStream exec;
        private MemorySegment src = MemorySegment.NULL, dst = MemorySegment.NULL, scratch = MemorySegment.NULL,
                bias = MemorySegment.NULL, weights = MemorySegment.NULL;

        Workspace(OneDnn lib) { this.exec = new OneDnnStream(lib); }

        MemorySegment src(long bytes) { return src = OneDnnStream.grow(src, bytes); }
        MemorySegment dst(long bytes) { return dst = OneDnnStream.grow(dst, bytes); }
        MemorySegment scratch(long bytes) { return scratch = OneDnnStream.grow(scratch, bytes); }
        MemorySegment bias(long bytes) { return bias = OneDnnStream.grow(bias, bytes); }
        MemorySegment weights(long bytes) { return weights = OneDnnStream.grow(weights, bytes); }
    }
}
