package dev.cosyvoice4j.model.flow;

import java.util.Arrays;

/**
 * Per-request timings of one or more flow calls (not thread-safe; one per request): the encoding (token
 * embedding, PreLookaheadLayer, speaker projection), each DiT call (one CFG batch of 2) and the whole solve.
 */
public final class FlowTimings {
    private long encodeNanos, solveNanos;
    private long[] ditCallNanos = new long[16];
    private int ditCalls, frames;
    private long cachedFrames, allFrames, uncondFirstStepFrames;

    public void addEncode(long nanos) { encodeNanos += nanos; }

    public void addSolve(long nanos, int frames) {
        solveNanos += nanos;
        this.frames = frames;
        allFrames += frames;
    }

    /** One estimator call (the DiT, or the CosyVoice2 U-Net). */
    public void addDitCall(long nanos) {
        if (ditCalls == ditCallNanos.length) ditCallNanos = Arrays.copyOf(ditCallNanos, 2 * ditCalls);
        ditCallNanos[ditCalls++] = nanos;
    }

    /** A solve that reused {@code cached} frames of a {@link DitCache} and computed {@code computed} new ones. */
    void addCachedFrames(int cached, int computed) { cachedFrames += cached; }

    /** A solve whose first step took the unconditional row of {@code frames} new frames from the model's constant. */
    void addUncondFirstStepFrames(int frames) { uncondFirstStepFrames += frames; }

    /** New frames whose unconditional first step was not computed ({@link UncondFirstStep}), over all solves. */
    public long uncondFirstStepFrames() { return uncondFirstStepFrames; }

    /** Frames taken from a {@link DitCache} instead of computed, over all solves so far. */
    public long cachedFrames() { return cachedFrames; }

    /** Frames the DiT computed, over all solves (cached solves count only their new frames). */
    public long computedFrames() { return allFrames - cachedFrames; }

    /** Total encoding time. */
    public long encodeNanos() { return encodeNanos; }

    /** Total time of the CFM solves (all DiT calls plus the Euler updates). */
    public long solveNanos() { return solveNanos; }

    /** Each DiT call in order (10 per flow call). */
    public long[] ditCallNanos() { return Arrays.copyOf(ditCallNanos, ditCalls); }

    public int ditCalls() { return ditCalls; }

    /** Frames (prompt + generated) of the last solve. */
    public int frames() { return frames; }

    @Override
    public String toString() {
        long dit = 0;
        for (int i = 0; i < ditCalls; i++) dit += ditCallNanos[i];
        return String.format("flow: %d frames, encode %.1f ms, solve %.1f ms (%d DiT calls, %.1f ms each)",
                frames, encodeNanos / 1e6, solveNanos / 1e6, ditCalls, ditCalls == 0 ? 0.0 : dit / 1e6 / ditCalls);
    }
}
