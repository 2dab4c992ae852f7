package dev.cosyvoice4j.text.normalize.en;

import java.util.Map;

/**
 * Ranges, a port of {@code tn/english/rules/range.py} ({@code deterministic=False}): {@code 2-3 -> two to
 * three}, time to time, {@code Mon.-Sun. -> Monday to Sunday} ({@code data/date/week.tsv}), year to year
 * ({@code 1990-95}), {@code mid-1990s}, {@code ~5 -> approximately five}, {@code 1+2 -> one plus two},
 * {@code 2x3 -> two by three}, {@code 4x -> four times}, {@code 3*4}, {@code 6/3 -> six divided by three},
 * {@code No. 5 -> Number five}, {@code 10-20% -> ten to twenty percent}. Cardinals here are the deterministic
 * ones (with "and", "one thousand").
 */
public final class Range {
    private Range() {}

    private static final Map<String, String> WEEK = EnData.map("date_week");

    private static Match cardinal(String s, int p) {
        return Measure.cardinal(s, p);
    }

    private static int dash(String s, int i) {
        int j = EnData.at(s, i, ' ') ? i + 1 : i;
        if (!EnData.at(s, j, '-')) return -1;
        return EnData.at(s, j + 1, ' ') ? j + 2 : j + 1;
    }

    private static Match week(String s, int p) {
        for (int len = Math.min(6, s.length() - p); len > 1; len--) {
            String v = WEEK.get(s.substring(p, p + len));
            if (v != null) return new Match(p + len, v);
        }
        return null;
    }

    static Match match(String s, int p) {
        if (p >= s.length()) return null;
        char c = s.charAt(p);
        Match best = null;
        if (EnData.alpha(c)) {
            Match a = week(s, p);
            if (a != null) {
                int j = EnData.at(s, a.end(), ' ') ? a.end() + 1 : a.end();
                String op = EnData.at(s, j, '-') ? " to " : EnData.at(s, j, '~') ? " approximately " : null;
                if (op != null) {
                    int k = EnData.at(s, j + 1, ' ') ? j + 2 : j + 1;
                    Match b = week(s, k);
                    if (b != null && EnData.boundary(s, b.end())) best = new Match(b.end(), a.text() + op + b.text());
                }
            }
            if (s.startsWith("mid-", p)) {
                Match y = Date.year(s, p + 4);
                if (y != null && EnData.boundary(s, y.end())) best = better(best, new Match(y.end(), "mid " + y.text()));
            }
            String num = s.startsWith("NO", p) || s.startsWith("No", p) ? "Number" : s.startsWith("no", p) ? "number" : null;
            if (num != null) {
                int q = s.startsWith(". ", p + 2) ? p + 4 : EnData.at(s, p + 2, ' ') ? p + 3 : p + 2;
                Match n = cardinal(s, q);
                if (n != null && EnData.boundary(s, n.end())) best = better(best, new Match(n.end(), num + " " + n.text()));
            }
            return best;
        }
        if (c == '~') {
            Match t = Time.match(s, p + 1);
            if (t != null && EnData.boundary(s, t.end())) best = new Match(t.end(), "approximately " + t.text());
            Match n = cardinal(s, p + 1);
            if (n != null && EnData.boundary(s, n.end())) best = better(best, new Match(n.end(), "approximately " + n.text()));
            return best;
        }
        if (!EnData.digit(c)) return null;
        // time - time
        Match t = Time.match(s, p);
        if (t != null) {
            int j = dash(s, t.end());
            Match t2 = j < 0 ? null : Time.match(s, j);
            if (t2 != null && EnData.boundary(s, t2.end())) best = new Match(t2.end(), t.text() + " to " + t2.text());
        }
        // year - year
        int ye = EnData.digitsEnd(s, p);
        if (ye - p == 4) {
            Match y = Date.year(s, p);
            int j = y == null ? -1 : dash(s, y.end());
            if (j > 0) {
                Match y2 = Date.year(s, j);
                if (y2 == null && EnData.digitsEnd(s, j) == j + 2) y2 = cardinal(s, j);
                if (y2 != null && EnData.boundary(s, y2.end())) best = better(best, new Match(y2.end(), y.text() + " to " + y2.text()));
            }
        }
        Match a = cardinal(s, p);
        if (a == null) return best;
        int e = a.end();
        // a-b, a - b, a:b, a-b%
        int j = dash(s, e);
        boolean pctA = false;
        if (j < 0 && EnData.at(s, e, '%')) {
            j = dash(s, e + 1);
            pctA = true;
        }
        if (j > 0) {
            Match b = cardinal(s, j);
            if (b != null) {
                if (EnData.at(s, b.end(), '%') && EnData.boundary(s, b.end() + 1))
                    best = better(best, new Match(b.end() + 1, a.text() + (pctA ? " percent" : "") + " to " + b.text() + " percent"));
                else if (!pctA && EnData.boundary(s, b.end()))
                    best = better(best, new Match(b.end(), a.text() + " to " + b.text()));
            }
        }
        if (s.startsWith(" to ", e)) {
            Match b = cardinal(s, e + 4);
            if (b != null && EnData.at(s, b.end(), '%') && EnData.boundary(s, b.end() + 1))
                best = better(best, new Match(b.end() + 1, a.text() + " to " + b.text() + " percent"));
        }
        if (EnData.at(s, e, ':')) {
            Match b = cardinal(s, e + 1);
            if (b != null && EnData.boundary(s, b.end())) best = better(best, new Match(b.end(), a.text() + " to " + b.text()));
        }
        // chains: + (plus), * (times), / (divided by)
        String[][] chains = {{"+", " plus "}, {" + ", " plus "}, {"*", " times "}, {" * ", " times "}, {"/", " divided by "}, {" / ", " divided by "}};
        for (String[] op : chains) {
            StringBuilder sb = new StringBuilder(a.text());
            int i = e, n = 0;
            while (s.startsWith(op[0], i)) {
                Match b = cardinal(s, i + op[0].length());
                if (b == null) break;
                sb.append(op[1]).append(b.text());
                i = b.end();
                n++;
            }
            if (n > 0 && EnData.boundary(s, i)) best = better(best, new Match(i, sb.toString()));
        }
        // x: a x b, axb (by), ax / a x (times)
        for (String x : new String[] {" x ", "x"}) {
            if (s.startsWith(x, e)) {
                Match b = cardinal(s, e + x.length());
                if (b != null && EnData.boundary(s, b.end())) best = better(best, new Match(b.end(), a.text() + " by " + b.text()));
            }
        }
        for (String x : new String[] {" x", "x"}) {
            if (s.startsWith(x, e) && EnData.boundary(s, e + x.length()))
                best = better(best, new Match(e + x.length(), a.text() + " times"));
        }
        // a ... b
        for (String x : new String[] {"...", " ... "}) {
            if (s.startsWith(x, e)) {
                Match b = cardinal(s, e + x.length());
                if (b != null && EnData.boundary(s, b.end())) best = better(best, new Match(b.end(), a.text() + " ... " + b.text()));
            }
        }
        return best;
    }

    private static Match better(Match a, Match b) {
        if (b == null) return a;
        return a == null || b.end() > a.end() ? b : a;
    }

    /** {@code Range(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
