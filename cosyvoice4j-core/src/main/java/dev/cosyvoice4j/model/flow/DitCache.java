package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;

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
 * memory is large ({@link #bytes()}: 10 steps x blocks x 2 rows x 2 x heads x dimHead floats per frame) and is
 * released with {@link #clear()} at the end of an utterance. Golden: {@code stream/token2wav}, {@code e2e/*_stream}
 * (the engine's streaming path runs through it); {@code DitCacheTest} compares it with full recomputation.
 */
public final class DitCache {
    final Backend backend;
    final int steps, depth, inner, melDim, chunkFrames;
    /** keys[step][block][row], values likewise: {@code [capacity, inner]}. */
    Buf[][][] keys, values;
    /** x entering Euler step s+1 at index s; index {@code steps}: the solver output. {@code [capacity, mel]}. */
    Buf[] xHistory;
    private int capacity;
    private int frames;
    /** Inputs the cached frames depend on: prompt + generated token ids (look-ahead included), prompt mel rows, embedding. */
    private int[] ids = new int[0];
    private float[] condRows;
    private float[] embedding;

    DitCache(DiT dit, int steps) {
        this.backend = dit.backend;
        this.steps = steps;
        this.depth = dit.depth();
        this.inner = dit.heads * dit.dimHead;
        this.melDim = dit.melDim;
        this.chunkFrames = dit.staticChunkSize;
    }

    /** Complete cached frames (a multiple of the chunk size). */
    public int frames() { return frames; }

    /** Bytes held now (capacity, not just the cached frames). */
    public long bytes() { return bytesFor(capacity); }

    long bytesFor(int frameCount) {
        return 4L * frameCount * ((long) steps * depth * 2 * 2 * inner + (long) (steps + 1) * melDim);
    }

    /** Whether the cached frames were computed from these inputs (see {@link #record}). */
    boolean matches(int[] allIds, float[] promptFeat, int promptFrames, float[] spkEmbedding) {
        if (frames == 0) return true;
        if (allIds.length < ids.length || !Arrays.equals(allIds, 0, ids.length, ids, 0, ids.length)) return false;
        int rows = Math.min(frames, promptFrames) * melDim;
        if (rows != condRows.length || !Arrays.equals(promptFeat, 0, rows, condRows, 0, rows)) return false;
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

    /** Bytes a cache of {@code frameCount} frames takes (what a caller compares with its budget). */
    public long bytesForFrames(int frameCount) { return bytesFor(frameCount); }

    /** Most frames the cache grows to ahead of need (its budget); a call needing more still gets them. */
    private int growthLimitFrames = Integer.MAX_VALUE;

    /** Limits the headroom taken when the cache grows ({@code bytes}: the request's budget). */
    public void limitGrowth(long bytes) {
        growthLimitFrames = (int) Math.min(Integer.MAX_VALUE, bytes / Math.max(1, bytesFor(1)));
    }

    /** Makes room for {@code total} frames, keeping the cached ones (grows by half, within the limit, to limit copies). */
    void ensureCapacity(int total) {
        if (total <= capacity) return;
        int cap = Math.max(total, Math.min(growthLimitFrames, capacity + capacity / 2));
        Buf[][][] k = new Buf[steps][depth][2], v = new Buf[steps][depth][2];
        Buf[] x = new Buf[steps + 1];
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < depth; b++) {
                for (int r = 0; r < 2; r++) {
                    k[s][b][r] = grow(keys == null ? null : keys[s][b][r], cap, inner);
                    v[s][b][r] = grow(values == null ? null : values[s][b][r], cap, inner);
                }
            }
        }
        for (int s = 0; s <= steps; s++) x[s] = grow(xHistory == null ? null : xHistory[s], cap, melDim);
        keys = k;
        values = v;
        xHistory = x;
        capacity = cap;
    }

    private Buf grow(Buf old, int cap, int cols) {
        Buf b = backend.alloc(cap, cols);
        if (old != null && frames > 0) backend.copy(b.rows(0, frames), old.rows(0, frames));
        return b;
    }

    /** Drops every cached frame and releases the memory. */
    public void clear() {
        keys = values = null;
        xHistory = null;
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
        clear();
        DitCache p = prefix.cache;
        ensureCapacity(Math.max(totalFrames, p.frames));
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < depth; b++) {
                for (int r = 0; r < 2; r++) {
                    backend.copy(keys[s][b][r].rows(0, p.frames), p.keys[s][b][r].rows(0, p.frames));
                    backend.copy(values[s][b][r].rows(0, p.frames), p.values[s][b][r].rows(0, p.frames));
                }
            }
        }
        for (int s = 0; s <= steps; s++) backend.copy(xHistory[s].rows(0, p.frames), p.xHistory[s].rows(0, p.frames));
        frames = p.frames;
        ids = p.ids;
        condRows = p.condRows;
        embedding = p.embedding;
    }

    /** A copy of {@code src}'s first {@code n} frames with exactly that capacity. */
    private DitCache(DitCache src, int n) {
        this.backend = src.backend;
        this.steps = src.steps;
        this.depth = src.depth;
        this.inner = src.inner;
        this.melDim = src.melDim;
        this.chunkFrames = src.chunkFrames;
        ensureCapacity(n);
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < depth; b++) {
                for (int r = 0; r < 2; r++) {
                    backend.copy(keys[s][b][r].rows(0, n), src.keys[s][b][r].rows(0, n));
                    backend.copy(values[s][b][r].rows(0, n), src.values[s][b][r].rows(0, n));
                }
            }
        }
        for (int s = 0; s <= steps; s++) backend.copy(xHistory[s].rows(0, n), src.xHistory[s].rows(0, n));
        this.frames = n;
        this.ids = src.ids;
        this.condRows = src.condRows;
        this.embedding = src.embedding;
    }
}
