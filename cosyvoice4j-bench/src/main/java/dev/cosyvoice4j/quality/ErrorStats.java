package dev.cosyvoice4j.quality;

import java.util.Arrays;

/**
 * Deviation measures between an output and its float32 reference, accumulated in double. All methods take two
 * arrays of the same length ({@link IllegalArgumentException} otherwise) and treat them as flat vectors.
 */
public final class ErrorStats {
    private ErrorStats() {}

    /** {@code max |a - b|}. */
    public static double maxAbs(float[] a, float[] ref) {
        check(a, ref);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - ref[i]));
        return m;
    }

    /** {@code mean |a - b|}. */
    public static double meanAbs(float[] a, float[] ref) {
        check(a, ref);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((double) a[i] - ref[i]);
        return a.length == 0 ? 0 : s / a.length;
    }

    /** Root mean square of {@code a - b}. */
    public static double rmsDiff(float[] a, float[] ref) {
        check(a, ref);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - ref[i];
            s += d * d;
        }
        return a.length == 0 ? 0 : Math.sqrt(s / a.length);
    }

    /** Root mean square of {@code x}. */
    public static double rms(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return x.length == 0 ? 0 : Math.sqrt(s / x.length);
    }

    /** Cosine similarity {@code a.b / (|a| |b|)}; 1 when both are zero, 0 when only one is. */
    public static double cosine(float[] a, float[] b) {
        check(a, b);
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        if (aa == 0 && bb == 0) return 1;
        if (aa == 0 || bb == 0) return 0;
        return ab / Math.sqrt(aa * bb);
    }

    /**
     * Indices of the {@code k} largest values of {@code x}, largest first; equal values in index order (the
     * first index of a maximum wins, as {@code torch.argmax} / {@code ArgmaxSampler}).
     */
    public static int[] topK(float[] x, int k) {
        if (k < 1 || k > x.length) throw new IllegalArgumentException("k must be in [1, " + x.length + "], got " + k);
        int[] idx = new int[k];
        float[] val = new float[k];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (Float.isNaN(v) || n == k && !(v > val[k - 1])) continue;
            int j = n < k ? n++ : k - 1;
            while (j > 0 && v > val[j - 1]) {       // strictly greater: earlier indices stay ahead on ties
                val[j] = val[j - 1];
                idx[j] = idx[j - 1];
                j--;
            }
            val[j] = v;
            idx[j] = i;
        }
        return n == k ? idx : Arrays.copyOf(idx, n);
    }

    /** Number of values the two index sets share. */
    public static int overlap(int[] a, int[] b) {
        int[] s = b.clone();
        Arrays.sort(s);
        int n = 0;
        for (int v : a) if (Arrays.binarySearch(s, v) >= 0) n++;
        return n;
    }

    /** The gap between the largest and second-largest value of {@code x}. */
    public static double top1Margin(float[] x) {
        int[] t = topK(x, 2);
        return (double) x[t[0]] - x[t[1]];
    }

    private static void check(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
}
