package dev.cosyvoice4j.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One grid point's outcome: its setup and case, the target's load info and load time, the measured
 * iterations (traces and metrics), aggregates, stage breakdown and memory after the run.
 */
public record RunResult(BenchSetup setup, BenchCase benchCase, LoadInfo load, double loadS, int warmup,
                        List<IterationTrace> traces, List<IterationMetrics> iterations,
                        Map<String, Stats> aggregates, StageSummary stages, MemoryStats memory) {
    /** Aggregate keys, in report order. */
    public static final List<String> AGGREGATES = List.of("ftl_s", "rtf", "rtf_core", "throughput", "generation_s", "audio_s");

    public RunResult {
        traces = List.copyOf(traces);
        iterations = List.copyOf(iterations);
        aggregates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(aggregates));
    }

    /** Computes metrics, aggregates and the stage summary from the traces. */
    public static RunResult of(BenchSetup setup, BenchCase c, LoadInfo load, double loadS, int warmup,
                               List<IterationTrace> traces, MemoryStats memory) {
        List<IterationMetrics> ms = new java.util.ArrayList<>();
        for (int i = 0; i < traces.size(); i++) ms.add(IterationMetrics.of(i + 1, traces.get(i)));
        Map<String, Stats> agg = new LinkedHashMap<>();
        agg.put("ftl_s", Stats.of(ms.stream().mapToDouble(IterationMetrics::ftlS).toArray()));
        agg.put("rtf", Stats.of(ms.stream().mapToDouble(IterationMetrics::rtf).toArray()));
        agg.put("rtf_core", Stats.of(ms.stream().mapToDouble(IterationMetrics::rtfCore).toArray()));
        agg.put("throughput", Stats.of(ms.stream().mapToDouble(IterationMetrics::throughput).toArray()));
        agg.put("generation_s", Stats.of(ms.stream().mapToDouble(IterationMetrics::generationS).toArray()));
        agg.put("audio_s", Stats.of(ms.stream().mapToDouble(IterationMetrics::audioS).toArray()));
        return new RunResult(setup, c, load, loadS, warmup, traces, ms, agg, StageSummary.of(traces, ms), memory);
    }

    public Stats aggregate(String key) { return aggregates.getOrDefault(key, Stats.EMPTY); }

    /** "threads=2, stream=on, tokens=70" (+ speaker, stream cache and first chunk when not the defaults; backend/precision when {@code full}). */
    public String label(boolean full) {
        String s = "threads=" + setup.threads() + ", stream=" + (benchCase.stream() ? "on" : "off")
                + ", tokens=" + (benchCase.speechTokens() > 0 ? benchCase.speechTokens() : "auto")
                + (benchCase.speaker().equals(BenchCase.NEW_SPEAKER) ? "" : ", speaker=" + benchCase.speaker())
                + setup.streamingLabel();
        return full ? s + ", backend=" + load.backend() + ", precision=" + load.precision()
                : load.precision().equals("fp32") ? s : s + ", " + load.precision();   // name reduced precision
    }
}
