package dev.cosyvoice4j.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The human report, in the shape of docs/seed-benchmark-report.md: configuration, average metrics with
 * interpretation, per-iteration table, stage breakdown, analysis, comparison targets (RTF < 1, FTL < 0.5 s,
 * memory < 2 GB, with the gap) and, with --compare, the baseline side by side.
 */
public final class MarkdownReport {
    static final double TARGET_RTF = 1.0, TARGET_FTL_S = 0.5, TARGET_MEMORY_GB = 2.0;
    /** Speech tokens per second of audio: the decode rate real-time synthesis needs. */
    static final double TOKENS_PER_AUDIO_S = 25;

    private MarkdownReport() {}

    /** @param chartFile file name of the SVG chart next to the report, or null */
    public static String write(BenchReport report, String chartFile) {
        StringBuilder b = new StringBuilder();
        List<RunResult> runs = report.runs();
        BenchEnvironment env = report.environment();
        RunResult first = runs.getFirst();
        b.append("# cosyvoice4j Performance Benchmark Report\n\n");
        b.append("**Date**: ").append(env.date(), 0, Math.min(10, env.date().length())).append("  \n");
        b.append("**Hardware**: ").append(env.cpuModel()).append(" (").append(env.logicalCores()).append(" logical cores")
                .append(env.memTotalBytes() > 0 ? f(", %.1f GB RAM", env.memTotalBytes() / 1e9) : "").append(")  \n");
        b.append("**Runtime**: JDK ").append(env.javaVersion()).append(", ").append(env.javaVm()).append("\n\n---\n\n");

        b.append("## Benchmark Configuration\n\n| Parameter | Value |\n|-----------|-------|\n");
        row(b, "Model", "`" + first.setup().modelDir() + "`" + params(first.load()));
        row(b, "Text", "\"" + esc(first.benchCase().text()) + "\"");
        row(b, "Prompt Audio", esc(String.valueOf(first.benchCase().promptWav().getFileName())));
        row(b, "Prompt Text", "\"" + esc(first.benchCase().promptText()) + "\"");
        row(b, "Iterations", first.iterations().size() + (first.warmup() > 0 ? " (after " + first.warmup() + " warm-up)" : ""));
        row(b, "Streaming", distinct(runs, r -> r.benchCase().stream() ? "on" : "off"));
        row(b, "Speech tokens", distinct(runs, r -> r.benchCase().speechTokens() > 0
                ? f("%d (%.2f s of audio)", r.benchCase().speechTokens(), r.benchCase().speechTokens() / TOKENS_PER_AUDIO_S)
                : "not pinned (model stops)"));
        row(b, "Speaker", distinct(runs, r -> r.benchCase().speaker().equals(BenchCase.SAVED_SPEAKER)
                ? "saved (analysed once, its prompt state kept)" : "new (prompt analysed per request)"));
        row(b, "Stream cache", distinct(runs, r -> switch (r.setup().streamCache()) {
            case "causal" -> "DiT caches, chunk-causal last chunk (deviation)";
            case "off" -> "off (every chunk recomputed, as the official code)";
            default -> "DiT caches, official full-attention last chunk";
        }));
        row(b, "First chunk", distinct(runs, r -> switch (r.setup().firstChunk()) {
            case "split" -> "split at the prompt's chunk grid (the pad's tokens first; same samples)";
            case "official" -> "official (25 + pad tokens)";
            default -> "auto (split when the utterance reaches the official first chunk's tokens; same samples)";
        }));
        row(b, "Threads", distinct(runs, r -> String.valueOf(r.setup().threads())) + " (of " + env.logicalCores() + " logical cores)");
        row(b, "Backend", distinct(runs, r -> r.load().backend()));
        row(b, "Precision", distinct(runs, r -> r.load().precision()));
        row(b, "Vector width", env.vectorBitSize() > 0
                ? env.vectorBitSize() + " bits (" + env.vectorBitSize() / 32 + " float lanes, " + esc(env.vectorSpecies()) + ")"
                : esc(env.vectorSpecies()));
        row(b, "JVM flags", env.jvmArgs().isEmpty() ? "(none)" : "`" + String.join(" ", env.jvmArgs()) + "`");
        if (!env.loadAverage().isEmpty()) {
            row(b, "System load (1/5/15 min)", env.loadAverage() + " at the end" + (loadHigh(env) ? " (busy machine: numbers are pessimistic)" : ""));
        }
        Set<String> detailKeys = new java.util.TreeSet<>(first.load().details().keySet());
        for (String k : detailKeys) if (!k.startsWith("params_")) row(b, esc(k), esc(first.load().details().get(k)));

        if (runs.size() > 1) {
            b.append("\n### Grid\n\n| Run | FTL (s) | RTF | Throughput (s/s) | Generation (s) | Decode (tok/s) | Flow (ms/step) | Peak RSS (GB) |\n")
                    .append("|-----|---------|-----|------------------|----------------|----------------|----------------|---------------|\n");
            for (RunResult r : runs) {
                b.append("| ").append(r.label(false)).append(" | ").append(n3(r.aggregate("ftl_s").mean())).append(" | ")
                        .append(n3(r.aggregate("rtf").mean())).append(" | ").append(n2(r.aggregate("throughput").mean())).append(" | ")
                        .append(n2(r.aggregate("generation_s").mean())).append(" | ").append(n2(r.stages().decodeTokPerS())).append(" | ")
                        .append(n1(r.stages().flowMsPerStep())).append(" | ").append(n2(gb(r.memory().peakRssBytes()))).append(" |\n");
            }
        }
        b.append("\n---\n\n## Results\n");
        for (RunResult r : runs) results(b, r, runs.size() > 1);
        if (chartFile != null) b.append("\n![Time per stage and iteration](").append(chartFile).append(")\n");

        b.append("\n---\n\n## Analysis\n");
        for (RunResult r : runs) analysis(b, r, runs.size() > 1);

        b.append("\n---\n\n## Comparison Targets\n\nFor reference, target performance goals:\n\n");
        boolean many = runs.size() > 1;
        b.append(many ? "| Run | Metric | Current | Target | Gap |\n|-----|--------|---------|--------|-----|\n"
                : "| Metric | Current | Target | Gap |\n|--------|---------|--------|-----|\n");
        for (RunResult r : runs) {
            String p = many ? "| " + r.label(false) + " " : "";
            double rtf = r.aggregate("rtf").mean(), ftl = r.aggregate("ftl_s").mean(), mem = gb(r.memory().peakRssBytes());
            b.append(p).append("| RTF | ").append(n2(rtf)).append(" | < 1.0 | ").append(gap(rtf, TARGET_RTF)).append(" |\n");
            b.append(p).append("| FTL | ").append(n2(ftl)).append(" s | < 0.5 s | ").append(gap(ftl, TARGET_FTL_S)).append(" |\n");
            b.append(p).append("| Memory (peak RSS) | ").append(n2(mem)).append(" GB | < 2 GB | ").append(gap(mem, TARGET_MEMORY_GB)).append(" |\n");
        }
        if (report.comparison() != null) comparison(b, report.comparison());
        b.append("\n---\n\n*Report generated by cosyvoice4j bench*\n");
        return b.toString();
    }

    private static void results(StringBuilder b, RunResult r, boolean many) {
        String h = many ? "####" : "###";
        if (many) b.append("\n### ").append(r.label(false)).append('\n');
        int n = r.iterations().size();
        double rtf = r.aggregate("rtf").mean(), ftl = r.aggregate("ftl_s").mean();
        b.append('\n').append(h).append(" Average Metrics (").append(n).append(n == 1 ? " iteration)" : " iterations)").append("\n\n");
        b.append("| Metric | Value | Interpretation |\n|--------|-------|----------------|\n");
        b.append("| **First Token Latency (FTL)** | ").append(n3(ftl)).append("s | ")
                .append(r.benchCase().stream() ? "Time to first audio chunk" : "Time to first audio chunk (non-streaming: the whole utterance)").append(" |\n");
        b.append("| **Real-Time Factor (RTF)** | ").append(n3(rtf)).append(" | ").append(rtfWords(rtf)).append(" |\n");
        b.append("| **Throughput** | ").append(n2(r.aggregate("throughput").mean())).append(" s/s | Audio seconds per wall-clock second |\n");
        b.append("| **Average Generation Time** | ").append(n2(r.aggregate("generation_s").mean())).append("s | Total time per synthesis |\n");
        b.append("| **Model Load Time** | ").append(n2(r.loadS())).append("s | One-time startup cost |\n");
        MemoryStats m = r.memory();
        b.append("| **Peak Memory** | ").append(n2(gb(m.peakRssBytes()))).append(" GB | Peak resident set (VmHWM, mapped weights included); JVM heap peak ")
                .append(n2(gb(m.heapPeakBytes()))).append(" GB of ").append(n2(gb(m.heapMaxBytes()))).append(" GB |\n");

        b.append('\n').append(h).append(" Aggregates\n\n| Metric | Mean | Median | Min | Max |\n|--------|------|--------|-----|-----|\n");
        aggRow(b, "FTL (s)", r.aggregate("ftl_s"));
        aggRow(b, "RTF", r.aggregate("rtf"));
        aggRow(b, "RTF core (excl. frontend)", r.aggregate("rtf_core"));
        aggRow(b, "Throughput (s/s)", r.aggregate("throughput"));
        aggRow(b, "Generation time (s)", r.aggregate("generation_s"));
        aggRow(b, "Audio length (s)", r.aggregate("audio_s"));

        b.append('\n').append(h).append(" Per-Iteration Breakdown\n\n")
                .append("| Iteration | FTL (s) | RTF | Generation (s) | Audio Length (s) | Chunks |\n")
                .append("|-----------|---------|-----|----------------|------------------|--------|\n");
        for (IterationMetrics it : r.iterations()) {
            b.append("| ").append(it.iteration()).append(" | ").append(n3(it.ftlS())).append(" | ").append(n3(it.rtf())).append(" | ")
                    .append(n2(it.generationS())).append(" | ").append(n2(it.audioS())).append(" | ").append(it.chunks()).append(" |\n");
        }

        StageSummary s = r.stages();
        double gen = r.aggregate("generation_s").mean();
        b.append('\n').append(h).append(" Stage Breakdown (mean per iteration)\n\n| Stage | Time (s) | Share | Detail |\n|-------|----------|-------|--------|\n");
        stageRow(b, "Frontend", s.frontendS(), gen, "text tokens, prompt speech tokens, speaker embedding, prompt mel");
        stageRow(b, "LLM prefill", s.prefillS(), gen, Double.isNaN(s.prefillPositions()) ? ""
                : f("%.0f positions, %.1f positions/s", s.prefillPositions(), s.prefillPosPerS()));
        stageRow(b, "LLM decode", s.decodeS(), gen, Double.isNaN(s.decodeTokPerS()) ? ""
                : f("%.0f tokens, %.2f tokens/s (%sreal time needs %.0f tokens/s)", s.decodeTokens(), s.decodeTokPerS(),
                Double.isNaN(s.decodeMsMedian()) ? "" : f("median %.1f ms/token, p90 %.1f ms; ", s.decodeMsMedian(), s.decodeMsP90()),
                TOKENS_PER_AUDIO_S));
        stageRow(b, "Flow (CFM)", s.flowS(), gen, (Double.isNaN(s.flowMsPerStep()) ? (s.flowCalls() > 0 ? f("%.0f calls", s.flowCalls()) : "")
                : f("%.0f call(s), %.0f ODE steps, %.1f ms/step", s.flowCalls(), s.flowSteps(), s.flowMsPerStep())) + flowFrames(r));
        stageRow(b, "Vocoder (HiFT)", s.hiftS(), gen, Double.isNaN(s.hiftMsPerAudioS()) ? ""
                : f("%.0f call(s), %.1f ms per second of audio", s.hiftCalls(), s.hiftMsPerAudioS()));
        if (!Double.isNaN(s.otherS())) {
            stageRow(b, s.otherS() >= 0 ? "Other (outside the stages)" : "Overlap", Math.abs(s.otherS()), gen,
                    s.otherS() >= 0 ? "scheduling, copies, audio assembly" : "stages ran concurrently (streaming LLM and token2wav); their sum exceeds the wall time");
        }
        b.append("| **Generation (wall)** | **").append(n3(gen)).append("** | 100% | |\n");
        roofline(b, h, r, s);
    }

    /** "; 200 frames computed, 150 cached (DiT state 540 MB)" from the engine's counters, when it reports them. */
    private static String flowFrames(RunResult r) {
        double computed = mean(r, EngineBenchTarget.FLOW_COMPUTED_FRAMES), cached = mean(r, EngineBenchTarget.FLOW_CACHED_FRAMES);
        double state = mean(r, EngineBenchTarget.FLOW_CACHE_BYTES), voice = mean(r, EngineBenchTarget.VOICE_CACHE_BYTES);
        if (Double.isNaN(computed)) return "";
        String s = f("; frames: %.0f computed, %.0f cached", computed, cached);
        if (state > 0) s += f(" (streaming DiT state %.0f MB", state / 1e6) + (voice > 0 ? f(", saved voice %.0f MB)", voice / 1e6) : ")");
        double uncond = mean(r, EngineBenchTarget.FLOW_UNCOND_FIRST_STEP_FRAMES), uncondBytes = mean(r, EngineBenchTarget.UNCOND_FIRST_STEP_BYTES);
        if (uncond > 0) s += f("; unconditional first step kept for %.0f (model constant %.0f MB)", uncond, uncondBytes / 1e6);
        return s;
    }

    private static double mean(RunResult r, String counter) {
        return r.iterations().stream().filter(m -> m.counters().containsKey(counter))
                .mapToDouble(m -> m.counters().get(counter)).average().orElse(Double.NaN);
    }

    /** Achieved rates of the two big stages next to the machine's measured limits (when the target reports them). */
    private static void roofline(StringBuilder b, String h, RunResult r, StageSummary s) {
        String peak = r.load().details().get(EngineBenchTarget.ROOFLINE_GFLOPS), bw = r.load().details().get(EngineBenchTarget.ROOFLINE_GBS);
        if (peak == null || bw == null) return;
        double peakG = Double.parseDouble(peak), bwG = Double.parseDouble(bw);
        double flop = r.iterations().stream().mapToDouble(m -> m.counters().getOrDefault(EngineBenchTarget.FLOW_FLOP, 0L)).average().orElse(0);
        double bytes = r.iterations().stream().mapToDouble(m -> m.counters().getOrDefault(EngineBenchTarget.DECODE_WEIGHT_BYTES, 0L)).average().orElse(0);
        b.append('\n').append(h).append(" Roofline (this machine, measured at start)\n\n| Stage | Achieved | Machine limit | Fraction |\n|-------|----------|---------------|----------|\n");
        if (flop > 0 && s.flowS() > 0) {
            double g = flop / 1e9 / s.flowS();
            b.append("| Flow (DiT matrix arithmetic) | ").append(f("%.0f GFLOP/s", g)).append(" | ").append(f("%.0f GFLOP/s fp32 FMA peak", peakG))
                    .append(" | ").append(f("%.0f%%", 100 * g / peakG)).append(" |\n");
        }
        if (bytes > 0 && s.decodeS() > 0 && s.decodeTokens() > 0) {
            double gbs = bytes * s.decodeTokens() / s.decodeS() / 1e9;
            b.append("| LLM decode (weights streamed) | ").append(f("%.1f GB/s", gbs)).append(" | ").append(f("%.1f GB/s read bandwidth", bwG))
                    .append(" | ").append(f("%.0f%%", 100 * gbs / bwG)).append(" |\n");
        }
        b.append("\nbf16 (oneDNN) can exceed the fp32 peak; quantised weights stream fewer bytes per token.\n");
    }

    private static void analysis(StringBuilder b, RunResult r, boolean many) {
        if (many) b.append("\n### ").append(r.label(false)).append('\n');
        String h = many ? "####" : "###";
        double rtf = r.aggregate("rtf").mean(), ftl = r.aggregate("ftl_s").mean(), mem = gb(r.memory().peakRssBytes());
        b.append('\n').append(h).append(" Performance Summary\n");
        b.append("- **RTF ").append(n2(rtf)).append(rtf < 1 ? " < 1**: " : " > 1**: ").append(rtfWords(rtf)).append('\n');
        b.append("- **FTL ").append(n2(ftl)).append(" s**: ").append(ftl < TARGET_FTL_S ? "meets" : "misses")
                .append(" the 0.5 s interactive target").append(r.benchCase().stream() ? "" : " (non-streaming run)").append('\n');
        b.append("- **Peak RSS ").append(n2(mem)).append(" GB**: ").append(mem < TARGET_MEMORY_GB ? "within" : "above")
                .append(" the 2 GB budget").append(" (").append(r.load().precision()).append(" weights are memory-mapped and count once touched)\n");
        b.append('\n').append(h).append(" Bottlenecks Identified\n");
        double gen = r.aggregate("generation_s").mean();
        List<Stage> order = new ArrayList<>(Stage.topLevel());
        order.removeIf(st -> Double.isNaN(r.stages().seconds(st)));
        order.sort(Comparator.comparingDouble((Stage st) -> r.stages().seconds(st)).reversed());
        int i = 1;
        for (Stage st : order) {
            double sec = r.stages().seconds(st);
            String extra = switch (st) {
                case LLM_DECODE -> Double.isNaN(r.stages().decodeTokPerS()) ? "" : f("; %.2f tokens/s", r.stages().decodeTokPerS());
                case FLOW -> Double.isNaN(r.stages().flowMsPerStep()) ? "" : f("; %.1f ms per ODE step", r.stages().flowMsPerStep());
                case HIFT -> Double.isNaN(r.stages().hiftMsPerAudioS()) ? "" : f("; %.1f ms per audio second", r.stages().hiftMsPerAudioS());
                default -> "";
            };
            b.append(i++).append(". **").append(st.title()).append("**: ").append(n2(sec)).append(" s, ")
                    .append(gen > 0 ? f("%.0f%%", 100 * sec / gen) : "n/a").append(" of generation time").append(extra).append('\n');
        }
        if (order.isEmpty()) b.append("(the target reported no stage timings)\n");
    }

    private static void comparison(StringBuilder b, Comparison c) {
        b.append("\n---\n\n## Comparison with `").append(esc(c.source())).append("`\n\n")
                .append("Ratio: how many times better this run is (times: theirs / ours; tokens/s: ours / theirs).\n");
        for (Comparison.Table t : c.tables()) {
            b.append("\n### ").append(esc(t.ours())).append(" vs ").append(esc(t.theirs())).append("\n\n")
                    .append("| Metric | This run | Baseline | Ratio |\n|--------|----------|----------|-------|\n");
            for (Comparison.Row r : t.rows()) {
                b.append("| ").append(r.metric()).append(" | ").append(num(r.ours())).append(" | ").append(num(r.theirs())).append(" | ")
                        .append(r.verdict().isEmpty() ? "" : "**" + r.verdict() + "**").append(" |\n");
            }
            if (!t.notes().isEmpty()) {
                b.append('\n');
                for (String note : t.notes()) b.append("- ").append(esc(note)).append('\n');
            }
        }
    }

    /** 1-minute load above the logical core count: other work competed for the CPUs. */
    static boolean loadHigh(BenchEnvironment env) {
        try {
            return Double.parseDouble(env.loadAverage().split(" ")[0]) > env.logicalCores();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String rtfWords(double rtf) {
        if (Double.isNaN(rtf)) return "n/a (no audio)";
        if (rtf <= 0) return "n/a";
        return rtf < 1 ? f("%.2fx faster than real-time", 1 / rtf) : f("%.2fx slower than real-time", rtf);
    }

    static String gap(double current, double target) {
        if (Double.isNaN(current)) return "n/a";
        return current < target ? "met" : f("%.2fx", current / target);
    }

    private static String params(LoadInfo l) {
        List<String> p = new ArrayList<>();
        for (String k : List.of("params_llm", "params_flow", "params_hift")) {
            String v = l.details().get(k);
            if (v != null) {
                try { p.add(k.substring(7) + " " + f("%,d", Long.parseLong(v))); } catch (NumberFormatException e) { p.add(k.substring(7) + " " + v); }
            }
        }
        return p.isEmpty() ? "" : " (parameters: " + String.join(" / ", p) + ")";
    }

    private static void stageRow(StringBuilder b, String name, double s, double gen, String detail) {
        if (Double.isNaN(s)) {
            b.append("| ").append(name).append(" | n/a | | not reported |\n");
            return;
        }
        b.append("| ").append(name).append(" | ").append(n3(s)).append(" | ").append(gen > 0 ? f("%.1f%%", 100 * s / gen) : "").append(" | ")
                .append(esc(detail)).append(" |\n");
    }

    private static void aggRow(StringBuilder b, String name, Stats s) {
        b.append("| ").append(name).append(" | ").append(n3(s.mean())).append(" | ").append(n3(s.median())).append(" | ")
                .append(n3(s.min())).append(" | ").append(n3(s.max())).append(" |\n");
    }

    private static void row(StringBuilder b, String k, String v) { b.append("| ").append(k).append(" | ").append(v).append(" |\n"); }

    private static String distinct(List<RunResult> runs, Function<RunResult, String> f) {
        Set<String> s = new LinkedHashSet<>();
        for (RunResult r : runs) s.add(f.apply(r));
        return String.join(", ", s);
    }

    /** Escapes Markdown table separators and newlines. */
    static String esc(String s) { return s == null ? "" : s.replace("|", "\\|").replace("\n", " "); }

    static double gb(long bytes) { return bytes >= 0 ? bytes / 1e9 : Double.NaN; }

    /** About four significant digits: 6280, 61.89, 2.584, 0.0937. */
    static String num(double v) {
        if (!Double.isFinite(v)) return "n/a";
        double a = Math.abs(v);
        return f(a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : a >= 0.1 ? "%.3f" : "%.4f", v);
    }

    static String n1(double v) { return Double.isFinite(v) ? f("%.1f", v) : "n/a"; }

    static String n2(double v) { return Double.isFinite(v) ? f("%.2f", v) : "n/a"; }

    static String n3(double v) { return Double.isFinite(v) ? f("%.3f", v) : "n/a"; }

    static String f(String fmt, Object... args) { return String.format(Locale.ROOT, fmt, args); }
}
