package dev.cosyvoice4j.bench;

import java.util.List;

/**
 * The stage breakdown of a run, averaged over its measured iterations (seconds per iteration, NaN = not
 * reported), with the rates the report shows: prefill positions/s, decode tokens/s (and per-token median /
 * p90 ms), flow ms per ODE step, HiFT ms per second of audio. Rates pool all iterations (total work / total
 * time). {@code otherS} is generation minus the stages (negative: stages overlapped).
 */
public record StageSummary(double frontendS, double prefillS, double prefillPositions, double prefillPosPerS,
                           double decodeS, double decodeTokens, double decodeTokPerS, double decodeMsMedian, double decodeMsP90,
                           double flowS, double flowCalls, double flowSteps, double flowMsPerStep,
                           double hiftS, double hiftCalls, double hiftMsPerAudioS, double otherS) {

    public static StageSummary of(List<IterationTrace> traces, List<IterationMetrics> metrics) {
        int n = metrics.size();
        if (n == 0) {
            double x = Double.NaN;
            return new StageSummary(x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x);
        }
        double prefillS = mean(metrics, Stage.LLM_PREFILL);
        double positions = metrics.stream().mapToDouble(m -> m.counters().getOrDefault("prefill_positions", -1L)).average().orElse(-1);
        boolean havePositions = metrics.stream().allMatch(m -> m.counters().containsKey("prefill_positions"));
        double[] decodeMs = traces.stream().flatMapToLong(t -> java.util.Arrays.stream(t.events(Stage.LLM_DECODE)))
                .mapToDouble(ns -> ns / 1e6).toArray();
        if (traces.stream().anyMatch(t -> t.stages().containsKey(Stage.LLM_DECODE) && t.events(Stage.LLM_DECODE).length == 0)) {
            decodeMs = new double[0]; // some iteration reported only totals: no per-token distribution
        }
        double decodeTotalS = total(metrics, Stage.LLM_DECODE);
        double stepTotalS = total(metrics, Stage.FLOW_STEP), steps = events(metrics, Stage.FLOW_STEP);
        double hiftTotalS = total(metrics, Stage.HIFT);
        double audioTotal = metrics.stream().mapToDouble(IterationMetrics::audioS).sum();
        return new StageSummary(
                mean(metrics, Stage.FRONTEND),
                prefillS,
                havePositions ? positions : Double.NaN,
                havePositions && prefillS > 0 ? positions / prefillS : Double.NaN,
                mean(metrics, Stage.LLM_DECODE),
                events(metrics, Stage.LLM_DECODE) / n,
                decodeTotalS > 0 ? events(metrics, Stage.LLM_DECODE) / decodeTotalS : Double.NaN,
                Stats.quantile(decodeMs, 0.5),
                Stats.quantile(decodeMs, 0.9),
                mean(metrics, Stage.FLOW),
                events(metrics, Stage.FLOW) / n,
                steps / n,
                steps > 0 ? stepTotalS * 1e3 / steps : Double.NaN,
                mean(metrics, Stage.HIFT),
                events(metrics, Stage.HIFT) / n,
                audioTotal > 0 && metrics.stream().anyMatch(m -> m.stages().containsKey(Stage.HIFT)) ? hiftTotalS * 1e3 / audioTotal : Double.NaN,
                metrics.stream().mapToDouble(IterationMetrics::otherS).average().orElse(Double.NaN));
    }

    /** Mean seconds per iteration of a stage; NaN when no iteration reported it. */
    private static double mean(List<IterationMetrics> ms, Stage s) {
        if (ms.stream().noneMatch(m -> m.stages().containsKey(s))) return Double.NaN;
        return total(ms, s) / ms.size();
    }

    private static double total(List<IterationMetrics> ms, Stage s) {
        return ms.stream().mapToDouble(m -> m.stageS(s)).sum();
    }

    private static double events(List<IterationMetrics> ms, Stage s) {
        return ms.stream().mapToDouble(m -> m.stages().containsKey(s) ? m.stages().get(s).events() : 0).sum();
    }

    /** Mean seconds of a top-level stage, for charts and tables. */
    public double seconds(Stage s) {
        return switch (s) {
            case FRONTEND -> frontendS;
            case LLM_PREFILL -> prefillS;
            case LLM_DECODE -> decodeS;
            case FLOW -> flowS;
            case FLOW_STEP -> flowSteps > 0 ? flowMsPerStep * flowSteps / 1e3 : Double.NaN;
            case HIFT -> hiftS;
        };
    }
}
