package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.host.GgmlQuant;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Block-quantised Linear weights in ggml's byte layouts, made at load time from float32 tensors, and the
 * {@code linear} kernels that read them.
 *
 * <ul>
 *   <li>{@link DType#Q8_0} = ggml {@code block_q8_0}: float16 {@code d}, 32 x int8 {@code q}; value {@code q * d},
 *       {@code d = max|x| / 127}, {@code q = roundf(x / d)} (34 bytes per 32 weights: 3.76x smaller than F32).</li>
 *   <li>{@link DType#Q4_0} = ggml {@code block_q4_0}: float16 {@code d}, 16 bytes of nibbles (value i in the low
 *       nibble of byte i, value i + 16 in its high nibble); value {@code (q - 8) * d}, {@code d = x_absmax / -8}
 *       (signed: the extreme value maps to q = 0), {@code q = min(15, (int)(x / d + 8.5))} (18 bytes: 7.1x smaller).</li>
 * </ul>
 *
 * <p>Kernels dequantise on the fly into float32 and multiply by float32 activations (no activation
 * quantisation, unlike ggml's q8_0 x q8_0 dot): the Vector API has no int8 dot-product (VNNI) operation, and
 * widening int8 products through shorts costs more than converting 16 bytes to 16 floats (one vpmovsxbd +
 * vcvtdq2ps) and one FMA; it is also more accurate. Decode mat-vecs stream the quantised rows (memory-bound,
 * 3.8x / 7.1x fewer bytes); more rows go through the packed GEMM with a dequantising B packer.
 *
 * <p>Error versus the float32 weights (per weight): Q8_0 at most {@code d/2 = max|x|/254} plus float16 rounding
 * of d (relative 2^-11, times |q| <= 127); Q4_0 at most {@code |d|/2 = max|x|/16} for values of the extreme's sign,
 * up to {@code max|x|/8} for the other sign (its levels stop at {@code 7|d|}), plus the same d rounding.
 */
public final class QuantizedWeights {
    private QuantizedWeights() {}

    public static final int BLOCK = GgmlQuant.BLOCK;

    /** ggml {@code block_q8_0}: {@code ggml_half d; int8_t qs[32];} (defined in {@link GgmlQuant}). */
    public static final StructLayout BLOCK_Q8_0 = GgmlQuant.BLOCK_Q8_0;
    /** ggml {@code block_q4_0}: {@code ggml_half d; uint8_t qs[16];} (defined in {@link GgmlQuant}). */
    public static final StructLayout BLOCK_Q4_0 = GgmlQuant.BLOCK_Q4_0;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort F16 = Tensor.I16_LE;
    /** The vector kernels convert 16 bytes to 16 floats; elsewhere the scalar path is used. */
    private static final boolean VECTOR = L == 16;

    /** Quantises a float32 weight (last dimension a multiple of 32): {@link GgmlQuant#quantize(Tensor, DType)}. */
    public static Tensor quantize(Tensor w, DType type) {
        return GgmlQuant.quantize(w, type);
    }

    /**
     * Quantises a float32 tensor (any rank, last dimension a multiple of 32) with ggml's reference rounding into
     * memory from {@code arena}: {@link GgmlQuant#quantize(Tensor, DType, Arena)}.
     *
     * @throws IllegalArgumentException for a non-F32 source, a non-quantised target or a bad last dimension
     */
    public static Tensor quantize(Tensor w, DType type, Arena arena) {
        return GgmlQuant.quantize(w, type, arena);
    }

    /** ggml quantize_row_q8_0_ref for one block: {@link GgmlQuant#quantizeQ8}. */
    static void quantizeQ8(float[] x, int xo, byte[] dst, int off) {
        GgmlQuant.quantizeQ8(x, xo, dst, off);
    }

    /** ggml quantize_row_q4_0_ref for one block: {@link GgmlQuant#quantizeQ4}. */
    static void quantizeQ4(float[] x, int xo, byte[] dst, int off) {
        GgmlQuant.quantizeQ4(x, xo, dst, off);
    }

    // ---- linear --------------------------------------------------------------------------------------------

    /**
     * {@code out[oo + r*n + j] = bias[j] + sum_p x[xo + r*k + p] * w[j, p]} for a Q8_0/Q4_0 {@code [n, k]} weight;
     * {@code oo}, {@code xo} are the arrays' base offsets.
     */
    static void linear(KernelPool pool, float[] out, int oo, float[] x, int xo, int rows, Tensor w, float[] bias) {
        int n = w.dim(0), k = w.dim(1);
        DType type = w.dtype();
        MemorySegment seg = w.data();
        if (rows == 1) {
            int threads = pool.threads();
            int blk = Math.max(16, ((n + 4 * threads - 1) / (4 * threads) + 3) & ~3);
            pool.parallelFor((n + blk - 1) / blk, q -> {
                int j1 = Math.min(n, q * blk + blk);
                // one row per call: interleaving 4 rows in one method measured 3x slower (C2 node limits)
                for (int j = q * blk; j < j1; j++) out[oo + j] = type == DType.Q8_0 ? dotQ8(seg, j, k, x, xo) : dotQ4(seg, j, k, x, xo);
                if (bias != null) {
                    for (int i = q * blk; i < j1; i++) out[oo + i] += bias[i];
                }
            });
        } else {
            Gemm.gemm(pool, out, oo, new Gemm.ArrayA(x, xo), rows, n, k, new Dequantizing(seg, type, n, k), bias);
        }
    }

    /** 16 int8 at byte {@code off} as floats (only ever an operation's argument). */
    private static FloatVector q8(MemorySegment w, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, off, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Values 0..15 of a Q4_0 block (low nibbles) minus 8, as floats. */
    private static FloatVector q4lo(ByteVector q) {
        return (FloatVector) q.and((byte) 15).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Values 16..31 of a Q4_0 block (high nibbles) minus 8, as floats. */
    private static FloatVector q4hi(ByteVector q) {
        return (FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Row j of a Q8_0 [n, k] weight dotted with x from {@code xo} (float32 accumulation, per-block scale). */
    static float dotQ8(MemorySegment w, int j, int k, float[] x, int xo) {
        if (!VECTOR) return dotScalar(w, DType.Q8_0, j, k, x, xo);
        long row = (long) j * (k / BLOCK) * 34;
        // two accumulators (even / odd blocks): one chain of dependent FMAs per block was the limit (+12% GB/s)
        FloatVector acc = FloatVector.zero(F), acc2 = acc;
        // the x index is the loop variable (from xo), as it was from 0 before views: indexing x[xo + p] measured 4-6% slower
        int i = xo, end = xo + k;
        for (; i + 2 * BLOCK <= end; i += 2 * BLOCK, row += 68) {
            FloatVector x0 = FloatVector.fromArray(F, x, i), x1 = FloatVector.fromArray(F, x, i + L);
            FloatVector x2 = FloatVector.fromArray(F, x, i + 2 * L), x3 = FloatVector.fromArray(F, x, i + 3 * L);
            acc = x1.fma(q8(w, row + 18), x0.mul(q8(w, row + 2))).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(F16, row))), acc);
            acc2 = x3.fma(q8(w, row + 52), x2.mul(q8(w, row + 36))).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(F16, row + 34))), acc2);
        }
        if (i < end) {
            FloatVector x0 = FloatVector.fromArray(F, x, i), x1 = FloatVector.fromArray(F, x, i + L);
            acc = x1.fma(q8(w, row + 18), x0.mul(q8(w, row + 2))).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(F16, row))), acc);
        }
        return Lanes.sum(acc.add(acc2));
    }

    /** Row j of a Q4_0 [n, k] weight dotted with x from {@code xo}. */
    static float dotQ4(MemorySegment w, int j, int k, float[] x, int xo) {
        if (!VECTOR) return dotScalar(w, DType.Q4_0, j, k, x, xo);
        long row = (long) j * (k / BLOCK) * 18;
        FloatVector acc = FloatVector.zero(F);
        for (int i = xo, end = xo + k; i < end; i += BLOCK, row += 18) {
            FloatVector x0 = FloatVector.fromArray(F, x, i), x1 = FloatVector.fromArray(F, x, i + L);
            ByteVector q = ByteVector.fromMemorySegment(B, w, row + 2, LE);
            acc = x1.fma(q4hi(q), x0.mul(q4lo(q))).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(F16, row))), acc);
        }
        return Lanes.sum(acc);
    }

    private static float dotScalar(MemorySegment w, DType type, int j, int k, float[] x, int xo) {
        float[] row = new float[k];
        dequantizeRows(w, type, k, j, 1, 0, k, row);
        float s = 0;
        for (int p = 0; p < k; p++) s += row[p] * x[xo + p];
        return s;
    }

    /** Dequantises rows [from, from + count) of a quantised [n, k] weight, columns k0..k0+kc (block aligned), into dst[r*kc + p]. */
    static void dequantizeRows(MemorySegment w, DType type, int k, int from, int count, int k0, int kc, float[] dst) {
        int bytes = type.blockBytes();
        for (int r = 0; r < count; r++) {
            long row = ((long) (from + r) * (k / BLOCK) + k0 / BLOCK) * bytes;
            for (int p = 0; p < kc; p += BLOCK, row += bytes) {
                float d = Float.float16ToFloat(w.get(F16, row));
                int o = r * kc + p;
                if (VECTOR) {
                    FloatVector dv = FloatVector.fromArray(F, ONES, 0).mul(d);
                    if (type == DType.Q8_0) {
                        dv.mul(q8(w, row + 2)).intoArray(dst, o);
                        dv.mul(q8(w, row + 18)).intoArray(dst, o + L);
                    } else {
                        ByteVector q = ByteVector.fromMemorySegment(B, w, row + 2, LE);
                        dv.mul(q4lo(q)).intoArray(dst, o);
                        dv.mul(q4hi(q)).intoArray(dst, o + L);
                    }
                } else {
                    for (int i = 0; i < BLOCK; i++) {
                        int q;
                        if (type == DType.Q8_0) {
                            q = w.get(ValueLayout.JAVA_BYTE, row + 2 + i);
                        } else {
                            int b = w.get(ValueLayout.JAVA_BYTE, row + 2 + (i & 15)) & 0xff;
                            q = ((i < 16 ? b : b >>> 4) & 15) - 8;
                        }
                        dst[o + i] = q * d;
                    }
                }
            }
        }
    }

    /**
     * The prepared handle of a Q8_0/Q4_0 weight whose products of many rows run in bf16 through oneDNN
     * ({@code Backend.prepare(quantised, LINEAR, BF16, ..)}): its values {@code q * d} rounded to bf16 per call
     * ({@link #writeBf16}); its mat-vecs stay on the blocks.
     */
    enum Bf16Products { INSTANCE;
        @Override
        public String toString() { return "many-row products in bf16 from the blocks"; }
    }

    /** Rows of W converted per task of {@link #writeBf16}. */
    private static final int BF16_ROWS = 16;

    /**
     * A quantised {@code [n, k]} weight's values {@code q * d} (exact in float32) as bfloat16, round to nearest even,
     * row-major into {@code dst} (row j from byte {@code 2 j k}); the rows split over the pool. Each row is dequantised
     * into a per-thread float row ({@link #dequantizeRows}) and rounded by {@code Bf16.convert}.
     */
    static void writeBf16(KernelPool pool, Tensor w, MemorySegment dst) {
        int n = w.dim(0), k = w.dim(1);
        DType type = w.dtype();
        MemorySegment seg = w.data();
        pool.parallelFor((n + BF16_ROWS - 1) / BF16_ROWS, q -> {
            float[] row = STAGE.get();
            if (row.length < k) STAGE.set(row = new float[k]);
            for (int j = q * BF16_ROWS, j1 = Math.min(n, j + BF16_ROWS); j < j1; j++) {
                dequantizeRows(seg, type, k, j, 1, 0, k, row);
                dev.cosyvoice4j.backend.onednn.Bf16.convert(row, 0, k, dst, 2L * j * k);
            }
        });
    }

    private static final float[] ONES = filled(L, 1f);

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static final ThreadLocal<float[]> STAGE = ThreadLocal.withInitial(() -> new float[Gemm.NR * Gemm.KC]);

    /** GEMM B operand = W^T of a quantised [n, k] weight: dequantise a 32-row x kc stage, then transpose-pack it. */
    record Dequantizing(MemorySegment w, DType type, int n, int k) implements Gemm.BSource {
        @Override
        public void pack(float[] dst, int off, int n0, int k0, int kc) {
            int nr = Gemm.NR, cols = Math.min(nr, n - n0);
            float[] stage = STAGE.get();
            if (stage.length < nr * kc) STAGE.set(stage = new float[nr * kc]);
            dequantizeRows(w, type, k, n0, cols, k0, kc, stage);
            int p = 0;
            if (cols == nr && nr == 32 && Transpose.SUPPORTED) {
                for (; p + 16 <= kc; p += 16) {
                    Transpose.fromArray(stage, p, kc, dst, off + p * nr, nr);
                    Transpose.fromArray(stage, 16 * kc + p, kc, dst, off + p * nr + 16, nr);
                }
            }
            for (int q = p; q < kc; q++) {
                for (int j = 0; j < nr; j++) dst[off + q * nr + j] = j < cols ? stage[j * kc + q] : 0f;
            }
        }
    }
}
