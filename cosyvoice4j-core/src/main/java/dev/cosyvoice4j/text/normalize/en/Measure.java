package dev.cosyvoice4j.text.normalize.en;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Measures, a port of {@code tn/english/rules/measure.py} ({@code deterministic=False}): a number (cardinal,
 * range {@code 2-3}/{@code 2x3}/{@code 2*3}, decimal, fraction) and a unit of {@code data/measure/unit.tsv}
 * ({@code 1kg -> one kilogram}, {@code -12kg -> negative twelve kilograms}, {@code 2-3 °C -> two to three
 * degrees Celsius}, {@code 10 km/h -> ten kilometers per hour}), US street addresses
 * ({@code 2788 San Tomas Expy, Santa Clara, CA 95051}), simple equations ({@code 1 + 2 = 3}), {@code 2.5x},
 * {@code 2.5-inch} and {@code per kg}.
 *
 * <p>Units: the non-deterministic grammar unions {@code unit.tsv} with {@code unit_alternatives.tsv}, which
 * gives equally cheap readings for some keys ({@code m}: "M", "meter", "minute"). We take the spelled-out
 * alternative over an upper-case abbreviation and its first row, except {@code ms}, {@code ma}/{@code mA},
 * {@code kb} (millisecond, milliampere, kilobyte). Units of two or more letters starting upper case also
 * match lower-cased ({@code KM}).
 */
public final class Measure {
    private Measure() {}

    private static final Map<String, String> UNIT = new LinkedHashMap<>();
    private static final int UNIT_MAX;
    private static final Map<String, String> ADDRESS_WORD = new HashMap<>();
    private static final Map<String, String> STATE = new HashMap<>();
    private static final Map<String, String> MATH = EnData.map("measure_math_operation");

    static {
        Map<String, String> alt = new LinkedHashMap<>();
        for (String[] r : EnData.rows("measure_unit_alternatives")) alt.putIfAbsent(r[0], r[1]);
        alt.put("ms", "millisecond");
        alt.put("ma", "milliampere");
        alt.put("mA", "milliampere");
        alt.put("kb", "kilobyte");
        for (String[] r : EnData.rows("measure_unit")) {
            String v = r[1];
            boolean abbrev = v.equals(v.toUpperCase(Locale.ROOT));
            UNIT.putIfAbsent(r[0], abbrev && alt.containsKey(r[0]) ? alt.get(r[0]) : v);
        }
        for (Map.Entry<String, String> e : alt.entrySet()) UNIT.putIfAbsent(e.getKey(), e.getValue());
        UNIT_MAX = EnData.maxKeyLength(UNIT);
        for (String[] r : EnData.rows("address_address_word")) {
            String x = r[0], y = r[1];
            String X = Character.toUpperCase(x.charAt(0)) + x.substring(1);
            String Y = Character.toUpperCase(y.charAt(0)) + y.substring(1);
            ADDRESS_WORD.putIfAbsent(x, y);
            ADDRESS_WORD.putIfAbsent(x + ".", y);
            ADDRESS_WORD.putIfAbsent(X, Y);
            ADDRESS_WORD.putIfAbsent(X + ".", Y);
        }
        for (String[] r : EnData.rows("address_state")) {
            STATE.putIfAbsent(r[1], r[0]);
            STATE.putIfAbsent(r[1].charAt(0) + "." + r[1].substring(1), r[0]);
        }
    }

    /** A unit at {@code i} ending at a boundary (or before "/"): {end, singular name}. */
    static Match unit(String s, int i) {
        for (int len = Math.min(UNIT_MAX, s.length() - i); len > 0; len--) {
            int e = i + len;
            if (!EnData.boundary(s, e) && !EnData.at(s, e, '/')) continue;
            String k = s.substring(i, e);
            String v = UNIT.get(k);
            if (v == null && len >= 2 && EnData.upper(k.charAt(0)) && k.chars().allMatch(c -> EnData.alpha((char) c)))
                v = UNIT.get(k.toLowerCase(Locale.ROOT));
            if (v != null) return new Match(e, v);
        }
        return null;
    }

    /** Unit with an optional "/unit" (per): {end, text} where text has the plural applied when asked. */
    private static Match units(String s, int i, boolean plural) {
        Match u = unit(s, i);
        if (u != null) {
            String text = plural ? Plural.of(u.text()) : u.text();
            int e = u.end();
            int q = EnData.at(s, e, ' ') ? e + 1 : e;
            if (EnData.at(s, q, '/')) {
                int r = EnData.at(s, q + 1, ' ') ? q + 2 : q + 1;
                Match u2 = unit(s, r);
                if (u2 != null && EnData.boundary(s, u2.end())) return new Match(u2.end(), text + " per " + u2.text());
            }
            return EnData.boundary(s, e) ? new Match(e, text) : null;
        }
        if (EnData.at(s, i, '/')) {
            int r = EnData.at(s, i + 1, ' ') ? i + 2 : i + 1;
            Match u2 = unit(s, r);
            if (u2 != null && EnData.boundary(s, u2.end())) return new Match(u2.end(), "per " + u2.text());
        }
        return null;
    }

    /** Number then optional single space then units. */
    private static Match withUnit(String s, int numEnd, String number, boolean plural) {
        int q = EnData.at(s, numEnd, ' ') ? numEnd + 1 : numEnd;
        Match u = units(s, q, plural);
        return u == null ? null : new Match(u.end(), number + " " + u.text());
    }

    /** Cardinal with "and" (commas allowed); {end, words} or null. */
    static Match cardinal(String s, int p) {
        int e = Cardinal.scan(s, p);
        if (e == p) return null;
        String w = Cardinal.withAnd(Cardinal.graph(s.substring(p, e).replace(",", "")));
        return w == null ? null : new Match(e, w);
    }

    /** {@code get_range}: a - b, a x b, a * b (with or without spaces). */
    static Match range(String s, int p) {
        Match a = cardinal(s, p);
        if (a == null) return null;
        int e = a.end();
        String[][] ops = {{" - ", " to "}, {"-", " to "}, {" x ", " by "}, {"x", " by "}, {" * ", " times "}, {"*", " times "}};
        for (String[] op : ops) {
            if (s.startsWith(op[0], e)) {
                Match b = cardinal(s, e + op[0].length());
                if (b != null) return new Match(b.end(), a.text() + op[1] + b.text());
            }
        }
        return null;
    }

    static Match match(String s, int p) {
        if (p >= s.length()) return null;
        Match best = null;
        boolean neg = EnData.at(s, p, '-');
        int q = neg ? p + 1 : p;
        if (EnData.digit(s, q) || EnData.at(s, q, '.')) {
            Decimal.Parsed d = Decimal.parse(s, q, false);
            if (d != null) {
                best = better(best, withUnit(s, d.end(), (neg ? "minus " : "") + d.words(), true));
                // decimal_times: 2.5x reads "two point five times" (the grammar ties "x" and "times")
                if (!neg && d.fraction() != null && (EnData.at(s, d.end(), 'x') || EnData.at(s, d.end(), 'X'))
                        && EnData.boundary(s, d.end() + 1))
                    best = better(best, new Match(d.end() + 1, d.words() + " times"));
                // decimal_dash_alpha: 2.5-inch reads "two point five inch"
                if (!neg && EnData.at(s, d.end(), '-')) {
                    int ae = d.end() + 1;
                    while (ae < s.length() && EnData.alpha(s.charAt(ae))) ae++;
                    if (ae > d.end() + 1 && EnData.boundary(s, ae))
                        best = better(best, new Match(ae, d.words() + " " + s.substring(d.end() + 1, ae)));
                }
            }
            Match c = cardinal(s, q);
            if (c != null) {
                boolean one = s.substring(q, c.end()).equals("1");
                best = better(best, withUnit(s, c.end(), (neg ? "negative " : "") + c.text(), !one));
            }
            if (!neg) {
                Match r = range(s, q);
                if (r != null) best = better(best, withUnit(s, r.end(), r.text(), true));
                Match f = Fraction.match(s, q);
                if (f != null) best = better(best, withUnit(s, f.end(), f.text(), true));
                best = better(best, address(s, q));
                best = better(best, math(s, q));
            }
        } else if (!neg && EnData.alpha(s.charAt(p))) {
            best = better(best, math(s, p));
            // unit_only: "per kg" reads "per kilogram"
            if (s.startsWith("per ", p)) {
                Match u = unit(s, p + 4);
                if (u != null && EnData.boundary(s, u.end())) best = better(best, new Match(u.end(), "per " + u.text()));
            }
        }
        return best;
    }

    private static Match better(Match a, Match b) {
        if (b == null) return a;
        return a == null || b.end() > a.end() ? b : a;
    }

    /** Operand of an equation: a cardinal or one ASCII letter. */
    private static Match operand(String s, int p) {
        Match c = cardinal(s, p);
        if (c != null) return c;
        if (p < s.length() && EnData.alpha(s.charAt(p)) && (p + 1 >= s.length() || !EnData.alpha(s.charAt(p + 1))))
            return new Match(p + 1, s.substring(p, p + 1));
        return null;
    }

    private static int delim(String s, int i) {
        return EnData.at(s, i, ' ') ? i + 1 : i;
    }

    /** {@code a op b = c} and {@code a = b op c}. */
    static Match math(String s, int p) {
        Match a = operand(s, p);
        if (a == null) return null;
        int i = delim(s, a.end());
        String op = i < s.length() ? MATH.get(s.substring(i, i + 1)) : null;
        boolean eqFirst = EnData.at(s, i, '=');
        if (op == null && !eqFirst) return null;
        Match b = operand(s, delim(s, i + 1));
        if (b == null) return null;
        int j = delim(s, b.end());
        if (!eqFirst) {
            if (!EnData.at(s, j, '=')) return null;
            Match c = operand(s, delim(s, j + 1));
            if (c == null || !EnData.boundary(s, c.end())) return null;
            return new Match(c.end(), a.text() + " " + op + " " + b.text() + " equals " + c.text());
        }
        String op2 = j < s.length() ? MATH.get(s.substring(j, j + 1)) : null;
        if (op2 == null) return null;
        Match c = cardinal(s, delim(s, j + 1));
        if (c == null || !EnData.boundary(s, c.end())) return null;
        return new Match(c.end(), a.text() + " equals " + b.text() + " " + op2 + " " + c.text());
    }

    /** {@code get_address_graph}: number, optional direction, capitalised words, street word, [city, state zip]. */
    static Match address(String s, int p) {
        int ne = EnData.digitsEnd(s, p);
        int n = ne - p;
        if (n == 0 || s.charAt(p) == '0') return null;
        String num;
        if (n == 3 || n == 4) {
            String a = s.substring(p, ne - 2), b = s.substring(ne - 2, ne);
            String bw = b.equals("00") ? null : b.charAt(0) == '0' ? "zero " + Cardinal.ONES[b.charAt(1) - '0'] : Cardinal.tens(Integer.parseInt(b));
            num = bw == null ? Cardinal.graph(s.substring(p, ne)) : Cardinal.graph(a) + " " + bw;
        } else {
            num = Cardinal.graph(s.substring(p, ne));
        }
        if (num == null) return null;
        StringBuilder sb = new StringBuilder(num);
        int i = ne;
        // direction
        if (EnData.at(s, i, ' ') && i + 1 < s.length() && "ESWN".indexOf(s.charAt(i + 1)) >= 0 && EnData.boundary(s, i + 2)
                || EnData.at(s, i, ' ') && i + 2 < s.length() && "ESWN".indexOf(s.charAt(i + 1)) >= 0 && s.charAt(i + 2) == '.') {
            char c = s.charAt(i + 1);
            sb.append(' ').append(c == 'E' ? "East" : c == 'S' ? "South" : c == 'W' ? "West" : "North");
            i += EnData.at(s, i + 2, '.') ? 3 : 2;
        }
        // words: first an ordinal or a capitalised word, then capitalised words, then a street word
        if (!EnData.at(s, i, ' ')) return null;
        int words = 0;
        int end = -1;
        while (EnData.at(s, i, ' ')) {
            int ws = i + 1, we = ws;
            while (we < s.length() && !EnData.space(s.charAt(we)) && s.charAt(we) != ',') we++;
            String w = s.substring(ws, we);
            String street = ADDRESS_WORD.get(w);
            if (street != null && words >= 1) {
                sb.append(' ').append(street);
                end = we;
                break;
            }
            Match ord = words == 0 ? Ordinal.match(w, 0) : null;
            if (ord != null && ord.end() == w.length()) sb.append(' ').append(ord.text());
            else if (!w.isEmpty() && EnData.upper(w.charAt(0)) && w.chars().allMatch(c -> EnData.alpha((char) c))
                    && (words > 0 || w.length() >= 2)) sb.append(' ').append(w);
            else return null;
            words++;
            i = we;
        }
        if (end < 0) return null;
        // optional ", City, ST 12345"
        Match tail = addressTail(s, end);
        if (tail != null) return new Match(tail.end(), sb + tail.text());
        if (!EnData.boundary(s, end)) return null;
        return new Match(end, sb.toString());
    }

    private static Match addressTail(String s, int i) {
        StringBuilder sb = new StringBuilder();
        int j = i;
        if (s.startsWith(", ", j)) {
            int ce = j + 2;
            while (ce < s.length() && (EnData.alpha(s.charAt(ce)) || s.charAt(ce) == ' ')) ce++;
            if (ce > j + 2) {
                sb.append(s, j, ce);
                j = ce;
            }
        }
        if (s.startsWith(", ", j)) {
            int se = j + 2;
            while (se < s.length() && (EnData.upper(s.charAt(se)) || s.charAt(se) == '.')) se++;
            String st = STATE.get(s.substring(j + 2, se));
            if (st != null) {
                sb.append(", ").append(st);
                j = se;
            }
        }
        int k = EnData.at(s, j, ',') ? j + 1 : j;
        if (!EnData.at(s, k, ' ') || EnData.digitsEnd(s, k + 1) != k + 6 || !EnData.boundary(s, k + 6)) return null;
        sb.append(s, j, k).append(' ').append(Cardinal.digits(s.substring(k + 1, k + 6), true));
        return new Match(k + 6, sb.toString());
    }

    /** {@code Measure(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
