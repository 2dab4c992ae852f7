package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.cpu.VectorMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * {@code Backend.attention} of the flow DiT (one query head per KV head, hundreds of frames) in bf16: per head,
 * {@code S = Q_h K_h^T} and {@code O_h = P_h V_h} are two oneDNN matmuls (bf16 operands rounded to nearest even,
 * f32 accumulation), and between them each S row gets the scaled, masked exps in float32 (Java), written as the bf16
 * {@code P} unnormalised; each output row is divided by its sum after the product (FlashAttention's order). Same
 * function as the scalar backend's attention up to the operand rounding (relative 2^-9 per operand; bounded in
 * {@code OneDnnAttentionTest} and, on the whole flow, {@code Bf16FlowQualityTest}).
 *
 * <p>One head at a time so that its f32 scores (frames^2 x 4 bytes: 400 KB at 320 frames) stay in L2. Measured
 * on one core at 314 frames x 16 heads of 64: all heads batched in one product 4.1-6.2 ms per call (26 MB of
 * scores and probabilities through memory), per head 3.1-3.2 ms, the Java fp32 kernel 3.6-4.8 ms. The operands are
 * copied row-major as they come (Q converted, K and V cached bf16 copied in bulk); each head's matmuls read its columns
 * through strides. A first chunk's call (100 queries, 250 keys, 16 heads), one core: 0.81 ms with head-major copies,
 * the softmax's max and clamps as Java max/min and a separate normalising pass, 0.60 ms now.
 *
 * <p>Query and key counts are rounded up to a multiple of {@link #BUCKET} (zero rows; padded keys are masked,
 * padded queries dropped) so that nearby lengths share primitives; operands live in per-thread native buffers.
 */
public final class OneDnnAttention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Row rounding; a multiple of the vector length, so that the softmax runs on whole vectors. */
    static final int BUCKET = Math.max(16, L);
    private static final int MAX_PRIMITIVES = 64;

    private final OneDnn lib;
    private final Map<Key, Pair> primitives = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Pair> eldest) { return size() > MAX_PRIMITIVES; }
    });
    private final ThreadLocal<Buffers> buffers;

    public OneDnnAttention(OneDnn lib) {
        this.lib = lib;
        this.buffers = ThreadLocal.withInitial(() -> new Buffers(lib));
    }

    /** Whether this call goes through oneDNN: one query head per KV head, at least {@code minRows} queries. */
    public static boolean supports(int tq, int tk, int heads, int kvHeads, int headDim, float scale, int minRows) {
        return heads == kvHeads && heads >= 1 && tq >= minRows && tk >= 1 && headDim >= 1
                && scale > 0f && Float.isFinite(scale);
    }

    static int pad(int n) { return (n + BUCKET - 1) / BUCKET * BUCKET; }

    /** The oneDNN implementations of the two products at this shape, e.g. {@code brg:avx512_core_bf16}. */
    public String implementation(int tq, int tk, int heads, int hd, int teamSize) {
        lib.setThreads(teamSize);
        Pair p = primitives(pad(tq), pad(tk), heads * hd, hd, teamSize);
        return lib.implInfo(p.scores.pd) + " / " + lib.implInfo(p.values.pd);
    }

    /** See {@code Backend.attention} (with {@code kvHeads == heads}); products on an OpenMP team of {@code teamSize}. */
    void attention(float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads, int hd, float scale,
                   AttentionMask mask, int teamSize) {
        attention(out, 0, q, 0, k, 0, v, 0, tq, tk, heads, 0, heads, hd, scale, mask, teamSize);
    }

    /**
     * Heads {@code [h0, h1)} of {@link #attention(float[], float[], float[], float[], int, int, int, int, float,
     * AttentionMask, int)} (the other heads' output columns are not written), on arrays whose matrices start at
     * {@code oo}, {@code qo}, {@code ko}, {@code vo} (views).
     */
    public void attention(float[] out, int oo, float[] q, int qo, float[] k, int ko, float[] v, int vo, int tq, int tk,
                          int heads, int h0, int h1, int hd, float scale, AttentionMask mask, int teamSize) {
        checkBounds(out.length, oo, q.length, qo, k.length, ko, v.length, vo, tq, tk, heads, hd, h0, h1);
        attention(out, oo, q, qo, tq, tk, heads, h0, h1, hd, scale, mask, teamSize, (ks, vs, tkP) -> {
            operand(k, ko, tk, tkP, heads * hd, h0 * hd, (h1 - h0) * hd, ks);
            operand(v, vo, tk, tkP, heads * hd, h0 * hd, (h1 - h0) * hd, vs);
        });
    }

    /**
     * The same with keys and values stored as bfloat16 bits (a bf16 DiT's streaming caches): copied into the operands as
     * they are, which is what rounding their float32 values would give.
     */
    public void attention(float[] out, int oo, float[] q, int qo, short[] k, int ko, short[] v, int vo, int tq, int tk,
                          int heads, int h0, int h1, int hd, float scale, AttentionMask mask, int teamSize) {
        checkBounds(out.length, oo, q.length, qo, k.length, ko, v.length, vo, tq, tk, heads, hd, h0, h1);
        attention(out, oo, q, qo, tq, tk, heads, h0, h1, hd, scale, mask, teamSize, (ks, vs, tkP) -> {
            operand(k, ko, tk, tkP, heads * hd, h0 * hd, (h1 - h0) * hd, ks);
            operand(v, vo, tk, tkP, heads * hd, h0 * hd, (h1 - h0) * hd, vs);
        });
    }

    private static void checkBounds(int outLength, int oo, int qLength, int qo, int kLength, int ko, int vLength, int vo,
                                    int tq, int tk, int heads, int hd, int h0, int h1) {
        int width = heads * hd;
        if (h0 < 0 || h1 > heads || h0 >= h1) throw new IllegalArgumentException("attention: heads [" + h0 + ", " + h1 + ") of " + heads);
        if (Math.min(Math.min(oo, qo), Math.min(ko, vo)) < 0 || qo + (long) tq * width > qLength
                || ko + (long) tk * width > kLength || vo + (long) tk * width > vLength || oo + (long) tq * width > outLength) {
            throw new IllegalArgumentException("attention: arrays too short for tq " + tq + ", tk " + tk + ", "
                    + heads + " heads of " + hd);
        }
    }

    /** Writes the row-major bf16 K and V operands of {@code tkP} padded rows (the call's heads' columns). */
    private interface KeyValueOperands {
        void write(MemorySegment keys, MemorySegment values, int tkP);
    }

    private void attention(float[] out, int oo, float[] q, int qo, int tq, int tk, int heads, int h0, int h1, int hd,
                           float scale, AttentionMask mask, int teamSize, KeyValueOperands kv) {
        int width = heads * hd, count = h1 - h0, cols = count * hd;
        int tqP = pad(tq), tkP = pad(tk);
        lib.setThreads(teamSize);
        Pair prims = primitives(tqP, tkP, cols, hd, teamSize);
        Buffers b = buffers.get();
        MemorySegment qs = b.q.take((long) tqP * cols * 2), ks = b.k.take((long) tkP * cols * 2), vs = b.v.take((long) tkP * cols * 2);
        MemorySegment s = b.s.take((long) tqP * tkP * 4), p = b.p.take((long) tqP * tkP * 2);
        MemorySegment o = b.o.take((long) tqP * cols * 4);
        MemorySegment scratch = b.scratch.take(Math.max(prims.scores.scratchBytes, prims.values.scratchBytes));
        operand(q, qo, tq, tqP, width, h0 * hd, cols, qs);
        kv.write(ks, vs, tkP);
        float[] row = b.row(tkP), inv = b.inv(count * tqP);
        for (int h = 0; h < count; h++) {
            long col = (long) h * hd;                                // head h0 + h: its columns of the row-major operands
            prims.scores.execute(b.exec, qs.asSlice(col * 2), ks.asSlice(col * 2), MemorySegment.NULL, s, scratch);
            for (int i = 0; i < tqP; i++) {
                int vis = i < tq ? Math.min(mask.visibleKeys(i, tk), tk) : 0;
                long at = (long) i * tkP;
                if (vis <= 0) {
                    p.asSlice(at * 2, tkP * 2L).fill((byte) 0);             // no visible key: a zero output row
                    inv[h * tqP + i] = 0f;
                    continue;
                }
                // whole vectors (keys are padded to them): the scores of masked keys in the last one are set to -inf,
                // whose exp is the clamp's ~1e-38, too small to change the sum, and zeros overwrite them in P below
                int whole = (vis + L - 1) / L * L;
                MemorySegment.copy(s, JAVA_FLOAT, at * 4, row, 0, vis);
                Arrays.fill(row, vis, whole, Float.NEGATIVE_INFINITY);
                inv[h * tqP + i] = 1f / expToBf16(row, whole, scale, p, at * 2);
                if (vis < tkP) p.asSlice((at + vis) * 2, (tkP - vis) * 2L).fill((byte) 0);   // masked keys
            }
            prims.values.execute(b.exec, p, vs.asSlice(col * 2), MemorySegment.NULL, o.asSlice(col * 4), scratch);
        }
        for (int i = 0; i < tq; i++) {                          // the softmax's 1 / sum, per row and head, applied here
            int at = oo + i * width + h0 * hd;
            MemorySegment.copy(o, JAVA_FLOAT, (long) i * cols * 4, out, at, cols);
            for (int h = 0; h < count; h++) scale(out, at + h * hd, hd, inv[h * tqP + i]);
        }
        Reference.reachabilityFence(prims);
        Reference.reachabilityFence(b);
    }

    /**
     * One row of P, unnormalised: {@code bf16(exp(scale * x[j] - scale * max))} over the row's first {@code n} keys
     * (visible, or -inf; a whole number of vectors) with {@link dev.cosyvoice4j.backend.FloatMath#expForBf16}, written
     * to {@code p} from byte {@code at}; returns the sum of the exps (before rounding). The output row is divided by it
     * after the product (FlashAttention's order), so the exps go to bf16 as they are, with no scaling pass.
     * {@code scale > 0}, so the max of the scaled row is {@code scale * max}.
     */
    private static float expToBf16(float[] x, int n, float scale, MemorySegment p, long at) {
        // a NaN score is skipped by the max but still makes its exp, so the row's sum, NaN
        float shift = -VectorMath.maxSkippingNaN(x, 0, n) * scale;
        float sum = VectorMath.expForBf16ScaledSum(x, n, scale, shift);
        Bf16.convert(x, 0, n, p, at);
        return sum;
    }

    /** {@code x[at + j] *= factor} for {@code j < n}. */
    private static void scale(float[] x, int at, int n, float factor) {
        int j = 0;
        for (; j <= n - L; j += L) FloatVector.fromArray(F, x, at + j).mul(factor).intoArray(x, at + j);
        for (; j < n; j++) x[at + j] *= factor;
    }

    /**
     * Columns {@code [c0, c0 + cols)} of {@code x} [rows][width] from {@code xo} as row-major bf16 [padded][cols] (each
     * head a strided view of it), zero rows past {@code rows}.
     */
    private static void operand(float[] x, int xo, int rows, int padded, int width, int c0, int cols, MemorySegment dst) {
        if (cols == width) Bf16.convert(x, xo, rows * cols, dst, 0);
        else for (int t = 0; t < rows; t++) Bf16.convert(x, xo + t * width + c0, cols, dst, (long) t * cols * 2);
        zeroPadding(rows, padded, cols, dst);
    }

    /** The same from bf16 bits (copied as they are). */
    private static void operand(short[] x, int xo, int rows, int padded, int width, int c0, int cols, MemorySegment dst) {
        if (cols == width) MemorySegment.copy(x, xo, dst, BF16_BITS, 0, rows * cols);
        else for (int t = 0; t < rows; t++) MemorySegment.copy(x, xo + t * width + c0, dst, BF16_BITS, (long) t * cols * 2, cols);
        zeroPadding(rows, padded, cols, dst);
    }

    private static void zeroPadding(int rows, int padded, int cols, MemorySegment dst) {
        if (rows < padded) dst.asSlice((long) rows * cols * 2, (long) (padded - rows) * cols * 2).fill((byte) 0);
    }

    private static final java.lang.foreign.ValueLayout.OfShort BF16_BITS =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private record Key(int tqP, int tkP, int cols, int hd, int teamSize) {}

    private record Pair(OneDnnPrimitive scores, OneDnnPrimitive values) {}

    /**
     * Per head, on views of the row-major operands of {@code cols} columns (the call's heads): S = Q_h [tqP, hd] x
     * K_h^T [hd, tkP] (K_h's rows read transposed) -> f32 [tqP, tkP]; O_h = P [tqP, tkP] x V_h [tkP, hd] -> its columns
     * of the f32 [tqP, cols] output.
     */
    private Pair primitives(int tqP, int tkP, int cols, int hd, int teamSize) {
        Key key = new Key(tqP, tkP, cols, hd, teamSize);
        Pair pair = primitives.get(key);
        if (pair != null) return pair;
        OneDnnPrimitive scores, values;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = lib.memoryDesc(a, new long[] {tqP, hd}, OneDnn.DT_BF16, new long[] {cols, 1});
            MemorySegment wts = lib.memoryDesc(a, new long[] {hd, tkP}, OneDnn.DT_BF16, new long[] {1, cols});
            MemorySegment dst = lib.memoryDesc(a, new long[] {tqP, tkP}, OneDnn.DT_F32, new long[] {tkP, 1});
            scores = new OneDnnPrimitive(lib, lib.matmulPd(a, src, wts, MemorySegment.NULL, dst, lib.userScratchpadAttr(a)));
            src = lib.memoryDesc(a, new long[] {tqP, tkP}, OneDnn.DT_BF16, new long[] {tkP, 1});
            wts = lib.memoryDesc(a, new long[] {tkP, hd}, OneDnn.DT_BF16, new long[] {cols, 1});
            dst = lib.memoryDesc(a, new long[] {tqP, hd}, OneDnn.DT_F32, new long[] {cols, 1});
            values = new OneDnnPrimitive(lib, lib.matmulPd(a, src, wts, MemorySegment.NULL, dst, lib.userScratchpadAttr(a)));
        }
        pair = new Pair(scores, values);
        Pair raced = primitives.putIfAbsent(key, pair);
        return raced != null ? raced : pair;
    }

    /** Per-thread stream and growable native buffers (never shrunk). */
    private static final class Buffers {
        final OneDnnStream exec;
        final Growable q = new Growable(), k = new Growable(), v = new Growable(), s = new Growable(),
                p = new Growable(), o = new Growable(), scratch = new Growable();
        private float[] row = new float[0];

        Buffers(OneDnn lib) { this.exec = new OneDnnStream(lib); }

        float[] row(int n) { return row.length >= n ? row : (row = new float[n]); }

        private float[] inv = new float[0];

        float[] inv(int n) { return inv.length >= n ? inv : (inv = new float[n]); }
    }

    private static final class Growable {
        private MemorySegment seg = MemorySegment.NULL;

        MemorySegment take(long bytes) { return seg = OneDnnStream.grow(seg, bytes); }
    }
}
