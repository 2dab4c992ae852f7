package dev.cosyvoice4j.bench;

import java.util.Arrays;

/** mean / median / min / max / sample standard deviation of the defined (non-NaN) values; n = how many. */
public record Stats(double mean, double median, double min, double max, double stddev, int n) {
    public static final Stats EMPTY = new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);

    public static Stats of(double... values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return EMPTY;
        double mean = Arrays.stream(v).sum() / v.length;
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        double sd = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
        return new Stats(mean, median, v[0], v[v.length - 1], sd, v.length);
    }

    /** The p-quantile (0..1) by linear interpolation between order statistics; NaN when empty. */
    public static double quantile(double[] values, double p) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        double pos = p * (v.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }
}
