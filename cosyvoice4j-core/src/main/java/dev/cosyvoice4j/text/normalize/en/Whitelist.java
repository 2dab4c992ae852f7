package dev.cosyvoice4j.text.normalize.en;

import java.util.HashMap;
import java.util.Map;

/**
 * Whitelisted words, a port of {@code tn/english/rules/whitelist.py} ({@code deterministic=False}, cased
 * input): {@code data/whitelist/tts.tsv} ({@code Mt. -> Mount}, {@code Co. -> company},
 * {@code World War II. -> World War two}), {@code symbol.tsv} ({@code & -> and}), {@code alternatives.tsv}
 * ({@code Hon. -> Honorable}, {@code Mon -> Monday}), upper-case initials ({@code U.S.A. -> USA}) and
 * "Town, ST" state abbreviations ({@code Stroudsburg, PA -> Stroudsburg, Pennsylvania}). Where tables repeat
 * a key the first listed reading is taken (tts, then symbols, then alternatives).
 */
public final class Whitelist {
    private Whitelist() {}

    private static final Map<String, String> TABLE = new HashMap<>();
    private static final Map<String, String> STATE = new HashMap<>();
    private static final int MAX;

    static {
        TABLE.putAll(EnData.map("whitelist_tts"));
        for (Map.Entry<String, String> e : EnData.map("whitelist_symbol").entrySet()) TABLE.putIfAbsent(e.getKey(), e.getValue());
        for (Map.Entry<String, String> e : EnData.map("whitelist_alternatives").entrySet()) TABLE.putIfAbsent(e.getKey(), e.getValue());
        MAX = EnData.maxKeyLength(TABLE);
        for (String[] r : EnData.rows("address_state")) {
            STATE.putIfAbsent(r[1], r[0]);
            STATE.putIfAbsent(r[1].charAt(0) + "." + r[1].substring(1), r[0]);
            STATE.putIfAbsent(r[1].charAt(0) + "." + r[1].substring(1) + ".", r[0]);
        }
    }

    static Match match(String s, int p) {
        Match best = null;
        for (int len = Math.min(MAX, s.length() - p); len > 0; len--) {
            if (!EnData.boundary(s, p + len)) continue;
            String v = TABLE.get(s.substring(p, p + len));
            if (v != null) {
                best = new Match(p + len, v);
                break;
            }
        }
        Match m = initials(s, p);
        if (m != null && (best == null || m.end() > best.end())) best = m;
        m = state(s, p);
        if (m != null && (best == null || m.end() > best.end())) best = m;
        return best;
    }

    /** {@code UPPER (("." | ". ") UPPER){2,} "."?} read as the letters. */
    private static Match initials(String s, int p) {
        if (p >= s.length() || !EnData.upper(s.charAt(p))) return null;
        for (String sep : new String[] {".", ". "}) {
            StringBuilder sb = new StringBuilder().append(s.charAt(p));
            int i = p + 1;
            while (s.startsWith(sep, i) && i + sep.length() < s.length() && EnData.upper(s.charAt(i + sep.length()))
                    && EnData.boundary(s, i + sep.length() + 1)) {
                sb.append(s.charAt(i + sep.length()));
                i += sep.length() + 1;
            }
            if (sb.length() >= 3) {
                if (EnData.at(s, i, '.') && EnData.boundary(s, i + 1)) i++;
                if (EnData.boundary(s, i)) return new Match(i, sb.toString());
            }
        }
        return null;
    }

    /** {@code ALPHA+ ("," | ", ") STATE} with the abbreviation spelled out. */
    private static Match state(String s, int p) {
        int e = p;
        while (e < s.length() && EnData.alpha(s.charAt(e))) e++;
        if (e == p || !EnData.at(s, e, ',')) return null;
        int q = EnData.at(s, e + 1, ' ') ? e + 2 : e + 1;
        int r = q;
        while (r < s.length() && (EnData.upper(s.charAt(r)) || s.charAt(r) == '.')) r++;
        for (int end = r; end > q; end--) {
            String st = STATE.get(s.substring(q, end));
            if (st != null && EnData.boundary(s, end)) return new Match(end, s.substring(p, q) + st);
        }
        return null;
    }

    /** {@code WhiteList(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
