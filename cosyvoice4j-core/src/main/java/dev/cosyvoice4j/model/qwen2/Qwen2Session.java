package dev.cosyvoice4j.model.qwen2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;

/**
 * Per-request mutable state of a {@link Qwen2Model}: the KV cache (the role of HF's {@code DynamicCache} in
 * {@code Qwen2Encoder.forward_one_step}), one backend buffer {@code [capacity, kvHeads * headDim]} per layer for keys
 * and for values, and every scratch buffer a forward pass needs. Appending to the cache copies the new rows into a
 * view; attention reads the cached prefix in place. The cache grows (keeping its contents) when a longer segment
 * needs it; scratch grows to the largest chunk seen (the prefill) and is then reused, so a one-row decode step
 * allocates nothing. {@link #reset()} keeps every buffer for the next segment or request.
 *
 * <p>Not thread-safe: one session belongs to one request at a time. One model serves any number of sessions.
 */
public final class Qwen2Session {
    /**
     * The most positions a cache grows to: Qwen2-0.5B's context ({@code max_position_embeddings} 32768). A request
     * past it (the text splitter keeps segments far below: about 80 text tokens and 20 speech tokens each) is refused.
     */
    public static final int MAX_POSITIONS = 32768;

    private final Backend backend;
    private final int layers, hiddenSize, qDim, kvDim, ffn;
    private int capacity;
    /** Per layer: {@code [capacity, kvHeads * headDim]}, RoPE already applied to the keys. */
    final Buf[] keyCache;
    final Buf[] valueCache;
    private int length;

    // scratch, [scratchRows, width] each
    private int scratchRows;
    Buf hidden, normed, q, k, v, attn, proj, gate, up;

    Qwen2Session(Backend backend, int capacity, int layers, int hiddenSize, int qDim, int kvDim, int ffn) {
        if (capacity < 1) throw new IllegalArgumentException("KV cache capacity must be >= 1, got " + capacity);
        this.backend = backend;
        this.layers = layers;
        this.hiddenSize = hiddenSize;
        this.qDim = qDim;
        this.kvDim = kvDim;
        this.ffn = ffn;
        this.keyCache = new Buf[layers];
        this.valueCache = new Buf[layers];
        ensureCapacity(capacity);
        ensureScratch(1);
    }

    /** Positions already in the cache (the position the next input row gets). */
    public int length() { return length; }

    /** Positions of an earlier use kept after {@link #reset()} (see {@link #resumeAt}). */
    private int retained;

    /** The most positions the cache holds before it grows. */
    public int capacity() { return capacity; }

    /** Positions still free. */
    public int remaining() { return capacity - length; }

    /**
     * Forgets every cached position (the buffers are kept for the next segment or request); their contents stay
     * intact until overwritten, so an input that starts like the previous one can resume after its common prefix
     * ({@link #resumeAt}).
     */
    public void reset() {
        retained = Math.max(length, retained);
        length = 0;
    }

    /** Continues after the first {@code positions} positions of the previous use (their keys and values are kept). */
    public void resumeAt(int positions) {
        if (positions < 0 || positions > Math.max(length, retained)) {
            throw new IllegalArgumentException("cannot resume at " + positions + ": " + Math.max(length, retained) + " positions kept");
        }
        length = positions;
        retained = 0;
    }

    void advance(int rows) { length += rows; }

    /** Grows the cache to at least {@code positions}, keeping the cached rows. */
    public void ensureCapacity(int positions) {
        if (positions <= capacity) return;
        if (positions > MAX_POSITIONS) {
            throw new IllegalArgumentException("the LLM input needs " + positions + " positions; the model's context holds "
                    + MAX_POSITIONS + " (use shorter text segments)");
        }
        int grown = Math.min(MAX_POSITIONS, Math.max(positions, capacity + capacity / 2));
        for (int l = 0; l < layers; l++) {
            Buf kc = backend.alloc(grown, kvDim), vc = backend.alloc(grown, kvDim);
            int keep = Math.max(length, retained);
            if (keep > 0) {
                backend.copy(kc.rows(0, keep), keyCache[l].rows(0, keep));
                backend.copy(vc.rows(0, keep), valueCache[l].rows(0, keep));
            }
            keyCache[l] = kc;
            valueCache[l] = vc;
        }
        capacity = grown;
    }

    /** Grows the scratch buffers to hold {@code rows} rows (only the prefill allocates). */
    void ensureScratch(int rows) {
        if (rows <= scratchRows) return;
        hidden = backend.alloc(rows, hiddenSize);
        normed = backend.alloc(rows, hiddenSize);
        proj = backend.alloc(rows, hiddenSize);
        q = backend.alloc(rows, qDim);
        attn = backend.alloc(rows, qDim);
        k = backend.alloc(rows, kvDim);
        v = backend.alloc(rows, kvDim);
        gate = backend.alloc(rows, ffn);
        up = backend.alloc(rows, ffn);
        scratchRows = rows;
    }

    /** Bytes held by the KV cache. */
    public long cacheBytes() { return 2L * layers * capacity * kvDim * Float.BYTES; }
}
