package dev.cosyvoice4j.quality;

/**
 * Teacher-forced logits of a mode against float32, over all steps and the whole vocabulary.
 *
 * @param steps         compared decode steps
 * @param maxAbs        {@code max |logit - logit_fp32|}
 * @param meanAbs       {@code mean |logit - logit_fp32|}
 * @param rmsErr        root mean square of the difference
 * @param refRms        root mean square of the float32 logits (the scale the errors compare to)
 * @param top1Agreement fraction of steps whose argmax is the float32 argmax
 * @param topKOverlap   for each k of {@link #K}: mean over steps of {@code |topk ∩ topk_fp32| / k}
 * @param minTopKOverlap for each k of {@link #K}: the worst step's overlap fraction
 * @param minRefMargin  smallest float32 top-1 / top-2 logit gap over the steps (a flip needs an error of about
 *                      half of it)
 */
public record LogitComparison(int steps, double maxAbs, double meanAbs, double rmsErr, double refRms,
                              double top1Agreement, double[] topKOverlap, double[] minTopKOverlap, double minRefMargin) {
    /** The k of the top-k overlaps. */
    public static final int[] K = {5, 10, 25};

    /** Compares {@code [steps][vocab]} logits of a mode with the float32 ones. */
    public static LogitComparison of(float[][] mode, float[][] ref) {
        if (mode.length != ref.length || mode.length == 0) {
            throw new IllegalArgumentException("step counts differ or are zero: " + mode.length + " vs " + ref.length);
        }
        int steps = ref.length;
        double max = 0, sumAbs = 0, sumSq = 0, refSq = 0, margin = Double.POSITIVE_INFINITY;
        long n = 0;
        int top1 = 0;
        double[] overlap = new double[K.length], minOverlap = new double[K.length];
        java.util.Arrays.fill(minOverlap, 1);
        for (int s = 0; s < steps; s++) {
            float[] a = mode[s], r = ref[s];
            max = Math.max(max, ErrorStats.maxAbs(a, r));
            sumAbs += ErrorStats.meanAbs(a, r) * a.length;
            double d = ErrorStats.rmsDiff(a, r), rr = ErrorStats.rms(r);
            sumSq += d * d * a.length;
            refSq += rr * rr * a.length;
            n += a.length;
            int kMax = Math.min(K[K.length - 1], r.length);
            int[] ta = ErrorStats.topK(a, kMax), tr = ErrorStats.topK(r, kMax);
            if (ta[0] == tr[0]) top1++;
            for (int j = 0; j < K.length; j++) {
                int k = Math.min(K[j], kMax);     // a vocabulary smaller than k: all of it
                double f = ErrorStats.overlap(java.util.Arrays.copyOf(ta, k), java.util.Arrays.copyOf(tr, k)) / (double) k;
                overlap[j] += f / steps;
                minOverlap[j] = Math.min(minOverlap[j], f);
            }
            margin = Math.min(margin, ErrorStats.top1Margin(r));
        }
        return new LogitComparison(steps, max, sumAbs / n, Math.sqrt(sumSq / n), Math.sqrt(refSq / n),
                top1 / (double) steps, overlap, minOverlap, margin);
    }

    /** {@code rmsErr / refRms}. */
    public double relativeRms() { return refRms == 0 ? 0 : rmsErr / refRms; }
}
