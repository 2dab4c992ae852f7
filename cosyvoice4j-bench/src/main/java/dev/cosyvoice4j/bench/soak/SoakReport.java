package dev.cosyvoice4j.bench.soak;

import dev.cosyvoice4j.bench.BenchEnvironment;
import dev.cosyvoice4j.bench.Stats;
import dev.cosyvoice4j.bench.soak.SoakResult.Outcome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a soak run reports; written as {@code soak.md}, {@code soak.json} and {@code soak-memory.svg}
 * ({@code environment} is the client's machine, which is also the server's when the soak runs beside it).
 *
 * @param judgedFromS where the flatness window starts (seconds after the load started)
 */
public record SoakReport(BenchEnvironment environment, Setup setup, String serverHealth, Instant started, double loadSeconds,
                         double judgedFromS, List<SoakResult> results, List<MetricsSample> samples, MetricsSample idle,
                         MetricsSample settled, List<Trend> trends, List<Check> checks) {
    public static final String SCHEMA = "cosyvoice4j-soak/1";
    public static final String MARKDOWN = "soak.md", JSON = "soak.json", SVG = "soak-memory.svg";

    /** The run's settings as reported (never the API key). */
    public record Setup(String server, int clients, double durationS, long seed, double sampleIntervalS, boolean forcedGc,
                        double warmupFraction, SoakConfig.Bounds bounds) {
        static Setup of(SoakConfig c) {
            return new Setup(c.server().toString(), c.clients(), c.duration().toMillis() / 1000.0, c.seed(),
                    c.sampleInterval().toMillis() / 1000.0, c.serverPid() > 0, c.warmupFraction(), c.bounds());
        }
    }

    /** One verdict line. */
    public record Check(String name, boolean passed, String detail) {}

    /** Latency of one kind's successful operations (for disconnects: the abandoned ones). */
    public record Latency(int n, double p50Ms, double p95Ms, double maxMs, double ttfaP50Ms, double ttfaP95Ms) {}

    public SoakReport {
        results = List.copyOf(results);
        samples = List.copyOf(samples);
        trends = List.copyOf(trends);
        checks = List.copyOf(checks);
    }

    public boolean passed() { return checks.stream().allMatch(Check::passed); }

    public long count(Outcome o) { return results.stream().filter(r -> r.outcome() == o).count(); }

    public long failures() { return results.stream().filter(r -> r.outcome().failure).count(); }

    /** Operations by kind and outcome. */
    public Map<SoakOp, Map<Outcome, Long>> byKind() {
        Map<SoakOp, Map<Outcome, Long>> m = new EnumMap<>(SoakOp.class);
        for (SoakOp op : SoakOp.values()) m.put(op, new EnumMap<>(Outcome.class));
        for (SoakResult r : results) m.get(r.op()).merge(r.outcome(), 1L, Long::sum);
        return m;
    }

    /** "op / variant / outcome" -> count, for everything that was not OK (refusals, rejections, disconnects, failures). */
    public Map<String, Long> notOkByVariant() {
        Map<String, Long> m = new TreeMap<>();
        for (SoakResult r : results) {
            if (r.outcome() == Outcome.OK) continue;
            m.merge(r.op().name().toLowerCase(java.util.Locale.ROOT) + " / " + r.variant() + " / " + r.outcome().name().toLowerCase(java.util.Locale.ROOT),
                    1L, Long::sum);
        }
        return m;
    }

    public Map<SoakOp, Latency> latency() {
        Map<SoakOp, Latency> m = new EnumMap<>(SoakOp.class);
        for (SoakOp op : SoakOp.values()) {
            Outcome wanted = op.family == SoakOp.Family.NORMAL ? Outcome.OK : op.family == SoakOp.Family.DISCONNECT ? Outcome.DISCONNECTED : Outcome.REFUSED;
            double[] lat = results.stream().filter(r -> r.op() == op && r.outcome() == wanted).mapToDouble(SoakResult::latencyMs).toArray();
            double[] ttfa = results.stream().filter(r -> r.op() == op && r.outcome() == wanted).mapToDouble(SoakResult::ttfaMs).toArray();
            if (lat.length == 0) continue;
            m.put(op, new Latency(lat.length, Stats.quantile(lat, 0.5), Stats.quantile(lat, 0.95), Stats.of(lat).max(),
                    Stats.quantile(ttfa, 0.5), Stats.quantile(ttfa, 0.95)));
        }
        return m;
    }

    public List<SoakResult> failureList(int max) {
        return results.stream().filter(r -> r.outcome().failure).sorted((a, b) -> Double.compare(a.startS(), b.startS())).limit(max).toList();
    }

    /** The Markdown report without the plot (for standard output). */
    public String markdown() { return SoakMarkdown.write(this, null); }

    /** Writes the three files into {@code dir} (created if needed); returns their paths. */
    public List<Path> writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve(MARKDOWN), json = dir.resolve(JSON), svg = dir.resolve(SVG);
        Files.writeString(md, SoakMarkdown.write(this, SVG));
        Files.writeString(json, SoakJson.write(this));
        Files.writeString(svg, SoakSvgChart.write(this));
        return List.of(md, json, svg);
    }
}
