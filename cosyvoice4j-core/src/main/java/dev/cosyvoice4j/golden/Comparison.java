package dev.cosyvoice4j.golden;

/**
 * Metrics of one actual-vs-golden comparison (one recorded output of a case).
 *
 * @param worstIndex flat index of the largest absolute difference
 * @param bound      the tolerance it was held to, as text ("exact", "max_abs<=0.0001 cos>=0.999")
 */
public record Comparison(String name, double maxAbs, double maxRel, double cosine, long worstIndex,
                         double actualAtWorst, double goldenAtWorst, boolean passed, String bound) {

    /** An exact comparison (ids, counts, flags) that matched or not; {@code detail} says where it differs. */
    public static Comparison exact(String name, boolean equal, String detail) {
        return new Comparison(name, equal ? 0 : Double.NaN, equal ? 0 : Double.NaN, 1, 0, 0, 0, equal,
                equal ? "exact" : "exact: " + detail);
    }

    /** Compares {@code actual} against {@code golden} (same length) under {@code tol}. */
    public static Comparison of(String name, float[] actual, float[] golden, Tolerance tol) {
        if (actual.length != golden.length) throw new IllegalArgumentException("length mismatch for " + name);
        double maxAbs = 0, maxGold = 0, dot = 0, na = 0, ng = 0;
        long worst = 0;
        boolean nan = false;
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i], g = golden[i];
            if (Double.isNaN(a) != Double.isNaN(g)) nan = true;
            double d = a == g ? 0 : Math.abs(a - g);   // equal infinities (masked log-probs) match
            if (d > maxAbs || Double.isNaN(d) && !Double.isNaN(maxAbs)) { maxAbs = d; worst = i; }
            maxGold = Math.max(maxGold, Math.abs(g));
            dot += a * g; na += a * a; ng += g * g;
        }
        if (nan) maxAbs = Double.NaN;
        double maxRel = maxGold == 0 ? (maxAbs == 0 ? 0 : Double.POSITIVE_INFINITY) : maxAbs / maxGold;
        double cosine = na == 0 && ng == 0 ? 1 : dot / Math.sqrt(na * ng);
        boolean ok;
        if (tol.isExactOnly()) {                  // a tolerance object without bounds is exact, not "anything"
            ok = maxAbs == 0;
        } else {
            ok = !Double.isNaN(maxAbs);
            if (!Double.isNaN(tol.maxAbs())) ok &= maxAbs <= tol.maxAbs();
            if (!Double.isNaN(tol.maxRel())) ok &= maxRel <= tol.maxRel();
            if (!Double.isNaN(tol.cosineMin())) ok &= cosine >= tol.cosineMin();
        }
        int w = (int) worst;
        return new Comparison(name, maxAbs, maxRel, cosine, worst,
                actual.length == 0 ? 0 : actual[w], golden.length == 0 ? 0 : golden[w], ok, tol.describe());
    }

    public boolean isExact() { return bound.startsWith("exact"); }

    public String describe() {
        if (isExact()) return name + (passed ? " identical" : " differs (" + (bound.startsWith("exact: ") ? bound.substring("exact: ".length()) : "max_abs=" + maxAbs) + ")");
        return String.format("%s max_abs=%.3g max_rel=%.3g cos=%.8f worst[%d] actual=%.6g golden=%.6g",
                name, maxAbs, maxRel, cosine, worstIndex, actualAtWorst, goldenAtWorst);
    }

    /** One line for {@code verify -v}: status, metrics and the bound. */
    public String line() {
        return (passed ? "ok   " : "FAIL ") + describe() + (isExact() ? "" : "  [" + bound + "]");
    }
}
