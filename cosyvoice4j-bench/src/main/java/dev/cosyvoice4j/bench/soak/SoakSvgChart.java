package dev.cosyvoice4j.bench.soak;

import dev.cosyvoice4j.bench.SvgChart;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import static dev.cosyvoice4j.bench.SvgChart.esc;
import static dev.cosyvoice4j.bench.SvgChart.text;

/**
 * The soak's plot: memory over time (resident set, heap in use, heap after GC, MiB) and the counts that must come
 * back to idle (live threads, open file descriptors, engine sessions, running syntheses), both against seconds since
 * the load started, the judged window shaded.
 */
final class SoakSvgChart {
    static final int WIDTH = 960, LEFT = 70, RIGHT = 30, PLOT_H = 240;

    record Series(String name, String color, ToDoubleFunction<MetricsSample> value, double scale) {}

    private SoakSvgChart() {}

    static String write(SoakReport r) {
        double mib = 1048576;
        List<Series> memory = List.of(
                new Series("resident set (RSS)", "#e15759", MetricsSample::rssBytes, mib),
                new Series("heap committed", "#bab0ac", MetricsSample::heapCommittedBytes, mib),
                new Series("heap in use", "#a0cbe8", MetricsSample::heapUsedBytes, mib),
                new Series(r.setup().forcedGc() ? "heap after forced full GC" : "heap after last GC", "#4e79a7", MetricsSample::heapAfterGcBytes, mib));
        List<Series> counts = List.of(
                new Series("live threads", "#59a14f", MetricsSample::liveThreads, 1),
                new Series("open file descriptors", "#f28e2b", MetricsSample::openFds, 1),
                new Series("engine sessions", "#b07aa1", MetricsSample::sessionsOpen, 1),
                new Series("syntheses running", "#9c755f", MetricsSample::active, 1));
        StringBuilder body = new StringBuilder();
        int y = 80;
        y = panel(body, y, "Memory (MiB)", r, memory);
        y = panel(body, y + 20, "Threads, file descriptors, sessions", r, counts);
        String subtitle = String.format(Locale.ROOT, "%s \u00b7 %d clients \u00b7 %.0f s \u00b7 %d operations \u00b7 %s", r.setup().server(), r.setup().clients(),
                r.loadSeconds(), r.results().size(), r.started().toString().substring(0, 10));
        return SvgChart.document(WIDTH, y + 10, "cosyvoice4j soak: memory and resources over time", subtitle, "", body);
    }

    private static int panel(StringBuilder b, int y, String title, SoakReport r, List<Series> series) {
        List<MetricsSample> s = r.samples();
        double tMax = Math.max(1, s.stream().mapToDouble(MetricsSample::tS).max().orElse(1));
        double vMax = 0;
        for (Series se : series) for (MetricsSample m : s) {
            double v = se.value().applyAsDouble(m) / se.scale();
            if (Double.isFinite(v)) vMax = Math.max(vMax, v);
        }
        double vStep = SvgChart.niceStep(vMax > 0 ? vMax / 5 : 1), vTop = Math.max(vStep, Math.ceil(vMax * 1.05 / vStep) * vStep);
        double tStep = SvgChart.niceStep(tMax / 10);
        int plotW = WIDTH - LEFT - RIGHT, top = y + 36, bottom = top + PLOT_H;
        b.append(text(12, y + 4, 13, "bold", "start", title));
        int lx = 12;
        for (Series se : series) {                                          // legend under the title
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>%n", lx, y + 16, se.color()));
            b.append(text(lx + 16, y + 22, 11, "normal", "start", se.name()));
            lx += 40 + se.name().length() * 6;
        }
        double wx = LEFT + r.judgedFromS() / tMax * plotW;                 // the judged window
        b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f4f4f4\"><title>judged for flatness</title></rect>%n",
                wx, top, Math.max(0, LEFT + plotW - wx), PLOT_H));
        for (double v = 0; v <= vTop + vStep / 2; v += vStep) {
            double py = bottom - v / vTop * PLOT_H;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>%n", LEFT, py, LEFT + plotW, py));
            b.append(text(LEFT - 6, py + 4, 11, "normal", "end", SvgChart.tick(v, vStep)));
        }
        for (double t = 0; t <= tMax + tStep / 2; t += tStep) {
            double px = LEFT + t / tMax * plotW;
            b.append(text(px, bottom + 14, 11, "normal", "middle", SvgChart.tick(t, tStep)));
        }
        b.append(text(LEFT + plotW, bottom + 28, 11, "normal", "end", "seconds since the load started"));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", LEFT, bottom, LEFT + plotW, bottom));
        for (Series se : series) {
            StringBuilder pts = new StringBuilder();
            for (MetricsSample m : s) {
                double v = se.value().applyAsDouble(m) / se.scale();
                if (!Double.isFinite(v)) continue;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + m.tS() / tMax * plotW, bottom - v / vTop * PLOT_H));
            }
            if (pts.isEmpty()) continue;
            b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"><title>%s</title></polyline>%n",
                    se.color(), pts.toString().strip(), esc(se.name())));
        }
        return bottom + 34;
    }
}
