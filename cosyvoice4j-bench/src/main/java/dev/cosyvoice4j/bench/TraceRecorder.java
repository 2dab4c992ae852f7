package dev.cosyvoice4j.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Collects one iteration's {@link IterationTrace} while a {@link BenchTarget} runs. Thread-safe (an engine may
 * report from its LLM and token2wav threads); each call is a few nanoseconds, negligible next to a decode step.
 */
public final class TraceRecorder {
    private final BenchClock clock;
    private final int sampleRateHz;
    private final List<IterationTrace.Chunk> chunks = new ArrayList<>();
    private final Map<Stage, List<Long>> stages = new EnumMap<>(Stage.class);
    private final Map<Stage, long[]> totals = new EnumMap<>(Stage.class); // {nanos, events} reported as totals
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private long start = -1, end = -1;

    public TraceRecorder(BenchClock clock, int sampleRateHz) {
        this.clock = clock;
        this.sampleRateHz = sampleRateHz;
    }

    /** The benchmark clock (use it, not System.nanoTime, for timestamps handed to {@link #chunkAt}). */
    public long now() { return clock.nanoTime(); }

    /** Marks the start of the iteration (the runner calls this). */
    public synchronized void start() { start = clock.nanoTime(); }

    /** Marks the end of the iteration (the runner calls this). */
    public synchronized void end() { end = clock.nanoTime(); }

    /** An audio chunk of {@code samples} samples is available now. */
    public void chunk(int samples) { chunkAt(clock.nanoTime(), samples); }

    /** An audio chunk became available at {@code atNanos} (benchmark clock). */
    public synchronized void chunkAt(long atNanos, int samples) {
        if (samples < 0) throw new IllegalArgumentException("negative chunk length " + samples);
        chunks.add(new IterationTrace.Chunk(atNanos, samples));
    }

    /** One event of stage {@code s} took {@code nanos}. */
    public synchronized void stage(Stage s, long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("negative duration for " + s + ": " + nanos);
        stages.computeIfAbsent(s, k -> new ArrayList<>()).add(nanos);
    }

    /**
     * Adds {@code totalNanos} spent in {@code events} events of stage {@code s}, for engines that keep running
     * totals rather than per-event times (e.g. decode: total decode nanos and the token count). Per-event
     * statistics (median ms/token) are then not available; totals and rates are.
     */
    public synchronized void stageTotal(Stage s, long totalNanos, long events) {
        if (totalNanos < 0 || events < 0) throw new IllegalArgumentException("negative total for " + s);
        long[] t = totals.computeIfAbsent(s, k -> new long[2]);
        t[0] += totalNanos;
        t[1] += events;
    }

    /** One event of stage {@code s} started at {@code startNanos} (from {@link #now()}) and ends now. */
    public void stageSince(Stage s, long startNanos) { stage(s, clock.nanoTime() - startNanos); }

    /** Runs {@code body} as one event of stage {@code s}. */
    public <T> T time(Stage s, Callable<T> body) throws Exception {
        long t0 = clock.nanoTime();
        try {
            return body.call();
        } finally {
            stageSince(s, t0);
        }
    }

    /** Sets counter {@code key} (e.g. "prefill_positions", "text_tokens", "flow_mel_frames"). */
    public synchronized void count(String key, long value) { counters.put(key, value); }

    /** The finished trace; {@link #start()} and {@link #end()} must have been called. */
    public synchronized IterationTrace trace() {
        if (start < 0 || end < 0) throw new IllegalStateException("trace not started and ended");
        Map<Stage, IterationTrace.StageTime> s = new EnumMap<>(Stage.class);
        for (Stage st : Stage.values()) {
            long[] ev = stages.getOrDefault(st, List.of()).stream().mapToLong(Long::longValue).toArray();
            long[] tot = totals.get(st);
            if (ev.length == 0 && tot == null) continue;
            long sum = 0;
            for (long x : ev) sum += x;
            // mixing both kinds keeps the totals right; per-event data is then incomplete and dropped
            s.put(st, tot == null ? new IterationTrace.StageTime(sum, ev.length, ev)
                    : new IterationTrace.StageTime(sum + tot[0], ev.length + tot[1], new long[0]));
        }
        return new IterationTrace(start, end, sampleRateHz, chunks, s, counters);
    }
}
