package dev.cosyvoice4j.bench.soak;

import dev.cosyvoice4j.bench.soak.SoakResult.Outcome;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code soak.md}: the verdict first, then set-up, operations by kind, errors by kind, latency, memory over time. */
final class SoakMarkdown {
    static final int FAILURES_SHOWN = 20, SAMPLE_ROWS = 24;

    private SoakMarkdown() {}

    static String write(SoakReport r, String svgName) {
        StringBuilder md = new StringBuilder();
        SoakReport.Setup s = r.setup();
        md.append("# Soak: ").append(r.passed() ? "passed" : "FAILED").append("\n\n");
        md.append(String.format(Locale.ROOT, "%d clients for %.0f s against %s (%s); %d operations, %d identical to their serial run, %d failures.%n%n",
                s.clients(), r.loadSeconds(), s.server(), r.serverHealth(), r.results().size(), r.count(Outcome.OK), r.failures()));
        md.append("| check | result | detail |\n| --- | --- | --- |\n");
        for (SoakReport.Check c : r.checks()) md.append("| ").append(c.name()).append(" | ").append(c.passed() ? "pass" : "**FAIL**").append(" | ").append(cell(c.detail())).append(" |\n");

        md.append("\n## Set-up\n\n");
        md.append(String.format(Locale.ROOT, "- started %s; client machine: %s, %d logical cores, %s%n", r.started(), r.environment().cpuModel(),
                r.environment().logicalCores(), r.environment().os()));
        md.append(String.format(Locale.ROOT, "- server synthesis slots: %.0f (more clients than slots plus queue: 429s expected)%n", r.idle().capacity()));
        md.append(String.format(Locale.ROOT, "- seed %d, a sample every %.1f s, heap figure %s; flatness judged from %.0f s (warm-up fraction %.2f): heap growth <= %.0f MiB, RSS growth <= %.0f MiB; threads +%d, fds +%d over idle%n",
                s.seed(), s.sampleIntervalS(), s.forcedGc() ? "after a forced full GC (jcmd GC.run)" : "after the server's last GC",
                r.judgedFromS(), s.warmupFraction(), s.bounds().heapGrowthMiB(), s.bounds().rssGrowthMiB(), s.bounds().threadSlack(), s.bounds().fdSlack()));

        md.append("\n## Operations by kind\n\n| kind |");
        for (Outcome o : Outcome.values()) md.append(' ').append(o.name().toLowerCase(Locale.ROOT)).append(" |");
        md.append(" total |\n| --- |");
        for (int i = 0; i <= Outcome.values().length; i++) md.append(" ---: |");
        md.append('\n');
        for (Map.Entry<SoakOp, Map<Outcome, Long>> e : r.byKind().entrySet()) {
            md.append("| ").append(e.getKey().name().toLowerCase(Locale.ROOT)).append(" |");
            long total = 0;
            for (Outcome o : Outcome.values()) {
                long n = e.getValue().getOrDefault(o, 0L);
                total += n;
                md.append(' ').append(n == 0 ? "" : (o.failure ? "**" + n + "**" : Long.toString(n))).append(" |");
            }
            md.append(' ').append(total).append(" |\n");
        }

        md.append("\n## Errors and refusals by kind\n\n| kind / request / outcome | count |\n| --- | ---: |\n");
        r.notOkByVariant().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        List<SoakResult> failures = r.failureList(FAILURES_SHOWN);
        if (!failures.isEmpty()) {
            md.append("\nFailures (first ").append(failures.size()).append("):\n\n| t (s) | kind | request | outcome | detail |\n| ---: | --- | --- | --- | --- |\n");
            for (SoakResult f : failures) {
                md.append(String.format(Locale.ROOT, "| %.1f | %s | %s | %s | %s |%n", f.startS(), f.op().name().toLowerCase(Locale.ROOT), f.variant(),
                        f.outcome().name().toLowerCase(Locale.ROOT), cell(f.detail())));
            }
        }

        md.append("\n## Latency\n\nSuccessful operations (disconnects: until the client left; malformed: until the refusal), milliseconds.\n\n");
        md.append("| kind | n | p50 | p95 | max | first audio p50 | first audio p95 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        r.latency().forEach((op, l) -> md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |%n", op.name().toLowerCase(Locale.ROOT), l.n(),
                f0(l.p50Ms()), f0(l.p95Ms()), f0(l.maxMs()), f0(l.ttfaP50Ms()), f0(l.ttfaP95Ms()))));

        md.append("\n## Memory over time\n\n");
        if (svgName != null) md.append("![memory, threads and file descriptors over the run](").append(svgName).append(")\n\n");
        md.append("| figure | window (s) | samples | first (MiB) | last (MiB) | slope (MiB/min) | growth (MiB) |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Trend t : r.trends()) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f-%.0f | %d | %.1f | %.1f | %+.2f | %+.1f |%n", t.figure(), t.fromS(), t.toS(), t.samples(),
                    t.first() / 1048576, t.last() / 1048576, t.slopePerMinute() / 1048576, t.growth() / 1048576));
        }
        md.append("\n| t (s) | ops | heap (MiB) | heap after GC (MiB) | heap committed (MiB) | RSS (MiB) | threads | fds | sessions open/idle | active | queued | WebSockets |\n");
        md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
        row(md, "idle", r.idle());
        List<MetricsSample> samples = r.samples();
        int step = Math.max(1, (samples.size() + SAMPLE_ROWS - 1) / SAMPLE_ROWS);
        for (int i = 0; i < samples.size(); i += step) row(md, String.format(Locale.ROOT, "%.0f", samples.get(i).tS()), samples.get(i));
        row(md, "settled", r.settled());
        return md.toString();
    }

    private static void row(StringBuilder md, String t, MetricsSample s) {
        md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f/%.0f | %.0f | %.0f | %.0f |%n", t, s.operationsDone(),
                s.heapUsedBytes() / 1048576, s.heapAfterGcBytes() / 1048576, s.heapCommittedBytes() / 1048576, s.rssBytes() / 1048576, s.liveThreads(), s.openFds(),
                s.sessionsOpen(), s.sessionsIdle(), s.active(), s.queued(), s.webSockets()));
    }

    private static String f0(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f", v) : "-"; }

    private static String cell(String s) { return s == null ? "" : s.replace("<", "&lt;").replace("|", "\\|").replace("\n", " "); }
}
