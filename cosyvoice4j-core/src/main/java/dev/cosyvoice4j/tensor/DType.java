package dev.cosyvoice4j.tensor;

/** Element types the engine reads from checkpoint files or computes with. */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1),
    /**
     * ggml {@code block_q8_0}: blocks of 32 values along the last dimension, each a float16 scale {@code d} then
     * 32 int8 {@code q} (34 bytes); value = {@code q * d}. Made at load time by {@code QuantizedWeights}.
     */
    Q8_0(34, 32),
    /**
     * ggml {@code block_q4_0}: float16 {@code d} then 16 bytes; value {@code i < 16} is the low nibble of byte
     * {@code i}, value {@code i + 16} its high nibble; value = {@code (q - 8) * d} (18 bytes per 32 values).
     */
    Q4_0(18, 32);

    private final int blockBytes;
    private final int blockSize;

    DType(int byteSize) { this(byteSize, 1); }

    DType(int blockBytes, int blockSize) {
        this.blockBytes = blockBytes;
        this.blockSize = blockSize;
    }

    /**
     * Bytes per element. Block-quantised types have no whole per-element size: use {@link #storageBytes(long)}.
     *
     * @throws IllegalStateException for {@link #isBlockQuantized()} types
     */
    public int byteSize() {
        if (blockSize != 1) throw new IllegalStateException(this + " is block-quantised: use storageBytes(numel)");
        return blockBytes;
    }

    /** Elements per storage block (1 for plain types, 32 for Q8_0 / Q4_0). */
    public int blockSize() { return blockSize; }

    /** Bytes per storage block (the element size for plain types). */
    public int blockBytes() { return blockBytes; }

    public boolean isBlockQuantized() { return blockSize != 1; }

    /**
     * Bytes that {@code numel} elements occupy.
     *
     * @throws IllegalArgumentException if a block type's element count is not a multiple of its block size
     */
    public long storageBytes(long numel) {
        if (numel % blockSize != 0) {
            throw new IllegalArgumentException(numel + " elements are not whole " + this + " blocks of " + blockSize);
        }
        return Math.multiplyExact(numel / blockSize, (long) blockBytes);
    }

    public boolean isFloating() { return this == F32 || this == F16 || this == BF16 || this == F64; }
}
