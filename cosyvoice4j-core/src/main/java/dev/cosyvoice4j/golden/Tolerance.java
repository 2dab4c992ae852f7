package dev.cosyvoice4j.golden;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A golden tolerance as the manifest states it: {@code max_abs}, {@code max_rel} (max_abs / max|golden|),
 * {@code cosine_min} and {@code exact}. Absent bounds are {@code NaN} (not checked).
 */
public record Tolerance(double maxAbs, double maxRel, double cosineMin, boolean exact) {
    public static final Tolerance EXACT = new Tolerance(Double.NaN, Double.NaN, Double.NaN, true);

    /** Reads a tolerance object; unknown keys (notes, measured errors) are ignored. */
    public static Tolerance of(JsonNode node) {
        if (node == null || !node.isObject()) return EXACT;
        return new Tolerance(num(node, "max_abs"), num(node, "max_rel"), num(node, "cosine_min"),
                node.path("exact").asBoolean(false));
    }

    private static double num(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** True when no bound is given except exactness (then it is an exact comparison). */
    public boolean isExactOnly() {
        return exact || (Double.isNaN(maxAbs) && Double.isNaN(maxRel) && Double.isNaN(cosineMin));
    }

    /** The bounds as text, e.g. {@code max_abs<=0.0001 cos>=0.999}. */
    public String describe() {
        if (exact) return "exact";
        StringBuilder b = new StringBuilder();
        if (!Double.isNaN(maxAbs)) b.append("max_abs<=").append(String.format("%.3g", maxAbs));
        if (!Double.isNaN(maxRel)) b.append(b.isEmpty() ? "" : " ").append("max_rel<=").append(String.format("%.3g", maxRel));
        if (!Double.isNaN(cosineMin)) b.append(b.isEmpty() ? "" : " ").append("cos>=").append(cosineMin);
        return b.isEmpty() ? "exact" : b.toString();
    }
}
