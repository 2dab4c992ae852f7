package dev.cosyvoice4j.text.normalize.en;

/**
 * Roman numerals, the default-cardinal part of {@code tn/english/rules/roman.py}
 * ({@code deterministic=False}: any numeral of {@code data/roman/roman_to_spoken.tsv}, 1-2000, except "I",
 * read as a cardinal without "and": {@code IV -> four}, {@code CI -> one hundred one}). The class is not in
 * the English normaliser's union (as upstream); only the class-level entry point uses it. The table is
 * computed instead of loaded: canonical numerals only.
 */
public final class Roman {
    private Roman() {}

    private static final String[] SYMS = {"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"};
    private static final int[] VALS = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};

    static String toRoman(int v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < VALS.length; i++) while (v >= VALS[i]) { sb.append(SYMS[i]); v -= VALS[i]; }
        return sb.toString();
    }

    /** Value of a canonical numeral 1-2000, else 0. */
    static int value(String r) {
        if (r.isEmpty() || r.length() > 16) return 0;
        int v = 0, i = 0;
        for (int k = 0; k < SYMS.length && i < r.length(); k++) {
            while (r.startsWith(SYMS[k], i)) { v += VALS[k]; i += SYMS[k].length(); }
        }
        return i == r.length() && v <= 2000 && toRoman(v).equals(r) ? v : 0;
    }

    /** {@code Roman(deterministic=False).normalize}. */
    public static String normalize(String text) {
        if (text.equals("I")) return text;
        int v = value(text);
        return v == 0 ? text : Cardinal.graph(Integer.toString(v));
    }
}
