package dev.cosyvoice4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * This run next to a baseline, metric by metric, as "x faster": for times {@code theirs / ours}, for rates
 * (tokens/s) {@code ours / theirs}, for memory {@code theirs / ours} ("x less"). Each of our runs is paired
 * with the baseline run of the same threads and streaming mode if there is one, else the same threads,
 * else the first.
 */
public record Comparison(String source, List<Table> tables) {
    /** One of our runs against one baseline run. */
    public record Table(String ours, String theirs, List<Row> rows, List<String> notes) {}

    /** {@code factor} > 1 means we are better; NaN when either side lacks the metric. */
    public record Row(String key, String metric, double ours, double theirs, double factor, String verdict) {}

    private enum Kind { TIME, RATE, MEMORY, INFO }

    private record Metric(String key, String title, Kind kind) {}

    private static final List<Metric> METRICS = List.of(
            new Metric("load_s", "Model load time (s)", Kind.TIME),
            new Metric("ftl_s", "First audio latency, FTL (s)", Kind.TIME),
            new Metric("rtf", "RTF (incl. frontend)", Kind.TIME),
            new Metric("rtf_core", "RTF core (LLM + flow + HiFT)", Kind.TIME),
            new Metric("generation_s", "Generation time (s)", Kind.TIME),
            new Metric("audio_s", "Audio length (s)", Kind.INFO),
            new Metric("frontend_s", "Frontend (s)", Kind.TIME),
            new Metric("llm_prefill_s", "LLM prefill (s)", Kind.TIME),
            new Metric("llm_decode_s", "LLM decode (s)", Kind.TIME),
            new Metric("decode_tok_per_s", "LLM decode (tokens/s)", Kind.RATE),
            new Metric("flow_s", "Flow CFM (s)", Kind.TIME),
            new Metric("flow_step_ms", "Flow per ODE step (ms)", Kind.TIME),
            new Metric("hift_s", "Vocoder HiFT (s)", Kind.TIME),
            new Metric("peak_rss_mb", "Peak RSS (MiB)", Kind.MEMORY));

    public static Comparison of(List<RunResult> runs, List<Baseline> baselines, String source) {
        if (baselines.isEmpty()) throw new IllegalArgumentException("--compare: no baseline runs");
        List<Table> tables = new ArrayList<>();
        for (RunResult r : runs) {
            Baseline ours = Baseline.of(r);
            Baseline theirs = match(ours, baselines);
            List<Row> rows = new ArrayList<>();
            for (Metric m : METRICS) {
                double a = ours.get(m.key()), b = theirs.get(m.key());
                if (Double.isNaN(a) && Double.isNaN(b)) continue;
                rows.add(row(m, a, b));
            }
            List<String> notes = new ArrayList<>(theirs.notes());
            if (theirs.tokens() != null && ours.tokens() != null && !theirs.tokens().equals(ours.tokens())) {
                notes.add("different amounts of audio: " + ours.tokens() + " vs " + theirs.tokens() + " speech tokens; compare RTF and rates, not totals");
            }
            if (theirs.threads() != null && !theirs.threads().equals(ours.threads())) {
                notes.add("different thread counts: " + ours.threads() + " vs " + theirs.threads());
            }
            tables.add(new Table(ours.label(), theirs.label(), rows, notes));
        }
        return new Comparison(source, tables);
    }

    static Baseline match(Baseline ours, List<Baseline> baselines) {
        for (Baseline b : baselines) if (eq(b.threads(), ours.threads()) && eq(b.stream(), ours.stream())) return b;
        for (Baseline b : baselines) if (eq(b.threads(), ours.threads())) return b;
        return baselines.getFirst();
    }

    private static boolean eq(Object a, Object b) { return a != null && a.equals(b); }

    private static Row row(Metric m, double ours, double theirs) {
        double f = switch (m.kind()) {
            case TIME, MEMORY -> theirs / ours;
            case RATE -> ours / theirs;
            case INFO -> Double.NaN;
        };
        if (Double.isInfinite(f)) f = Double.NaN;
        return new Row(m.key(), m.title(), ours, theirs, f, verdict(m.kind(), f));
    }

    static String verdict(Kind kind, double f) {
        if (Double.isNaN(f) || f <= 0) return "";
        boolean better = f >= 1;
        double x = better ? f : 1 / f;
        if (x < 1.005) return "same";
        String word = kind == Kind.MEMORY ? (better ? "less" : "more") : (better ? "faster" : "slower");
        return String.format(Locale.ROOT, x >= 10 ? "%.1fx %s" : "%.2fx %s", x, word);
    }
}
