package dev.cosyvoice4j.text.normalize.en;

import java.util.Map;

/**
 * Clock times, a port of {@code tn/english/rules/time.py}: {@code h:mm[:ss]}, {@code h.mm} (suffix
 * required) and {@code h} (suffix required), an optional suffix ({@code data/time/suffix.tsv}: a.m., PM ...)
 * and time zone ({@code zone.tsv}). {@code 02:00 -> two o'clock}, {@code 2.00 a.m. -> two AM},
 * {@code 12:30 a.m. est -> twelve thirty AM EST}, {@code 10:00:05 -> ten hours zero minutes and five seconds}.
 * Hours 0-23, minutes "05" read "o five", "00" with seconds reads "zero".
 */
public final class Time {
    private Time() {}

    private static final Map<String, String> SUFFIX = EnData.map("time_suffix");
    private static final Map<String, String> ZONE = EnData.map("time_zone");
    private static final int SUFFIX_MAX = EnData.maxKeyLength(SUFFIX);
    private static final int ZONE_MAX = EnData.maxKeyLength(ZONE);

    /** {end, value} of a table key after any spaces, ending at a boundary; null when none. */
    private static Match key(Map<String, String> table, int max, String s, int p, boolean spaceRequired) {
        int q = EnData.spacesEnd(s, p);
        if (spaceRequired && q == p) return null;
        for (int len = Math.min(max, s.length() - q); len > 0; len--) {
            String k = s.substring(q, q + len);
            String v = table.get(k);
            if (v != null && EnData.boundary(s, q + len)) return new Match(q + len, v);
        }
        return null;
    }

    /** minutes / seconds: "00" (zero) or 01-59; null otherwise. */
    private static String minute(String m) {
        if (m.length() != 2) return null;
        int v = Integer.parseInt(m);
        if (v >= 60) return null;
        if (v == 0) return "zero";
        return m.charAt(0) == '0' ? "o " + Cardinal.ONES[v] : Cardinal.tens(v);
    }

    static Match match(String s, int p) {
        int he = EnData.digitsEnd(s, p);
        if (he == p || he - p > 2) return null;
        int h = Integer.parseInt(s, p, he, 10);
        if (h > 23) return null;
        String hour = Cardinal.tens(h);
        char sep = he < s.length() ? s.charAt(he) : 0;
        if (sep == ':' || sep == '.') {
            int me = EnData.digitsEnd(s, he + 1);
            String min = minute(s.substring(he + 1, me));
            if (min != null) {
                String sec = null;
                int end = me;
                if (sep == ':' && EnData.at(s, me, ':')) {
                    int se = EnData.digitsEnd(s, me + 1);
                    sec = minute(s.substring(me + 1, se));
                    if (sec != null) end = se;
                }
                if (!EnData.digit(s, end)) {
                    Match suf = key(SUFFIX, SUFFIX_MAX, s, end, false);
                    if (sep == '.' && suf == null) return null;
                    int e = suf != null ? suf.end() : end;
                    Match zone = key(ZONE, ZONE_MAX, s, e, false);
                    if (zone != null) e = zone.end();
                    if (!EnData.boundary(s, e)) return null;
                    StringBuilder sb = new StringBuilder();
                    if (sec != null) {
                        sb.append(hour).append(h == 1 ? " hour " : " hours ").append(strip(min))
                                .append(min.equals("one") ? " minute and " : " minutes and ").append(strip(sec))
                                .append(sec.equals("one") ? " second" : " seconds");
                    } else if (min.equals("zero")) {
                        sb.append(hour).append(suf != null ? "" : " o'clock");
                    } else {
                        sb.append(hour).append(' ').append(min);
                    }
                    if (suf != null) sb.append(' ').append(suf.text());
                    if (zone != null) sb.append(' ').append(zone.text());
                    return new Match(e, sb.toString());
                }
            }
        }
        Match suf = key(SUFFIX, SUFFIX_MAX, s, he, false);
        if (suf == null) return null;
        int e = suf.end();
        Match zone = key(ZONE, ZONE_MAX, s, e, false);
        StringBuilder sb = new StringBuilder(hour).append(' ').append(suf.text());
        if (zone != null) {
            e = zone.end();
            sb.append(' ').append(zone.text());
        }
        return new Match(e, sb.toString());
    }

    /** "o five" reads "five" inside "... hours ... minutes and ... seconds". */
    private static String strip(String m) {
        return m.startsWith("o ") ? m.substring(2) : m;
    }

    /** {@code Time(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
