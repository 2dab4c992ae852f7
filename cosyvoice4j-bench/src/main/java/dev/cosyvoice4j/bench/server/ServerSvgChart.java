package dev.cosyvoice4j.bench.server;

import dev.cosyvoice4j.bench.SvgChart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.cosyvoice4j.bench.SvgChart.esc;
import static dev.cosyvoice4j.bench.SvgChart.fmt;
import static dev.cosyvoice4j.bench.SvgChart.text;

/**
 * A self-contained SVG of how the server scales: three panels with one row per concurrency level, time to
 * first audio and RTF (p50 bar over a lighter p95 bar; a dashed line at RTF 1 = real time) and aggregate audio
 * seconds per second with the level's ok / 429 / error counts beside it.
 */
public final class ServerSvgChart {
    static final int WIDTH = 960, LEFT = 130, RIGHT = 230, BAR = 18, GAP = 8;
    static final String P50 = "#4e79a7", P95 = "#a0cbe8", THROUGHPUT = "#59a14f";

    private ServerSvgChart() {}

    /** One row: a p50 (or single) value, a p95 (NaN = none), a note at the right. */
    record Row(String label, double p50, double p95, String note) {
        double extent() { return Math.max(finite(p50), finite(p95)); }
    }

    /** {@code refLine}: a dashed vertical mark (NaN = none). */
    record Panel(String title, List<Row> rows, double refLine, String refLabel) {}

    public static String write(ServerLoadReport report) {
        List<Row> ttfa = new ArrayList<>(), rtf = new ArrayList<>(), thr = new ArrayList<>();
        for (ServerLevelResult l : report.levels()) {
            String label = "concurrency " + l.concurrency();
            ttfa.add(new Row(label, l.ttfaMs(0.5), l.ttfaMs(0.95), "p50 " + fmt(l.ttfaMs(0.5)) + " \u00b7 p95 " + fmt(l.ttfaMs(0.95))));
            rtf.add(new Row(label, l.rtf(0.5), l.rtf(0.95), "p50 " + fmt(l.rtf(0.5)) + " \u00b7 p95 " + fmt(l.rtf(0.95))));
            thr.add(new Row(label, l.audioSecondsPerSecond(), Double.NaN, String.format(Locale.ROOT, "%s s/s \u00b7 %d ok, %d \u00d7 429, %d err",
                    fmt(l.audioSecondsPerSecond()), l.okCount(), l.rejectedCount(), l.errorCount())));
        }
        List<Panel> panels = List.of(
                new Panel("Time to first audio (ms)", ttfa, Double.NaN, null),
                new Panel("Real-time factor (total time / audio length)", rtf, 1.0, "real time"),
                new Panel("Audio seconds per wall-clock second (all clients)", thr, Double.NaN, null));
        String date = report.environment().date();
        return render(panels, "cosyvoice4j bench --server: latency and throughput per concurrency level",
                report.config().server() + " \u00b7 " + report.config().request().voiceLabel() + " \u00b7 " + date.substring(0, Math.min(10, date.length())));
    }

    static String render(List<Panel> panels, String title, String subtitle) {
        StringBuilder body = new StringBuilder();
        int y = 92, plotW = WIDTH - LEFT - RIGHT;
        for (Panel p : panels) {
            double max = Math.max(p.rows().stream().mapToDouble(Row::extent).max().orElse(0), finite(p.refLine()));
            double step = SvgChart.niceStep(max > 0 ? max / 6 : 1);
            double axisMax = Math.max(step, Math.ceil(max * 1.02 / step) * step);
            body.append(text(12, y, 13, "bold", "start", p.title()));
            y += 12;
            int top = y, bottom = y + p.rows().size() * (BAR + GAP) - GAP + 4;
            for (double t = 0; t <= axisMax + step / 2; t += step) {
                double tx = LEFT + t / axisMax * plotW;
                body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e4e4\"/>%n", tx, top - 2, tx, bottom));
                body.append(text(tx, bottom + 14, 11, "normal", "middle", SvgChart.tick(t, step)));
            }
            body.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", LEFT, bottom, LEFT + plotW, bottom));
            for (Row r : p.rows()) {
                body.append(text(LEFT - 8, y + BAR / 2.0 + 4, 12, "normal", "end", r.label()));
                boolean pair = Double.isFinite(r.p95());
                bar(body, y, r.p95(), axisMax, plotW, P95, "p95 " + fmt(r.p95()));
                bar(body, y + (pair ? 4 : 0), r.p50(), axisMax, plotW, pair ? P50 : THROUGHPUT, (pair ? "p50 " : "") + fmt(r.p50()), pair ? BAR - 8 : BAR);
                body.append(text(LEFT + plotW + 8, y + BAR / 2.0 + 4, 11, "normal", "start", r.note()));
                y += BAR + GAP;
            }
            if (Double.isFinite(p.refLine())) {
                double rx = LEFT + p.refLine() / axisMax * plotW;
                body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"4,2\"><title>%s</title></line>%n",
                        rx, top - 4, rx, bottom, esc(p.refLabel())));
            }
            y += 46;
        }
        StringBuilder legend = new StringBuilder();
        legend(legend, 12, 68);
        return SvgChart.document(WIDTH, y, title, subtitle, legend, body);
    }

    private static void legend(StringBuilder svg, int x, int y) {
        String[][] items = {{P50, "p50"}, {P95, "p95"}, {THROUGHPUT, "audio s/s"}};
        for (String[] it : items) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", x, y - 10, it[0]));
            svg.append(text(x + 16, y, 12, "normal", "start", it[1]));
            x += 24 + it[1].length() * 7;
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"4,2\"/>%n", x, y - 10, x, y + 2));
        svg.append(text(x + 6, y, 12, "normal", "start", "RTF 1 (real time)"));
    }

    private static void bar(StringBuilder b, int y, double v, double axisMax, int plotW, String color, String title) {
        bar(b, y, v, axisMax, plotW, color, title, BAR);
    }

    private static void bar(StringBuilder b, int y, double v, double axisMax, int plotW, String color, String title, int height) {
        if (!Double.isFinite(v) || v <= 0) return;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>%n",
                LEFT, y, v / axisMax * plotW, height, color, esc(title)));
    }

    private static double finite(double v) { return Double.isFinite(v) ? v : 0; }
}
