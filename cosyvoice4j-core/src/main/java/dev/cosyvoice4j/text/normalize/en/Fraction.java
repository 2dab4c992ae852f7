package dev.cosyvoice4j.text.normalize.en;

import java.util.Map;

/**
 * Fractions, a port of {@code tn/english/rules/fraction.py}: {@code [int ]num/den[th]} and the vulgar
 * fraction characters of {@code data/number/fraction.tsv}. Denominators 1, 2, 4 read "over one", "half",
 * "quarter", others as ordinals; a numerator other than one pluralises ("halves", "+s"); a whole part is
 * joined with "and" ("and one half" reads "and a half"). Numbers use the FAR graph (no "and").
 */
public final class Fraction {
    private Fraction() {}

    private static final Map<String, String> SYMBOLS = EnData.map("number_fraction");
    private static final String[] ENDINGS = {"rd", "th", "st", "nd", "RD", "TH", "ST", "ND"};

    static String words(String integer, String num, String den) {
        String n = Cardinal.graph(num);
        String d = Cardinal.graph(den);
        if (n == null || d == null) return null;
        String dw = switch (d) {
            case "one" -> "over one";
            case "two" -> "half";
            case "four" -> "quarter";
            default -> Ordinal.suffix(d);
        };
        if (!n.equals("one")) dw = dw.equals("half") ? "halves" : dw.equals("over one") ? "over one" : dw + "s";
        String out = n + " " + dw;
        if (integer != null) {
            String i = Cardinal.graph(integer);
            if (i == null) return null;
            out = i + " and " + out;
            if (out.endsWith("and one half")) out = out.substring(0, out.length() - 8) + "a half";
        }
        return out;
    }

    /** num/den (or " / ") at {@code p}; {end, words} with the optional whole part already consumed. */
    private static Match plain(String s, int p, String integer) {
        int ne = Cardinal.scan(s, p);
        if (ne == p) return null;
        int ds;
        if (EnData.at(s, ne, '/')) ds = ne + 1;
        else if (s.startsWith(" / ", ne)) ds = ne + 3;
        else return null;
        int de = Cardinal.scan(s, ds);
        if (de == ds) return null;
        int end = de;
        for (String x : ENDINGS) if (s.startsWith(x, de)) { end = de + 2; break; }
        String w = words(integer, s.substring(p, ne).replace(",", ""), s.substring(ds, de).replace(",", ""));
        return w == null ? null : new Match(end, w);
    }

    private static Match symbol(String s, int p, String integer) {
        if (p >= s.length()) return null;
        String v = SYMBOLS.get(s.substring(p, p + 1));
        if (v == null) return null;
        int slash = v.indexOf('/');
        String w = words(integer, v.substring(0, slash), v.substring(slash + 1));
        return w == null ? null : new Match(p + 1, w);
    }

    static Match match(String s, int p) {
        Match best = null;
        int ie = Cardinal.scan(s, p);
        if (ie > p && EnData.at(s, ie, ' ')) {
            String integer = s.substring(p, ie).replace(",", "");
            best = plain(s, ie + 1, integer);
            if (best == null) best = symbol(s, ie + 1, integer);
        }
        Match m = plain(s, p, null);
        if (m == null) m = symbol(s, p, null);
        if (m != null && (best == null || m.end() > best.end())) best = m;
        return best;
    }

    /** {@code Fraction(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
