package dev.cosyvoice4j.bench;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The numbers of one iteration, computed from its {@link IterationTrace} (seconds; NaN = not defined):
 * generation = end - start; audio = samples / rate; RTF = generation / audio (below 1 = faster than real
 * time); throughput = audio / generation; FTL = first chunk - start (streaming: first chunk; otherwise the
 * whole utterance); core = generation - frontend, and RTF core = core / audio, which is what the peer
 * benchmark calls rtf (its frontend is excluded).
 */
public record IterationMetrics(int iteration, double generationS, double audioS, double rtf, double throughput,
                               double ftlS, int chunks, double coreS, double rtfCore,
                               Map<Stage, StageTime> stages, Map<String, Long> counters) {
    /** Total seconds of a stage in this iteration and its number of events. */
    public record StageTime(double totalS, long events) {}

    public IterationMetrics {
        EnumMap<Stage, StageTime> s = new EnumMap<>(Stage.class);
        s.putAll(stages);
        stages = Collections.unmodifiableMap(s);
        counters = Map.copyOf(counters);
    }

    public static IterationMetrics of(int iteration, IterationTrace t) {
        double gen = seconds(t.endNanos() - t.startNanos());
        double audio = (double) t.totalSamples() / t.sampleRateHz();
        double ftl = t.chunks().isEmpty() ? Double.NaN
                : seconds(t.chunks().stream().mapToLong(IterationTrace.Chunk::atNanos).min().orElseThrow() - t.startNanos());
        EnumMap<Stage, StageTime> stages = new EnumMap<>(Stage.class);
        t.stages().forEach((s, st) -> stages.put(s, new StageTime(seconds(st.totalNanos()), st.events())));
        if (!stages.containsKey(Stage.FLOW) && stages.containsKey(Stage.FLOW_STEP)) {
            stages.put(Stage.FLOW, new StageTime(stages.get(Stage.FLOW_STEP).totalS(), 0)); // only steps reported
        }
        double frontend = stages.containsKey(Stage.FRONTEND) ? stages.get(Stage.FRONTEND).totalS() : 0;
        double core = gen - frontend;
        return new IterationMetrics(iteration, gen, audio, ratio(gen, audio), ratio(audio, gen), ftl,
                t.chunks().size(), core, ratio(core, audio), stages, t.counters());
    }

    /** Seconds of stage {@code s} (0 when not reported). */
    public double stageS(Stage s) {
        StageTime st = stages.get(s);
        return st == null ? 0 : st.totalS();
    }

    /** Generation time not covered by a top-level stage; negative when stages overlapped (ran concurrently). */
    public double otherS() {
        double sum = 0;
        for (Stage s : Stage.topLevel()) sum += stageS(s);
        return generationS - sum;
    }

    static double seconds(long nanos) { return nanos / 1e9; }

    static double ratio(double a, double b) { return b > 0 ? a / b : Double.NaN; }
}
