package dev.cosyvoice4j.bench;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw record of one synthesis: wall-clock start and end (runner clock, nanoseconds), every audio chunk
 * (when it was delivered, how many samples), per-stage event durations and free counters (e.g.
 * "prefill_positions", "text_tokens"). Everything the report shows is computed from this by
 * {@link IterationMetrics#of}.
 */
public record IterationTrace(long startNanos, long endNanos, int sampleRateHz, List<Chunk> chunks,
                             Map<Stage, long[]> stageNanos, Map<String, Long> counters) {
    /** One delivered audio chunk. */
    public record Chunk(long atNanos, int samples) {}

    public IterationTrace {
        if (endNanos < startNanos) throw new IllegalArgumentException("trace ends before it starts");
        if (sampleRateHz <= 0) throw new IllegalArgumentException("sampleRateHz must be > 0");
        chunks = List.copyOf(chunks);
        EnumMap<Stage, long[]> s = new EnumMap<>(Stage.class);
        stageNanos.forEach((k, v) -> s.put(k, v.clone()));
        stageNanos = Collections.unmodifiableMap(s);
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** Event durations of {@code s} (empty when not reported). */
    public long[] events(Stage s) {
        long[] v = stageNanos.get(s);
        return v == null ? new long[0] : v.clone();
    }

    public long totalSamples() { return chunks.stream().mapToLong(Chunk::samples).sum(); }
}
