package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;

/**
 * The unconditional CFG row's first Euler step under the chunk mask, kept per model: that row has {@code mu}, {@code cond}
 * and {@code spks} zeroed, its x entering step 1 is the position-indexed noise and t is 0, so its keys, values and velocity
 * there depend on the frame position alone, not on the voice or the text. Computed once per frame (in whole chunks, as
 * calls need them) and copied into each streaming call, whose first step then computes the conditional row only. Later
 * steps are not constant: both rows read the same x, which the conditional row's velocity moves.
 *
 * <p>A derived constant of the weights (like the DiT's modulations), bounded by {@code maxFrames}; thread-safe.
 * Golden: the streaming cases through {@link CausalConditionalCfm#solveCached}; {@code DitCacheTest} (equal to full
 * recomputation, with and without it).
 */
final class UncondFirstStep {
    private final Backend backend;
    private final DitCache cache;
    private final int maxFrames;
    /** The unconditional velocity at step 1, {@code [capacity, mel]}. */
    private Buf velocity;

    UncondFirstStep(DiT dit, long budgetBytes) {
        this.backend = dit.backend;
        this.cache = new DitCache(dit, 1, 1);
        long perFrame = cache.bytesFor(1) + 4L * dit.melDim;
        this.maxFrames = (int) Math.min(CausalConditionalCfm.NOISE_FRAMES, budgetBytes / perFrame);
    }

    /** Whether frames up to {@code total} can be served (chunk-aligned, within the budget). */
    boolean covers(int total) { return total <= maxFrames && total % cache.chunkFrames == 0; }

    /** Computes one window of new frames of the unconditional row into a one-row cache; see {@link CausalConditionalCfm}. */
    interface Extension {
        /** Frames {@code [c0, total)} after the cached {@code [0, c0)} into {@code cache}; their velocity into {@code out [total - c0, mel]}. */
        void compute(DitCache cache, int c0, int total, Buf out);
    }

    /**
     * Frames {@code [c0, total)} of step 1's unconditional keys and values into {@code target}'s row 1 (step 0) and their
     * velocity into {@code velocityOut}, computing frames not held yet with {@code extension} first.
     */
    synchronized void copyInto(DitCache target, int c0, int total, Buf velocityOut, Buf scratch, Extension extension) {
        int held = cache.frames();
        if (held < total) {
            cache.ensureCapacity(total);
            if (velocity == null || velocity.rows() < total) {
                Buf grown = backend.alloc(Math.max(total, cache.capacity()), velocityOut.cols());
                if (held > 0) backend.copy(grown.rows(0, held), velocity.rows(0, held));
                velocity = grown;
            }
            Buf out = scratch.rows(0, total - held);
            extension.compute(cache, held, total, out);
            backend.copy(velocity.rows(held, total), out);
            cache.extendTo(total);
        }
        for (int b = 0; b < cache.depth; b++) {
            backend.copy(target.keys[0][b][1].rows(c0, total), cache.keys[0][b][0].rows(c0, total));
            backend.copy(target.values[0][b][1].rows(c0, total), cache.values[0][b][0].rows(c0, total));
        }
        backend.copy(velocityOut, velocity.rows(c0, total));
    }

    /** Frames held and their bytes. */
    synchronized int frames() { return cache.frames(); }

    synchronized long bytes() { return cache.bytes() + (velocity == null ? 0 : 4L * velocity.rows() * velocity.cols()); }
}
