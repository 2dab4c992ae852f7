package dev.cosyvoice4j.text.normalize.en;

import java.util.HashMap;
import java.util.Map;

/**
 * Decimals and numbers with a quantity word, a port of {@code tn/english/rules/decimal.py}
 * ({@code deterministic=False}): {@code -12.5006 billion -> minus twelve point five oh oh six billion},
 * {@code 1 billion -> one billion}, {@code .5 -> point five}. The integer part is read with "and"
 * ({@code graph_with_and}), the fractional part digit by digit with "oh" for 0 (the cheaper of the two
 * single-digit readings), an integer before a quantity has 1-3 digits and is read without "and". Quantity
 * words come from {@code data/number/thousand.tsv} (not "thousand" after an integer); money also accepts the
 * abbreviations of {@code quantity_abbr.tsv} ({@code $1.5M}).
 */
public final class Decimal {
    private Decimal() {}

    private static final Map<String, String> QUANTITY = new HashMap<>();
    private static final Map<String, String> QUANTITY_ABBR = new HashMap<>();

    static {
        for (String[] r : EnData.rows("number_thousand")) QUANTITY.put(r[0], r[1]);
        for (String[] r : EnData.rows("number_quantity_abbr")) {
            QUANTITY_ABBR.putIfAbsent(r[0], r[1]);
            QUANTITY_ABBR.putIfAbsent(r[0].toUpperCase(java.util.Locale.ROOT), r[1]);
        }
    }

    /** A parsed decimal: words without the sign, and where it ends. */
    record Parsed(int end, String integer, String fraction, String quantity) {
        String words() {
            StringBuilder sb = new StringBuilder();
            if (integer != null) sb.append(integer);
            if (fraction != null) {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append("point ").append(fraction);
            }
            if (quantity != null) sb.append(' ').append(quantity);
            return sb.toString();
        }
    }

    /** A quantity word at {@code i} (after at most one space) ending at a boundary; {end, word} or null. */
    private static Object[] quantity(String s, int i, boolean abbr, boolean allowThousand) {
        int q = EnData.at(s, i, ' ') ? i + 1 : i;
        int e = q;
        while (e < s.length() && EnData.alpha(s.charAt(e))) e++;
        if (e == q || !EnData.boundary(s, e)) return null;
        String w = s.substring(q, e);
        String v = QUANTITY.get(w);
        if (v == null && abbr) v = QUANTITY_ABBR.get(w);
        if (v == null || (!allowThousand && v.equals("thousand"))) return null;
        return new Object[] {e, v};
    }

    /**
     * {@code final_graph_wo_negative} (with {@code abbr}: {@code _w_abbr}) at {@code p}: either
     * {@code [int].frac [quantity]} or {@code int quantity}; null when neither.
     */
    static Parsed parse(String s, int p, boolean abbr) {
        int ie = Cardinal.scan(s, p);
        String integer = ie > p ? Cardinal.withAnd(Cardinal.graph(s.substring(p, ie).replace(",", ""))) : null;
        if (EnData.at(s, ie, '.') && EnData.digit(s, ie + 1) && (ie == p || integer != null)) {
            int fe = EnData.digitsEnd(s, ie + 1);
            String frac = Cardinal.digits(s.substring(ie + 1, fe), true);
            Object[] q = quantity(s, fe, abbr, true);
            if (q != null) return new Parsed((int) q[0], integer, frac, (String) q[1]);
            return new Parsed(fe, integer, frac, null);
        }
        if (ie > p && ie - p <= 3 && s.charAt(p) != '0') {
            Object[] q = quantity(s, ie, abbr, false);
            if (q != null) return new Parsed((int) q[0], Cardinal.graph(s.substring(p, ie)), null, (String) q[1]);
        }
        return null;
    }

    /** A decimal at {@code p} with an optional '-' (read "minus"). */
    static Match match(String s, int p) {
        boolean neg = EnData.at(s, p, '-');
        Parsed d = parse(s, neg ? p + 1 : p, false);
        if (d == null) return null;
        return new Match(d.end(), (neg ? "minus " : "") + d.words());
    }

    /** {@code Decimal(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
