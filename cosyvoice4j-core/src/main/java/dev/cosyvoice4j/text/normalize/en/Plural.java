package dev.cosyvoice4j.text.normalize.en;

import java.util.Map;

/**
 * {@code SINGULAR_TO_PLURAL} of {@code tn/english/rules/measure.py}: {@code data/suppletive.tsv} first
 * (feet, percent, upper-case abbreviations unchanged ...), then consonant+y to ies, s/sh/ch/x/z + es, else + s.
 */
final class Plural {
    private Plural() {}

    private static final Map<String, String> SUPPLETIVE = EnData.map("suppletive");

    static String of(String w) {
        String v = SUPPLETIVE.get(w);
        if (v != null) return v;
        int n = w.length();
        if (n >= 2 && w.charAt(n - 1) == 'y' && "bcdfghjklmnpqrstvwxz".indexOf(w.charAt(n - 2)) >= 0)
            return w.substring(0, n - 1) + "ies";
        if (w.endsWith("s") || w.endsWith("sh") || w.endsWith("ch") || w.endsWith("x") || w.endsWith("z"))
            return w + "es";
        return w + "s";
    }
}
