package dev.cosyvoice4j.bench;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw record of one synthesis: wall-clock start and end (runner clock, nanoseconds), every audio chunk
 * (when it was delivered, how many samples), per-stage timings and free counters (e.g. "prefill_positions",
 * "text_tokens"). Everything the report shows is computed from this by {@link IterationMetrics#of}.
 */
public record IterationTrace(long startNanos, long endNanos, int sampleRateHz, List<Chunk> chunks,
                             Map<Stage, StageTime> stages, Map<String, Long> counters) {
    /** One delivered audio chunk. */
    public record Chunk(long atNanos, int samples) {}

    /**
     * A stage's total time and number of events (calls, tokens, steps); {@code eventNanos} holds each event's
     * duration when they were reported one by one, and is empty when only a total was reported.
     */
    public record StageTime(long totalNanos, long events, long[] eventNanos) {
        public StageTime {
            if (totalNanos < 0 || events < 0) throw new IllegalArgumentException("negative stage time or count");
            eventNanos = eventNanos.clone();
        }

        @Override public long[] eventNanos() { return eventNanos.clone(); }
    }

    public IterationTrace {
        if (endNanos < startNanos) throw new IllegalArgumentException("trace ends before it starts");
        if (sampleRateHz <= 0) throw new IllegalArgumentException("sampleRateHz must be > 0");
        chunks = List.copyOf(chunks);
        stages = Collections.unmodifiableMap(new EnumMap<>(stages.isEmpty() ? new EnumMap<>(Stage.class) : stages));
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** Individually reported event durations of {@code s} (empty when not reported, or only as a total). */
    public long[] events(Stage s) {
        StageTime t = stages.get(s);
        return t == null ? new long[0] : t.eventNanos();
    }

    public long totalSamples() { return chunks.stream().mapToLong(Chunk::samples).sum(); }
}
