package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.Precision;

import java.util.Arrays;

/**
 * The streaming DiT state of one utterance: exact-equivalence caching (cosyvoice3-spec.md §10; the idea of upstream
 * FunAudioLLM/CosyVoice#1875, "KV Cache for flow DiT"). Under the chunk mask, with position-indexed noise and causal
 * position convolutions, the DiT states of the frames of completed {@code static_chunk_size} chunks do not depend on
 * later frames, so a later chunk call of the same utterance computes only its new frames. Kept, for frames
 * {@code [0, frames)}:
 * <ul>
 *   <li>per (Euler step, block, CFG row): the keys (after RoPE) and values of the attention;</li>
 *   <li>per Euler step: the solver state x entering it (the causal position convolutions of new frames read the
 *       last {@code 2 (kernel - 1)} cached frames' input embedding, recomputed from it), and the final x (the mel).</li>
 * </ul>
 * What the cached frames were computed from (token ids with their look-ahead, prompt mel rows, speaker embedding) is
 * kept with them; a call whose inputs differ there starts over ({@link #matches}). Per request, never shared; its
 * memory is large ({@link #bytes()}: 10 steps x blocks x 2 rows x 2 x heads x dimHead floats per frame, bfloat16 for a
 * bf16 DiT); {@link #reset()}
 * forgets the frames at the end of an utterance and keeps the memory for the next one, {@link #clear()} releases it. Golden: {@code stream/token2wav}, {@code e2e/*_stream}
 * (the engine's streaming path runs through it); {@code DitCacheTest} compares it with full recomputation.
 */
public final class DitCache {
    final Backend backend;
    final int steps, depth, inner, melDim, chunkFrames;
    /** CFG rows kept: 2 for a request; 1 for the model's unconditional first step ({@link UncondFirstStep}). */
    final int rows;
    /**
     * Keys and values stored as bfloat16: a bf16 DiT's attention rounds them to nearest even anyway, so half the memory
     * gives the same products (the one exception, a call of fewer new frames than the backend's bf16 attention
     * threshold, attends in float32 and sees the cached keys rounded: within the bf16 flow's own error).
     */
    private final boolean bf16Storage;
    /** keys[step][block][row], values likewise: {@code [capacity, inner]} views of {@link #keyValues}. */
    Buf[][][] keys, values;
    /** Every key and value slot, {@code [slots x capacity, inner]}, and every solver state, {@code [(steps + 1) x capacity, mel]}. */
    private Buf keyValues, states;
    /** x entering Euler step s+1 at index s; index {@code steps}: the solver output. {@code [capacity, mel]}. */
    Buf[] xHistory;
    private int capacity;
    private int frames;
    /** Inputs the cached frames depend on: prompt + generated token ids (look-ahead included), prompt mel rows, embedding. */
    private int[] ids = new int[0];
    private float[] condRows;
    private float[] embedding;

    DitCache(DiT dit, int steps) { this(dit, steps, 2); }

    DitCache(DiT dit, int steps, int rows) {
        this.backend = dit.backend;
        this.steps = steps;
        this.rows = rows;
        this.depth = dit.depth();
        this.inner = dit.heads * dit.dimHead;
        this.melDim = dit.melDim;
        this.chunkFrames = dit.staticChunkSize;
        this.bf16Storage = dit.precision == Precision.BF16;
    }

    /** Complete cached frames (a multiple of the chunk size). */
    public int frames() { return frames; }

    /** Frames the memory holds now. */
    int capacity() { return capacity; }

    /** Bytes held now (capacity, not just the cached frames). */
    public long bytes() { return bytesFor(capacity); }

    long bytesFor(int frameCount) {
        return (long) frameCount * ((bf16Storage ? 2L : 4L) * steps * depth * kvSlots() * inner + 4L * (steps + 1) * melDim);
    }

    /** Whether the cached frames were computed from these inputs (see {@link #record}). */
    boolean matches(int[] allIds, float[] promptFeat, int promptFrames, float[] spkEmbedding) {
        if (frames == 0) return true;
        if (allIds.length < ids.length || !Arrays.equals(allIds, 0, ids.length, ids, 0, ids.length)) return false;
        int values = Math.min(frames, promptFrames) * melDim;
        if (values != condRows.length || !Arrays.equals(promptFeat, 0, values, condRows, 0, values)) return false;
        return Arrays.equals(embedding, spkEmbedding);
    }

    /**
     * Keeps the complete chunks of {@code total} computed frames; {@code idsNeeded} = the token ids their encoding read
     * ({@code frames / token_mel_ratio + pre_lookahead_len}).
     */
    void record(int total, int[] allIds, int idsPerFrameDivisor, int lookahead, float[] promptFeat, int promptFrames,
                float[] spkEmbedding) {
        frames = total / chunkFrames * chunkFrames;
        int need = Math.min(allIds.length, (frames + idsPerFrameDivisor - 1) / idsPerFrameDivisor + lookahead);
        ids = Arrays.copyOf(allIds, need);
        condRows = Arrays.copyOf(promptFeat, Math.min(frames, promptFrames) * melDim);
        embedding = spkEmbedding.clone();
    }

    /** Counts frames {@code [frames, total)}, just written, as cached: the one-row cache of {@link UncondFirstStep}. */
    void extendTo(int total) {
        if (total < frames || total > capacity) throw new IllegalArgumentException("cache of " + frames + " frames (capacity " + capacity + ") cannot extend to " + total);
        frames = total;
    }

    /** Whether a cache of {@code frameCount} frames fits {@code budgetBytes} (and one buffer per kind of state). */
    public boolean fits(int frameCount, long budgetBytes) {
        return bytesFor(frameCount) <= budgetBytes && frameCount <= maxBufferFrames();
    }

    /** The most frames one buffer of each kind can hold (a Java array has at most 2^31 - 1 elements). */
    private int maxBufferFrames() {
        long perFrame = Math.max((long) kvSlots() * steps * depth * inner, (long) (steps + 1) * melDim);
        return (int) ((Integer.MAX_VALUE - 16) / perFrame);
    }

    /** Most frames the cache grows to ahead of need (its budget); a call needing more still gets them. */
    private int growthLimitFrames = Integer.MAX_VALUE;

    /** Limits the headroom taken when the cache grows ({@code bytes}: the request's budget). */
    public void limitGrowth(long bytes) {
        growthLimitFrames = (int) Math.min(maxBufferFrames(), bytes / Math.max(1, bytesFor(1)));
    }

    /** Makes room for {@code total} frames, keeping the cached ones (grows by half, within the limit, to limit copies). */
    void ensureCapacity(int total) {
        if (total <= capacity) return;
        int cap = Math.max(total, Math.min(growthLimitFrames, capacity + capacity / 2));
        Buf kv = allocSlots(cap, kvSlots() * steps * depth, inner, bf16Storage), x = allocSlots(cap, steps + 1, melDim, false);
        if (frames > 0) {
            for (int slot = 0; slot < kvSlots() * steps * depth; slot++) backend.copy(slot(kv, slot, cap, frames), slot(keyValues, slot, capacity, frames));
            for (int s = 0; s <= steps; s++) backend.copy(slot(x, s, cap, frames), slot(states, s, capacity, frames));
        }
        keyValues = kv;
        states = x;
        capacity = cap;
        views();
    }

    /** Key/value slots per (step, block): keys of CFG rows 0 and 1, then their values (row 0 only with one row). */
    private int kvSlots() { return 2 * rows; }

    /**
     * One buffer for all slots of {@code cap} frames: a single large array is allocated outside the young generation by
     * the JVM's collectors, so a gigabyte of cache is not copied by every young collection (measured: 0.5-1.7 s pauses
     * per streaming request with one buffer per slot).
     */
    private Buf allocSlots(int cap, int slots, int cols, boolean bf16) {
        long rows = (long) cap * slots;
        if (rows > Integer.MAX_VALUE || rows * cols > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a streaming DiT cache of " + cap + " frames exceeds one buffer (" + rows * cols + " values)");
        }
        return bf16 ? backend.allocBf16((int) rows, cols) : backend.alloc((int) rows, cols);
    }

    private static Buf slot(Buf all, int slot, int cap, int rows) { return all.rows(slot * cap, slot * cap + rows); }

    /** The per-slot views the DiT reads: each {@code [capacity, cols]}. */
    private void views() {
        keys = new Buf[steps][depth][rows];
        values = new Buf[steps][depth][rows];
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < depth; b++) {
                int base = kvSlots() * (s * depth + b);
                for (int r = 0; r < rows; r++) {
                    keys[s][b][r] = slot(keyValues, base + r, capacity, capacity);
                    values[s][b][r] = slot(keyValues, base + rows + r, capacity, capacity);
                }
            }
        }
        xHistory = new Buf[steps + 1];
        for (int s = 0; s <= steps; s++) xHistory[s] = slot(states, s, capacity, capacity);
    }

    /** Forgets the cached frames, keeping the memory for the session's next utterance. */
    public void reset() {
        frames = 0;
        ids = new int[0];
        condRows = null;
        embedding = null;
    }

    /** Drops every cached frame and releases the memory. */
    public void clear() {
        keys = values = null;
        xHistory = null;
        keyValues = states = null;
        capacity = frames = 0;
        ids = new int[0];
        condRows = null;
        embedding = null;
    }

    /** An immutable copy of the cached frames (a voice's prompt region, see {@link DitPrefix}). */
    DitPrefix snapshot() {
        if (frames == 0) return null;
        DitCache copy = new DitCache(this, frames);
        return new DitPrefix(copy);
    }

    /** Starts from {@code prefix}'s frames (copied: the prefix stays shared and unchanged). */
    void restore(DitPrefix prefix, int totalFrames) {
        reset();
        DitCache p = prefix.cache;
        ensureCapacity(Math.max(totalFrames, p.frames));
        copyFrames(p, p.frames);
        frames = p.frames;
        ids = p.ids;
        condRows = p.condRows;
        embedding = p.embedding;
    }

    /** A copy of {@code src}'s first {@code n} frames with exactly that capacity. */
    private DitCache(DitCache src, int n) {
        this.backend = src.backend;
        this.rows = src.rows;
        this.bf16Storage = src.bf16Storage;
        this.steps = src.steps;
        this.depth = src.depth;
        this.inner = src.inner;
        this.melDim = src.melDim;
        this.chunkFrames = src.chunkFrames;
        ensureCapacity(n);
        copyFrames(src, n);
        this.frames = n;
        this.ids = src.ids;
        this.condRows = src.condRows;
        this.embedding = src.embedding;
    }

    /** The first {@code n} frames of every slot of {@code src} into this cache. */
    private void copyFrames(DitCache src, int n) {
        for (int slot = 0; slot < kvSlots() * steps * depth; slot++) {
            backend.copy(slot(keyValues, slot, capacity, n), slot(src.keyValues, slot, src.capacity, n));
        }
        for (int s = 0; s <= steps; s++) backend.copy(slot(states, s, capacity, n), slot(src.states, s, src.capacity, n));
    }
}
