package dev.cosyvoice4j.bench.soak;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The drift of one figure over a window: the least-squares slope through its samples, and that slope times the
 * window's length (the growth a straight line would have had). A leak shows as steady growth; the GC's sawtooth and
 * single jumps (a buffer grown once) mostly do not.
 *
 * @param samples how many defined samples the window had (a slope needs 3)
 */
public record Trend(String figure, double fromS, double toS, int samples, double slopePerMinute, double growth,
                    double first, double last, double mean) {

    static Trend of(String figure, List<MetricsSample> window, ToDoubleFunction<MetricsSample> value) {
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, from = Double.NaN, to = Double.NaN, first = Double.NaN, last = Double.NaN;
        for (MetricsSample s : window) {
            double y = value.applyAsDouble(s);
            if (!Double.isFinite(y)) continue;
            double x = s.tS();
            if (n == 0) {
                from = x;
                first = y;
            }
            to = x;
            last = y;
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double den = n * sxx - sx * sx;
        double slope = n >= 3 && den > 0 ? (n * sxy - sx * sy) / den : Double.NaN;     // per second
        return new Trend(figure, from, to, (int) n, slope * 60, slope * (to - from), first, last, n > 0 ? sy / n : Double.NaN);
    }
}
