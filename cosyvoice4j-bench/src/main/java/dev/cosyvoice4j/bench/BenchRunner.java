package dev.cosyvoice4j.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a grid against a {@link BenchTargetProvider}: per distinct setup one target, loaded once (timed); per
 * case {@code warmup} unmeasured and {@code iterations} measured synthesis calls; memory read after each
 * case. Progress goes to {@code log}, one line per iteration.
 */
public final class BenchRunner {
    private final BenchClock clock;
    private final MemoryStats.Probe memory;
    private final PrintStream log;

    public BenchRunner(BenchClock clock, MemoryStats.Probe memory, PrintStream log) {
        this.clock = clock;
        this.memory = memory;
        this.log = log;
    }

    public List<RunResult> run(BenchTargetProvider provider, List<BenchGrid.Point> points, int warmup, int iterations) throws Exception {
        if (iterations < 1) throw new IllegalArgumentException("--iterations: must be >= 1, got " + iterations);
        if (warmup < 0) throw new IllegalArgumentException("--warmup: must be >= 0, got " + warmup);
        Map<BenchSetup, List<BenchCase>> bySetup = new LinkedHashMap<>();
        for (BenchGrid.Point p : points) bySetup.computeIfAbsent(p.setup(), k -> new ArrayList<>()).add(p.benchCase());
        List<RunResult> results = new ArrayList<>();
        for (Map.Entry<BenchSetup, List<BenchCase>> e : bySetup.entrySet()) {
            BenchSetup setup = e.getKey();
            // the previous setup's engine is closed: return its memory, then measure this setup's own peak
            System.gc();
            memory.resetPeaks();
            try (BenchTarget target = provider.create(setup)) {
                long t0 = clock.nanoTime();
                LoadInfo info = target.load();
                double loadS = (clock.nanoTime() - t0) / 1e9;
                log.printf(Locale.ROOT, "loaded %s (threads=%d, backend=%s, precision=%s) in %.2f s%n",
                        setup.modelDir(), setup.threads(), info.backend(), info.precision(), loadS);
                for (BenchCase c : e.getValue()) {
                    String label = "[threads=" + setup.threads() + ", stream=" + (c.stream() ? "on" : "off")
                            + ", tokens=" + (c.speechTokens() > 0 ? c.speechTokens() : "auto") + ", speaker=" + c.speaker()
                            + setup.streamingLabel() + "]";
                    for (int i = 0; i < warmup; i++) {
                        IterationMetrics m = IterationMetrics.of(0, once(target, c, info));
                        log.printf(Locale.ROOT, "%s warm-up %d/%d: %.2f s%n", label, i + 1, warmup, m.generationS());
                    }
                    List<IterationTrace> traces = new ArrayList<>();
                    for (int i = 0; i < iterations; i++) {
                        IterationTrace t = once(target, c, info);
                        traces.add(t);
                        IterationMetrics m = IterationMetrics.of(i + 1, t);
                        log.printf(Locale.ROOT, "%s iteration %d/%d: FTL %.3f s  RTF %.3f  generation %.2f s  audio %.2f s%n",
                                label, i + 1, iterations, m.ftlS(), m.rtf(), m.generationS(), m.audioS());
                    }
                    results.add(RunResult.of(setup, c, info, loadS, warmup, traces, memory.snapshot()));
                }
            }
        }
        return results;
    }

    private IterationTrace once(BenchTarget target, BenchCase c, LoadInfo info) throws Exception {
        TraceRecorder rec = new TraceRecorder(clock, info.sampleRateHz());
        rec.start();
        target.run(c, rec);
        rec.end();
        return rec.trace();
    }
}
