package dev.cosyvoice4j.backend.host;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The quantiser of ggml's {@code block_q8_0} / {@code block_q4_0} ({@code ggml-quants.c}: {@code quantize_row_q8_0_ref},
 * {@code quantize_row_q4_0_ref}), moved out of {@code backend.cpu.QuantizedWeights} so that a backend without the
 * Vector API (the scalar one) can make the same bytes. Reading the blocks back is {@link Tensor#getFloat}.
 *
 * <ul>
 *   <li>{@link DType#Q8_0}: float16 {@code d}, 32 x int8 {@code q}; value {@code q * d}, {@code d = max|x| / 127},
 *       {@code q = roundf(x / d)} (34 bytes per 32 weights).</li>
 *   <li>{@link DType#Q4_0}: float16 {@code d}, 16 bytes of nibbles (value i in the low nibble of byte i, value
 *       i + 16 in its high nibble); value {@code (q - 8) * d}, {@code d = x_absmax / -8} (signed: the extreme value
 *       maps to q = 0), {@code q = min(15, (int)(x / d + 8.5))} (18 bytes per 32 weights).</li>
 * </ul>
 */
public final class GgmlQuant {
    private GgmlQuant() {}

    /** Values per block (ggml {@code QK8_0} = {@code QK4_0} = 32). */
    public static final int BLOCK = 32;

    /** ggml {@code block_q8_0}: {@code ggml_half d; int8_t qs[32];}. */
    public static final StructLayout BLOCK_Q8_0 = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT_UNALIGNED.withName("d"), MemoryLayout.sequenceLayout(BLOCK, ValueLayout.JAVA_BYTE).withName("qs"));
    /** ggml {@code block_q4_0}: {@code ggml_half d; uint8_t qs[16];}. */
    public static final StructLayout BLOCK_Q4_0 = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT_UNALIGNED.withName("d"), MemoryLayout.sequenceLayout(BLOCK / 2, ValueLayout.JAVA_BYTE).withName("qs"));

    static {
        if (BLOCK_Q8_0.byteSize() != 34 || DType.Q8_0.blockBytes() != BLOCK_Q8_0.byteSize() || DType.Q8_0.blockSize() != BLOCK) {
            throw new AssertionError("block_q8_0 must be 34 bytes per 32 values, DType says " + DType.Q8_0.blockBytes());
        }
        if (BLOCK_Q4_0.byteSize() != 18 || DType.Q4_0.blockBytes() != BLOCK_Q4_0.byteSize() || DType.Q4_0.blockSize() != BLOCK) {
            throw new AssertionError("block_q4_0 must be 18 bytes per 32 values, DType says " + DType.Q4_0.blockBytes());
        }
    }

    /** Blocks per work item of {@link #quantize(Tensor, DType, Arena)}. */
    private static final int CHUNK_BLOCKS = 1024;

    /** Whether {@code w} can be quantised: a float32 tensor whose last dimension is a whole number of blocks. */
    public static boolean quantizable(Tensor w) {
        return w.dtype() == DType.F32 && w.rank() > 0 && w.dim(-1) % BLOCK == 0;
    }

    /** Quantises a float32 weight (last dimension a multiple of 32) into a new native segment kept alive by GC. */
    public static Tensor quantize(Tensor w, DType type) {
        return quantize(w, type, Arena.ofAuto());
    }

    /**
     * Quantises a float32 tensor (any rank, last dimension a multiple of 32) with ggml's reference rounding into
     * memory from {@code arena}.
     *
     * @throws IllegalArgumentException for a non-F32 source, a non-quantised target or a bad last dimension
     */
    public static Tensor quantize(Tensor w, DType type, Arena arena) {
        if (w.dtype() != DType.F32) throw new IllegalArgumentException("quantize: need an F32 tensor, got " + w);
        if (type != DType.Q8_0 && type != DType.Q4_0) throw new IllegalArgumentException("quantize: " + type + " is not Q8_0 or Q4_0");
        if (w.rank() == 0 || w.dim(-1) % BLOCK != 0) {
            throw new IllegalArgumentException("quantize: last dimension of " + w + " must be a multiple of " + BLOCK);
        }
        long blocks = w.numel() / BLOCK;
        MemorySegment dst = arena.allocate(type.storageBytes(w.numel()), 64);
        MemorySegment src = w.data();
        int bytes = type.blockBytes();
        // chunks of blocks through heap buffers (bulk copies in and out: per-element segment access was most of the
        // time), spread over the common pool's threads (the model load quantises ~360 M weights); each block's bytes
        // depend on that block alone, so the result does not depend on the split
        long chunks = (blocks + CHUNK_BLOCKS - 1) / CHUNK_BLOCKS;
        java.util.stream.LongStream.range(0, chunks).parallel().forEach(c -> {
            long b0 = c * CHUNK_BLOCKS;
            int n = (int) Math.min(CHUNK_BLOCKS, blocks - b0);
            float[] x = new float[n * BLOCK];
            MemorySegment.copy(src, Tensor.F32_LE, b0 * BLOCK * Float.BYTES, x, 0, n * BLOCK);
            byte[] out = new byte[n * bytes];   // a plain array, not a heap segment: see Tensor.of
            for (int b = 0; b < n; b++) {
                if (type == DType.Q8_0) quantizeQ8(x, b * BLOCK, out, b * bytes);
                else quantizeQ4(x, b * BLOCK, out, b * bytes);
            }
            MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, b0 * bytes, n * bytes);
        });
        return new Tensor(type, w.shape(), dst);
    }

    /** ggml quantize_row_q8_0_ref for the one block {@code x[xo .. xo + 32)} into {@code dst[off .. off + 34)}. */
    public static void quantizeQ8(float[] x, int xo, byte[] dst, int off) {
        float amax = 0;
        for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax / 127f, id = d != 0 ? 1f / d : 0f;
        putF16(dst, off, Float.floatToFloat16(d));
        for (int j = 0; j < BLOCK; j++) dst[off + 2 + j] = (byte) roundAway(x[xo + j] * id);
    }

    /** ggml quantize_row_q4_0_ref for the one block {@code x[xo .. xo + 32)} into {@code dst[off .. off + 18)}. */
    public static void quantizeQ4(float[] x, int xo, byte[] dst, int off) {
        float amax = 0, max = 0;
        for (int j = 0; j < BLOCK; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f, id = d != 0 ? 1f / d : 0f;
        putF16(dst, off, Float.floatToFloat16(d));
        for (int j = 0; j < BLOCK / 2; j++) {
            int q0 = Math.min(15, (int) (x[xo + j] * id + 8.5f)), q1 = Math.min(15, (int) (x[xo + j + BLOCK / 2] * id + 8.5f));
            dst[off + 2 + j] = (byte) (q0 | q1 << 4);
        }
    }

    /** Little-endian float16 bits (ggml_half) at {@code off}. */
    private static void putF16(byte[] dst, int off, short bits) {
        dst[off] = (byte) bits;
        dst[off + 1] = (byte) (bits >> 8);
    }

    /** C's roundf: halves away from zero. */
    private static int roundAway(float v) {
        int r = Math.round(Math.abs(v));
        return v < 0 ? -r : r;
    }
}
