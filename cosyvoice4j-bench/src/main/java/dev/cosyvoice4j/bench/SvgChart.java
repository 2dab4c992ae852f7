package dev.cosyvoice4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained SVG of where the time goes: per run, one horizontal stacked bar per measured iteration
 * (frontend, LLM prefill, LLM decode, flow, HiFT, rest), a dashed line at the wall-clock generation time (a bar
 * longer than its line means stages overlapped) and a triangle at the first audio chunk (FTL). With a
 * comparison, a last panel puts this run's mean next to the baseline on one axis.
 */
public final class SvgChart {
    static final int WIDTH = 960, LEFT = 200, RIGHT = 40, BAR = 22, GAP = 10;
    static final String OTHER_COLOR = "#d9d9d9";
    static final Map<Stage, String> COLORS = Map.of(Stage.FRONTEND, "#bab0ac", Stage.LLM_PREFILL, "#59a14f",
            Stage.LLM_DECODE, "#8cd17d", Stage.FLOW, "#4e79a7", Stage.FLOW_STEP, "#4e79a7", Stage.HIFT, "#f28e2b");

    private SvgChart() {}

    /** One bar: stage seconds (top-level stages, NaN/absent = 0), wall seconds, FTL (NaN = none). */
    record Bar(String label, Map<Stage, Double> stages, double wallS, double ftlS) {
        double stageSum() { return stages.values().stream().mapToDouble(d -> Double.isNaN(d) ? 0 : d).sum(); }

        double otherS() { return Math.max(0, wallS - stageSum()); }

        double extent() { return Math.max(wallS, stageSum()); }
    }

    /** {@code axisS}: the panel's time axis length (NaN = fit its own bars). */
    record Panel(String title, List<Bar> bars, String note, double axisS) {}

    public static String write(BenchReport report) {
        List<Panel> panels = new ArrayList<>();
        boolean many = report.runs().size() > 1;
        for (RunResult r : report.runs()) {
            List<Bar> bars = new ArrayList<>();
            for (IterationMetrics m : r.iterations()) {
                Map<Stage, Double> st = new LinkedHashMap<>();
                for (Stage s : Stage.topLevel()) st.put(s, m.stageS(s));
                bars.add(new Bar("#" + m.iteration() + "  " + fmt(m.generationS()) + " s", st, m.generationS(), m.ftlS()));
            }
            panels.add(new Panel(r.label(!many), bars, String.format(Locale.ROOT, "RTF %.3f \u00b7 FTL %.3f s \u00b7 audio %.2f s",
                    r.aggregate("rtf").mean(), r.aggregate("ftl_s").mean(), r.aggregate("audio_s").mean()), Double.NaN));
        }
        double runsMax = panels.stream().flatMap(p -> p.bars().stream()).mapToDouble(Bar::extent).filter(Double::isFinite).max().orElse(1);
        List<Panel> scaled = new ArrayList<>();
        for (Panel p : panels) scaled.add(new Panel(p.title(), p.bars(), p.note(), runsMax)); // one time axis for all runs
        Comparison cmp = report.comparison();
        if (cmp != null && !cmp.tables().isEmpty()) {
            List<Bar> bars = new ArrayList<>();
            java.util.Set<String> theirs = new java.util.LinkedHashSet<>();
            int best = 0;
            for (int i = 0; i < cmp.tables().size() && i < report.runs().size(); i++) {
                RunResult r = report.runs().get(i);
                bars.add(summaryBar(many ? r.setup().threads() + " threads, stream " + (r.benchCase().stream() ? "on" : "off")
                        : "this run (mean)", Baseline.of(r)));
                if (r.aggregate("rtf").mean() < report.runs().get(best).aggregate("rtf").mean()) best = i;
            }
            for (Comparison.Table t : cmp.tables()) {
                if (theirs.add(t.theirs())) bars.add(summaryBar(t.theirs(), baselineOf(t)));
            }
            Comparison.Table bt = cmp.tables().get(best);
            scaled.add(new Panel((many ? "runs" : "this run") + " vs " + String.join(", ", theirs), bars,
                    (many ? "best run: " : "") + verdict(bt, "rtf", "RTF") + " \u00b7 " + verdict(bt, "generation_s", "generation"), Double.NaN));
        }
        return render(scaled, "cosyvoice4j bench: time per stage",
                report.environment().cpuModel() + " \u00b7 " + report.runs().getFirst().setup().modelDir().getFileName()
                        + " \u00b7 " + report.environment().date().substring(0, Math.min(10, report.environment().date().length())));
    }

    private static String verdict(Comparison.Table t, String key, String name) {
        for (Comparison.Row row : t.rows()) {
            if (row.key().equals(key)) {
                return String.format(Locale.ROOT, "%s %s vs %s%s", name, fmt(row.ours()), fmt(row.theirs()),
                        row.verdict().isEmpty() ? "" : " (" + row.verdict() + ")");
            }
        }
        return "";
    }

    /** Rebuilds the baseline's numbers from a comparison table. */
    private static Baseline baselineOf(Comparison.Table t) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Comparison.Row r : t.rows()) m.put(r.key(), r.theirs());
        return new Baseline(t.theirs(), m, null, null, null, List.of());
    }

    private static Bar summaryBar(String label, Baseline b) {
        Map<Stage, Double> st = new LinkedHashMap<>();
        st.put(Stage.FRONTEND, b.get("frontend_s"));
        st.put(Stage.LLM_PREFILL, b.get("llm_prefill_s"));
        st.put(Stage.LLM_DECODE, b.get("llm_decode_s"));
        st.put(Stage.FLOW, b.get("flow_s"));
        st.put(Stage.HIFT, b.get("hift_s"));
        return new Bar(label, st, b.get("generation_s"), Double.NaN);
    }

    static String render(List<Panel> panels, String title, String subtitle) {
        StringBuilder body = new StringBuilder();
        int y = 92;
        int plotW = WIDTH - LEFT - RIGHT;
        for (Panel p : panels) {
            double max = Double.isFinite(p.axisS()) ? p.axisS()
                    : p.bars().stream().mapToDouble(Bar::extent).filter(Double::isFinite).max().orElse(1);
            double step = niceStep(max / 6);
            double axisMax = Math.max(step, Math.ceil(max * 1.02 / step) * step);
            body.append(text(12, y, 13, "bold", "start", p.title()));
            body.append(text(WIDTH - RIGHT, y, 12, "normal", "end", p.note()));
            y += 12;
            int top = y, bottom = y + p.bars().size() * (BAR + GAP) - GAP + 4;
            // grid first, so that the bars cover it
            for (double t = 0; t <= axisMax + step / 2; t += step) {
                double tx = LEFT + t / axisMax * plotW;
                body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e4e4\"/>%n", tx, top - 2, tx, bottom));
                body.append(text(tx, bottom + 14, 11, "normal", "middle", tick(t, step)));
            }
            body.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", LEFT, bottom, LEFT + plotW, bottom));
            for (Bar bar : p.bars()) {
                body.append(text(LEFT - 8, y + BAR / 2 + 4, 12, "normal", "end", shorten(bar.label(), 27)));
                double x = LEFT;
                for (Map.Entry<Stage, Double> e : bar.stages().entrySet()) {
                    x = segment(body, x, y, e.getValue(), axisMax, plotW, COLORS.get(e.getKey()), e.getKey().title());
                }
                segment(body, x, y, bar.otherS(), axisMax, plotW, OTHER_COLOR, "other");
                if (Double.isFinite(bar.wallS())) {
                    double wx = LEFT + bar.wallS() / axisMax * plotW;
                    body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1.5\" stroke-dasharray=\"4,2\"/>%n",
                            wx, y - 3, wx, y + BAR + 3));
                }
                if (Double.isFinite(bar.ftlS())) {
                    double fx = LEFT + bar.ftlS() / axisMax * plotW;
                    body.append(String.format(Locale.ROOT, "<path d=\"M %.1f %d l -5 -7 l 10 0 z\" fill=\"#c0392b\"><title>first audio %.3f s</title></path>%n",
                            fx, y, bar.ftlS()));
                }
                y += BAR + GAP;
            }
            body.append(text(LEFT + plotW, bottom + 28, 11, "normal", "end", "seconds"));
            y += 46;
        }
        StringBuilder legend = new StringBuilder();
        legend(legend, 12, 68);
        return document(WIDTH, y, title, subtitle, legend, body);
    }

    /** A chart document: white page, title, subtitle, the legend under them, then the body. */
    public static String document(int width, int height, String title, String subtitle, CharSequence legend, CharSequence body) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">%n",
                width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(text(12, 26, 18, "bold", "start", title));
        svg.append(text(12, 46, 12, "normal", "start", subtitle));
        svg.append(legend);
        svg.append(body);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void legend(StringBuilder svg, int x, int y) {
        List<String[]> items = new ArrayList<>();
        for (Stage s : Stage.topLevel()) items.add(new String[]{COLORS.get(s), s.title()});
        items.add(new String[]{OTHER_COLOR, "other"});
        for (String[] it : items) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", x, y - 10, it[0]));
            svg.append(text(x + 16, y, 12, "normal", "start", it[1]));
            x += 24 + it[1].length() * 7;
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1.5\" stroke-dasharray=\"4,2\"/>%n", x, y - 10, x, y + 2));
        svg.append(text(x + 6, y, 12, "normal", "start", "wall time"));
        x += 82;
        svg.append(String.format(Locale.ROOT, "<path d=\"M %d %d l -5 -7 l 10 0 z\" fill=\"#c0392b\"/>%n", x + 5, y - 2));
        svg.append(text(x + 14, y, 12, "normal", "start", "first audio (FTL)"));
    }

    private static double segment(StringBuilder b, double x, int y, Double seconds, double axisMax, int plotW, String color, String name) {
        if (seconds == null || !Double.isFinite(seconds) || seconds <= 0) return x;
        double w = seconds / axisMax * plotW;
        b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"white\" stroke-width=\"0.5\"><title>%s %s s</title></rect>%n",
                x, y, w, BAR, color, esc(name), fmt(seconds)));
        if (w > 42) b.append(text(x + w / 2, y + BAR / 2 + 4, 11, "normal", "middle", fmt(seconds)));
        return x + w;
    }

    /** A text element (escaped). */
    public static String text(double x, double y, int size, String weight, String anchor, String s) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\" fill=\"#222\">%s</text>%n",
                x, y, size, weight, anchor, esc(s));
    }

    /** Axis label with as many decimals as the step needs ("0", "0.5", "1", "1.5"). */
    public static String tick(double t, double step) {
        int decimals = (int) Math.max(0, -Math.floor(StrictMath.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", t);
    }

    static String shorten(String s, int max) { return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026"; }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    public static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) return 1;
        double p = StrictMath.pow(10, Math.floor(StrictMath.log10(raw)));
        double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    public static String fmt(double v) {
        if (!Double.isFinite(v)) return "n/a";
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
