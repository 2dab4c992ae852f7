package dev.cosyvoice4j.model.qwen2;

/**
 * Per-request mutable state of a {@link Qwen2Model}: the KV cache (the role of HF's {@code DynamicCache} in
 * {@code Qwen2Encoder.forward_one_step}) and every scratch buffer a forward pass needs. The cache is allocated
 * once for {@link #capacity()} positions; scratch buffers grow to the largest chunk seen (the prefill) and are
 * then reused, so a one-row decode step allocates nothing.
 *
 * <p>Not thread-safe: one session belongs to one request at a time. One model serves any number of sessions.
 */
public final class Qwen2Session {
    final int capacity;
    final int kvDim;
    /** Per layer: {@code [capacity, kvHeads * headDim]}, RoPE already applied to the keys. */
    final float[][] keyCache;
    final float[][] valueCache;
    private int length;

    // scratch, [scratchRows, width] each
    int scratchRows;
    float[] hidden, normed, q, k, v, attn, proj, gate, up;
    private final int hiddenSize, qDim, ffn;

    Qwen2Session(int capacity, int layers, int hiddenSize, int qDim, int kvDim, int ffn) {
        if (capacity < 1) throw new IllegalArgumentException("KV cache capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.kvDim = kvDim;
        this.hiddenSize = hiddenSize;
        this.qDim = qDim;
        this.ffn = ffn;
        long cacheFloats = (long) capacity * kvDim;
        if (cacheFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions is too large for one layer array");
        }
        keyCache = new float[layers][(int) cacheFloats];
        valueCache = new float[layers][(int) cacheFloats];
        ensureScratch(1);
    }

    /** Positions already in the cache (the position the next input row gets). */
    public int length() { return length; }

    /** The most positions this session can hold. */
    public int capacity() { return capacity; }

    /** Positions still free. */
    public int remaining() { return capacity - length; }

    /** Forgets every cached position (the buffers are kept for the next request). */
    public void reset() { length = 0; }

    void advance(int rows) { length += rows; }

    /** Grows the scratch buffers to hold {@code rows} rows (only the prefill allocates). */
    void ensureScratch(int rows) {
        if (rows <= scratchRows) return;
        hidden = new float[rows * hiddenSize];
        normed = new float[rows * hiddenSize];
        proj = new float[rows * hiddenSize];
        q = new float[rows * qDim];
        attn = new float[rows * qDim];
        k = new float[rows * kvDim];
        v = new float[rows * kvDim];
        gate = new float[rows * ffn];
        up = new float[rows * ffn];
        scratchRows = rows;
    }

    /** Bytes held by the KV cache. */
    public long cacheBytes() { return 2L * keyCache.length * capacity * kvDim * Float.BYTES; }
}
