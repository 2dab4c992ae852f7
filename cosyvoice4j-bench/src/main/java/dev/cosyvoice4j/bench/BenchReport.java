package dev.cosyvoice4j.bench;

import java.util.List;

/** Everything one {@code bench} invocation reports; {@code comparison} is null without --compare. */
public record BenchReport(BenchEnvironment environment, List<RunResult> runs, Comparison comparison) {
    public static final String SCHEMA = "cosyvoice4j-bench/1";

    public BenchReport {
        runs = List.copyOf(runs);
        if (runs.isEmpty()) throw new IllegalArgumentException("a report needs at least one run");
    }
}
