package dev.cosyvoice4j.text.normalize.en;

import java.util.HashMap;
import java.util.Map;

/**
 * Dates and years, a port of {@code tn/english/rules/date.py} ({@code deterministic=False}):
 * month-day-year ({@code jan. 5, 2012}), day-month-year ({@code 5 january 2012}), year-month-day
 * ({@code 2012-01-05}, also {@code /} and {@code .}, and the numeric m/d/y and d/m/y forms), month-year,
 * bare years 1000-2999 ({@code 2012 -> twenty twelve}), decades ({@code '70s}, {@code 1990s}), years
 * with an era ({@code 2024 B.C}), financial periods ({@code 1H23}, {@code 3Q22}). Verbalised as
 * "the fifth of january twenty twelve" (the {@code date} token order: day, month, year).
 *
 * <p>Quirks kept: only the month spellings of {@code month_name.tsv}/{@code month_abbr.tsv} (which lack
 * "May"/"MAY"); a comma right after a year that follows the month ({@code April 1, 2011,}) is deleted by
 * {@code year_after_graph}. Where the grammar has equally cheap year readings (x00y: "two thousand five" or
 * "twenty oh five") the deterministic grammar's choice, "thousand", is taken.
 */
public final class Date {
    private Date() {}

    private static final Map<String, String> MONTH = new HashMap<>();
    private static final Map<String, String> MONTH_NUMBER = new HashMap<>();
    private static final Map<String, String> YEAR_SUFFIX = EnData.map("date_year_suffix");
    private static final int SUFFIX_MAX = EnData.maxKeyLength(YEAR_SUFFIX);

    static {
        MONTH.putAll(EnData.map("date_month_name"));
        for (Map.Entry<String, String> e : EnData.map("date_month_abbr").entrySet()) MONTH.putIfAbsent(e.getKey(), e.getValue());
        String[] names = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"};
        for (int i = 1; i <= 12; i++) {
            MONTH_NUMBER.put(Integer.toString(i), names[i - 1]);
            MONTH_NUMBER.put(String.format("%02d", i), names[i - 1]);
        }
    }

    private static final String[] DIGIT = Cardinal.ONES;

    /** Two digits as a year half: teens, ties, "oh five"; null for "00" or when not representable. */
    private static String pair(String d, boolean leadingZero) {
        int v = Integer.parseInt(d);
        if (d.charAt(0) == '0') return leadingZero && v > 0 ? "oh " + DIGIT[v] : null;
        return Cardinal.tens(v);
    }

    /** A four-digit year 1000-2999 (with optional decade "s"); null when not a year. */
    static String fourDigitYear(String y, boolean plural) {
        char a0 = y.charAt(0);
        if (a0 != '1' && a0 != '2') return null;
        String a = y.substring(0, 2);
        String b = y.substring(2, 4);
        if (plural) {
            if (y.endsWith("000")) return DIGIT[a0 - '0'] + " thousands";
            if (b.equals("00")) return pair(a, false) + " hundreds";
            if (b.charAt(1) != '0') return null;
            String t = pair(b, false);
            return pair(a, false) + " " + (t.endsWith("y") ? t.substring(0, t.length() - 1) + "ies" : t + "s");
        }
        if (a.charAt(1) == '0' && b.charAt(0) == '0') {
            return DIGIT[a0 - '0'] + " thousand" + (b.charAt(1) == '0' ? "" : " " + DIGIT[b.charAt(1) - '0']);
        }
        if (b.equals("00")) return pair(a, false) + " hundred";
        return pair(a, false) + " " + pair(b, true);
    }

    /** A year at {@code p} ({@code year_graph}): {end, words} or null. */
    static Match year(String s, int p) {
        int e = EnData.digitsEnd(s, p);
        int n = e - p;
        // year with an era suffix: four digits or three digits, spaces, "B.C" ...
        if (n == 4 || n == 3) {
            int q = EnData.spacesEnd(s, e);
            String k = EnData.longestKey(YEAR_SUFFIX, SUFFIX_MAX, s, q);
            if (k != null && EnData.boundary(s, q + k.length())) {
                String y = n == 4 ? fourDigitYear(s.substring(p, e), false)
                        : s.charAt(p) == '0' || s.charAt(p + 1) == '0' ? null
                        : DIGIT[s.charAt(p) - '0'] + " " + Cardinal.tens(Integer.parseInt(s, p + 1, e, 10));
                if (y != null) return new Match(q + k.length(), y + " " + YEAR_SUFFIX.get(k));
            }
        }
        if (n == 4) {
            if (EnData.at(s, e, 's') && EnData.boundary(s, e + 1)) {
                String y = fourDigitYear(s.substring(p, e), true);
                if (y != null) return new Match(e + 1, y);
            }
            if (s.startsWith(" s", e) && EnData.boundary(s, e + 2)) {
                String y = fourDigitYear(s.substring(p, e), true);
                if (y != null) return new Match(e + 2, y);
            }
            String y = fourDigitYear(s.substring(p, e), false);
            return y == null ? null : new Match(e, y);
        }
        // '70s -> seventies
        int q = EnData.at(s, p, '\'') ? p + 1 : p;
        int qe = EnData.digitsEnd(s, q);
        if (qe - q == 2 && s.charAt(q) >= '2' && s.charAt(qe - 1) == '0' && EnData.at(s, qe, 's')) {
            String t = Cardinal.TENS[s.charAt(q) - '0'];
            return new Match(qe + 1, t.substring(0, t.length() - 1) + "ies");
        }
        return null;
    }

    /** A day 1-31 (optional leading 0, optional ending): {end, cardinal words} or null. */
    private static Match day(String s, int p) {
        int q = s.startsWith("the ", p) ? p + 4 : p;
        int e = EnData.digitsEnd(s, q);
        String d = s.substring(q, e);
        if (d.length() == 2 && d.charAt(0) == '0') d = d.substring(1);
        if (d.isEmpty() || d.length() > 2) return null;
        int v = Integer.parseInt(d);
        if (v < 1 || v > 31) return null;
        for (String x : new String[] {"rd", "th", "st", "nd", "RD", "TH", "ST", "ND"}) {
            if (s.startsWith(x, e)) { e += 2; break; }
        }
        return new Match(e, Cardinal.tens(v));
    }

    /** A month name or abbreviation with one optional ASCII punctuation mark: {end, name} or null. */
    private static Match month(String s, int p) {
        int e = p;
        while (e < s.length() && EnData.alpha(s.charAt(e))) e++;
        String m = MONTH.get(s.substring(p, e));
        if (m == null) return null;
        // month_graph += delete(PUNCT).ques (byte.PUNCT); '-' is left to the "Jan-5-2012" form
        if (e < s.length() && isAsciiPunct(s.charAt(e)) && s.charAt(e) != '-') e++;
        return new Match(e, m);
    }

    private static boolean isAsciiPunct(char c) {
        return c > ' ' && c < 127 && !Character.isLetterOrDigit(c);
    }

    /** {@code year_after_graph}: " 2012" or ", 2012" (the following comma deleted); text starts with ", " when comma. */
    private static Match yearAfter(String s, int p) {
        int q;
        String pre;
        if (EnData.at(s, p, ' ')) { q = p + 1; pre = ""; }
        else if (EnData.at(s, p, ',')) { q = EnData.at(s, p + 1, ' ') ? p + 2 : p + 1; pre = ", "; }
        else return null;
        Match y = year(s, q);
        if (y == null || !EnData.boundary(s, y.end())) return null;
        int e = EnData.at(s, y.end(), ',') ? y.end() + 1 : y.end();
        return new Match(e, pre + y.text());
    }

    private static String dmy(String day, String month, String year) {
        StringBuilder sb = new StringBuilder();
        if (day != null) sb.append("the ").append(Ordinal.suffix(day)).append(" of ");
        sb.append(month);
        if (year != null) {
            if (!year.startsWith(", ")) sb.append(' ');
            sb.append(year);
        }
        return sb.toString();
    }

    private static Match best(Match a, Match b) {
        if (a == null) return b;
        if (b == null) return a;
        return b.end() > a.end() ? b : a;
    }

    /** The longest date at {@code p}. */
    static Match match(String s, int p) {
        Match best = null;
        if (p >= s.length()) return null;
        char c = s.charAt(p);
        if (EnData.alpha(c)) {
            Match m = month(s, p);
            if (m == null) return null;
            int q = m.end();
            int ds = EnData.spacesEnd(s, q);
            if (ds > q) {
                Match d = day(s, ds);
                if (d != null && EnData.boundary(s, d.end())) {
                    best = new Match(d.end(), dmy(d.text(), m.text(), null));
                    Match y = yearAfter(s, d.end());
                    if (y != null) best = best(best, new Match(y.end(), dmy(d.text(), m.text(), y.text())));
                }
            }
            Match y = yearAfter(s, q);
            if (y != null) best = best(best, new Match(y.end(), dmy(null, m.text(), y.text())));
            if (EnData.at(s, q, '-')) {
                Match d = day(s, q + 1);
                if (d != null && EnData.boundary(s, d.end())) {
                    best = best(best, new Match(d.end(), dmy(d.text(), m.text(), null)));
                    if (EnData.at(s, d.end(), '-')) {
                        Match y2 = year(s, d.end() + 1);
                        if (y2 != null && EnData.boundary(s, y2.end()))
                            best = best(best, new Match(y2.end(), dmy(d.text(), m.text(), y2.text())));
                    }
                }
            }
            return best;
        }
        if (c == '\'') return year(s, p);
        if (!EnData.digit(c)) return null;
        // financial period 1H23 / 3Q22
        if (p + 2 < s.length() && (s.charAt(p + 1) == 'H' && c >= '1' && c <= '2' || s.charAt(p + 1) == 'Q' && c >= '1' && c <= '4')
                && EnData.digitsEnd(s, p + 2) == p + 4) {
            String[] ord = {"", "first", "second", "third", "fourth"};
            String two = s.substring(p + 2, p + 4);
            String yw = two.charAt(0) == '0' ? Cardinal.digits(two, true) : Cardinal.tens(Integer.parseInt(two));
            int e = EnData.at(s, p + 4, ',') ? p + 5 : p + 4;
            best = new Match(e, "the " + ord[c - '0'] + (s.charAt(p + 1) == 'H' ? " half" : " quarter") + " of " + yw);
        }
        Match y = year(s, p);
        if (y != null && EnData.boundary(s, y.end())) best = best(best, y);
        // numeric forms with one separator kind
        int e1 = EnData.digitsEnd(s, p);
        if (e1 < s.length() && (s.charAt(e1) == '-' || s.charAt(e1) == '/' || s.charAt(e1) == '.')) {
            char sep = s.charAt(e1);
            int e2 = EnData.digitsEnd(s, e1 + 1);
            if (e2 > e1 + 1 && EnData.at(s, e2, sep)) {
                int e3 = EnData.digitsEnd(s, e2 + 1);
                String a = s.substring(p, e1), b = s.substring(e1 + 1, e2), cc = s.substring(e2 + 1, e3);
                if (e3 > e2 + 1 && EnData.boundary(s, e3)) {
                    String ys;
                    // y-m-d
                    if (a.length() == 4 && (ys = fourDigitYear(a, false)) != null && MONTH_NUMBER.containsKey(b)) {
                        Match d = day(cc, 0);
                        if (d != null && d.end() == cc.length())
                            best = best(best, new Match(e3, dmy(d.text(), MONTH_NUMBER.get(b), ys)));
                    }
                    if (cc.length() == 4 && (ys = fourDigitYear(cc, false)) != null) {
                        Match d = day(b, 0);
                        if (MONTH_NUMBER.containsKey(a) && d != null && d.end() == b.length())
                            best = best(best, new Match(e3, dmy(d.text(), MONTH_NUMBER.get(a), ys)));
                        d = day(a, 0);
                        if (a.length() == 2 && !MONTH_NUMBER.containsKey(a) && MONTH_NUMBER.containsKey(b)
                                && d != null && d.end() == a.length())
                            best = best(best, new Match(e3, dmy(d.text(), MONTH_NUMBER.get(b), ys)));
                    }
                }
            }
        }
        // d month [year] and y month d
        Match d = day(s, p);
        if (d != null) {
            int ms = EnData.spacesEnd(s, d.end());
            if (ms > d.end()) {
                Match m = month(s, ms);
                if (m != null && EnData.boundary(s, m.end())) {
                    best = best(best, new Match(m.end(), dmy(d.text(), m.text(), null)));
                    Match ya = yearAfter(s, m.end());
                    if (ya != null) best = best(best, new Match(ya.end(), dmy(d.text(), m.text(), ya.text())));
                }
            }
        }
        if (y != null && e1 - p == 4) {
            int ms = EnData.spacesEnd(s, y.end());
            if (ms > y.end()) {
                Match m = month(s, ms);
                if (m != null) {
                    int ds = EnData.spacesEnd(s, m.end());
                    Match dd = ds > m.end() ? day(s, ds) : null;
                    if (dd != null && EnData.boundary(s, dd.end()))
                        best = best(best, new Match(dd.end(), dmy(dd.text(), m.text(), y.text())));
                }
            }
        }
        return best;
    }

    /** {@code Date(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
