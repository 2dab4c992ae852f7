package dev.cosyvoice4j.bench.server;

import dev.cosyvoice4j.bench.BenchEnvironment;
import dev.cosyvoice4j.bench.SvgChart;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The human server report, in the in-process report's style: configuration, one summary row per concurrency
 * level (p50/p95 time to first audio, p50/p95 RTF, aggregate audio seconds per second, ok / 429 / errors), the
 * error messages seen and every request.
 */
public final class ServerMarkdownReport {
    private ServerMarkdownReport() {}

    /** @param chartFile file name of the SVG chart next to the report, or null */
    public static String write(ServerLoadReport report, String chartFile) {
        StringBuilder b = new StringBuilder();
        BenchEnvironment env = report.environment();
        ServerLoadConfig c = report.config();
        SpeechRequest r = c.request();
        b.append("# cosyvoice4j Server Load Report\n\n");
        b.append("**Date**: ").append(env.date(), 0, Math.min(10, env.date().length())).append("  \n");
        b.append("**Client**: ").append(env.cpuModel()).append(" (").append(env.logicalCores()).append(" logical cores")
                .append(env.memTotalBytes() > 0 ? f(", %.1f GB RAM", env.memTotalBytes() / 1e9) : "").append("), JDK ")
                .append(env.javaVersion()).append("  \n");
        b.append("**Server**: `").append(c.server()).append("`").append(report.server().models().isEmpty() ? ""
                : " (models: " + esc(String.join(", ", report.server().models())) + ")").append("\n\n---\n\n");

        b.append("## Benchmark Configuration\n\n| Parameter | Value |\n|-----------|-------|\n");
        row(b, "Endpoint", "`POST " + c.endpoint("/v1/audio/speech") + "` (response_format pcm, stream_format audio)");
        row(b, "Model", "`" + esc(r.model()) + "`");
        row(b, "Text", "\"" + esc(r.input()) + "\"");
        row(b, "Voice", r.voice() != null ? "`" + esc(r.voice()) + "`" : esc(r.voiceLabel())
                + (r.refText() != null ? " (\"" + esc(r.refText()) + "\")" : ""));
        row(b, "Seed", String.valueOf(r.seed()));
        row(b, "Concurrency", c.concurrency().stream().map(String::valueOf).collect(Collectors.joining(", "))
                + " (closed loop: each client sends its next request when the last one's audio has arrived)");
        row(b, c.byDuration() ? "Duration per level" : "Requests per level",
                (c.byDuration() ? SvgChart.fmt(c.durationS()) + " s" : String.valueOf(c.requestsPerLevel()))
                        + (c.warmup() > 0 ? " (after " + c.warmup() + " warm-up request" + (c.warmup() == 1 ? ")" : "s)") : ""));
        row(b, "API key", c.apiKey() != null ? "sent (not shown)" : "none");
        if (!env.loadAverage().isEmpty()) row(b, "Client system load (1/5/15 min)", env.loadAverage() + " at the end");

        b.append("\n---\n\n## Results\n\n")
                .append("| Concurrency | Requests | OK | 429 | Errors | TTFA p50 (ms) | TTFA p95 (ms) | RTF p50 | RTF p95 | Audio s/s | Wall (s) |\n")
                .append("|-------------|----------|----|-----|--------|---------------|---------------|---------|---------|-----------|----------|\n");
        for (ServerLevelResult l : report.levels()) {
            b.append("| ").append(l.concurrency()).append(" | ").append(l.requests().size()).append(" | ").append(l.okCount())
                    .append(" | ").append(l.rejectedCount()).append(" | ").append(l.errorCount()).append(" | ")
                    .append(n0(l.ttfaMs(0.5))).append(" | ").append(n0(l.ttfaMs(0.95))).append(" | ")
                    .append(n3(l.rtf(0.5))).append(" | ").append(n3(l.rtf(0.95))).append(" | ")
                    .append(n2(l.audioSecondsPerSecond())).append(" | ").append(n2(l.wallS())).append(" |\n");
        }
        b.append("\nTTFA: time to first audio, from sending the request to its first audio byte (queueing included). "
                + "RTF: a request's total time over its audio length. Percentiles are over the complete answers. "
                + "Audio s/s: audio seconds of all complete answers per wall-clock second of the level (above 1 = the server "
                + "produces speech faster than one listener plays it).\n");
        if (chartFile != null) b.append("\n![Latency and throughput per concurrency level](").append(chartFile).append(")\n");

        if (report.levels().stream().anyMatch(l -> !l.errorMessages(1).isEmpty())) {
            b.append("\n---\n\n## Errors\n");
            for (ServerLevelResult l : report.levels()) {
                List<ServerLevelResult.ErrorCount> errs = l.errorMessages(ServerLoadReport.ERRORS_SHOWN);
                if (errs.isEmpty()) continue;
                b.append("\n### Concurrency ").append(l.concurrency()).append("\n\n");
                for (ServerLevelResult.ErrorCount e : errs) b.append("- ").append(e.count()).append("x ").append(esc(e.message())).append('\n');
            }
        }

        b.append("\n---\n\n## Per-Request Breakdown\n");
        for (ServerLevelResult l : report.levels()) {
            b.append("\n### Concurrency ").append(l.concurrency()).append("\n\n")
                    .append("| # | Client | Start (ms) | Status | TTFA (ms) | Total (ms) | Audio (s) | RTF | Error |\n")
                    .append("|---|--------|------------|--------|-----------|------------|-----------|-----|-------|\n");
            int i = 1;
            for (ServerRequestResult q : l.requests()) {
                b.append("| ").append(i++).append(" | ").append(q.client()).append(" | ").append(n0(q.startMs())).append(" | ")
                        .append(q.status() == 0 ? "-" : String.valueOf(q.status())).append(" | ").append(n0(q.ttfaMs())).append(" | ")
                        .append(n0(q.totalMs())).append(" | ").append(q.audioBytes() > 0 ? n2(q.audioSeconds()) : "-").append(" | ")
                        .append(n3(q.rtf())).append(" | ").append(q.error() == null ? "" : esc(q.error())).append(" |\n");
            }
        }
        b.append("\n---\n\n*Report generated by cosyvoice4j bench --server*\n");
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v) { b.append("| ").append(k).append(" | ").append(v).append(" |\n"); }

    /** Table cells: no pipes or line breaks from messages and texts. */
    static String esc(String s) { return s.replace("|", "\\|").replace("\r", " ").replace("\n", " "); }

    static String f(String fmt, Object... args) { return String.format(Locale.ROOT, fmt, args); }

    static String n0(double v) { return Double.isFinite(v) ? f("%.0f", v) : "-"; }

    static String n2(double v) { return Double.isFinite(v) ? f("%.2f", v) : "-"; }

    static String n3(double v) { return Double.isFinite(v) ? f("%.3f", v) : "-"; }
}
