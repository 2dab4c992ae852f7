package dev.cosyvoice4j.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where one request's time went, per stage, for the benchmark and logs. Thread-safe (the LLM and the
 * token-to-audio thread both record). All times are nanoseconds.
 */
public final class StageTimings {
    public final LongAdder frontendNanos = new LongAdder();
    public final LongAdder llmPrefillNanos = new LongAdder();
    public final LongAdder llmDecodeNanos = new LongAdder();
    public final LongAdder llmDecodeTokens = new LongAdder();
    public final LongAdder flowNanos = new LongAdder();
    public final LongAdder flowCalls = new LongAdder();
    public final LongAdder flowSteps = new LongAdder();
    public final LongAdder flowFrames = new LongAdder();
    /** Frames the DiT took from streaming caches (earlier chunks, a saved voice's prompt) instead of computing them. */
    public final LongAdder flowCachedFrames = new LongAdder();
    /** Computed frames whose unconditional CFG row's first step came from the model's constant instead. */
    public final LongAdder flowUncondFirstStepFrames = new LongAdder();
    /** Frames the DiT computed (each call's new frames; all of them in uncached calls). */
    public final LongAdder flowComputedFrames = new LongAdder();
    /** Bytes of the DiT streaming state at its largest in this request (the chunk caches, a restored prompt included). */
    public final AtomicLong flowCacheBytes = new AtomicLong();
    /** Floating-point operations of all DiT calls (an estimate from the sizes; see {@code ModelStages.ditFlop}). */
    public final LongAdder flowFlop = new LongAdder();
    public final LongAdder vocoderNanos = new LongAdder();
    public final LongAdder vocoderCalls = new LongAdder();
    public final AtomicLong firstTokenNanos = new AtomicLong(-1);

    /** A sink that ignores everything (when nobody measures). */
    public static StageTimings discard() { return new StageTimings(); }
}
