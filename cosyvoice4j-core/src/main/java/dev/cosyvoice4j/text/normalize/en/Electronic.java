package dev.cosyvoice4j.text.normalize.en;

import java.util.Map;

/**
 * E-mail addresses and URLs, a port of {@code tn/english/rules/electronic.py}: {@code user@domain.tld},
 * {@code http(s)://}, {@code file:///}, {@code www.} and bare domains ending in a common domain of
 * {@code data/electronic/domain.tsv} ({@code Thepodule.com -> Thepodule dot com}). Letters stay, symbols
 * are read with {@code data/electronic/symbol.tsv} ({@code . -> dot}), digits one by one ("d000" reads
 * "d thousand"), whole letter runs of {@code words.tsv} are replaced ({@code nvidia -> NVIDIA}).
 */
public final class Electronic {
    private Electronic() {}

    private static final Map<String, String> SYMBOL = EnData.map("electronic_symbol");
    private static final Map<String, String> DOMAIN = EnData.map("electronic_domain");
    private static final Map<String, String> WORDS = EnData.map("electronic_words");

    private static boolean domainChar(char c) {
        return EnData.alpha(c) || EnData.digit(c) || SYMBOL.containsKey(String.valueOf(c));
    }

    /** Verbalise a username or domain: letter runs kept, symbols and digits read; common domains "dot com". */
    static String read(String v, boolean domain) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < v.length()) {
            char c = v.charAt(i);
            if (domain && c == '.') {
                int j = i + 1;
                while (j < v.length() && EnData.alpha(v.charAt(j))) j++;
                String d = DOMAIN.get(v.substring(i, j));
                if (d != null && (j == v.length() || !EnData.alpha(v.charAt(j)))) {
                    sb.append(' ').append(d).append(' ');
                    i = j;
                    continue;
                }
            }
            if (EnData.alpha(c)) {
                int j = i;
                while (j < v.length() && EnData.alpha(v.charAt(j))) j++;
                String w = v.substring(i, j);
                sb.append(WORDS.getOrDefault(w, w));
                i = j;
            } else if (EnData.digit(c)) {
                if (c != '0' && v.startsWith("000", i + 1) && !EnData.digit(v, i + 4)) {
                    sb.append(' ').append(Cardinal.ONES[c - '0']).append(" thousand ");
                    i += 4;
                } else {
                    sb.append(' ').append(c == '0' ? "zero" : Cardinal.ONES[c - '0']).append(' ');
                    i++;
                }
            } else {
                String w = SYMBOL.get(String.valueOf(c));
                sb.append(' ').append(w != null ? w : String.valueOf(c)).append(' ');
                i++;
            }
        }
        return sb.toString().trim().replaceAll(" +", " ");
    }

    /** End of a domain at {@code p}: starts with a letter, domain chars, ends with a letter, digit or '/'. */
    private static int domainEnd(String s, int p) {
        if (p >= s.length() || !EnData.alpha(s.charAt(p))) return -1;
        int e = p;
        while (e < s.length() && domainChar(s.charAt(e))) e++;
        while (e > p && !(EnData.alpha(s.charAt(e - 1)) || EnData.digit(s.charAt(e - 1)) || s.charAt(e - 1) == '/')) e--;
        return e;
    }

    private static boolean hasCommonDomain(String d) {
        for (String k : DOMAIN.keySet()) {
            int i = d.indexOf(k);
            while (i >= 0) {
                int j = i + k.length();
                if (j == d.length() || !EnData.alpha(d.charAt(j))) return true;
                i = d.indexOf(k, i + 1);
            }
        }
        return false;
    }

    static Match match(String s, int p) {
        if (p >= s.length() || !EnData.alpha(s.charAt(p))) return null;
        String protocol = null;
        int q = p;
        if (s.startsWith("https://", p)) { protocol = "HTTPS colon slash slash"; q = p + 8; }
        else if (s.startsWith("http://", p)) { protocol = "HTTP colon slash slash"; q = p + 7; }
        else if (s.startsWith("file:///", p)) { protocol = "file colon slash slash slash"; q = p + 8; }
        if (s.startsWith("www.", q)) { protocol = protocol == null ? "WWW dot" : protocol + " WWW dot"; q += 4; }
        if (protocol != null) {
            int e = domainEnd(s, q);
            if (e <= q || !EnData.boundary(s, e)) return null;
            return new Match(e, protocol + " " + read(s.substring(q, e), true));
        }
        // user@domain with a dot in the domain
        int u = p;
        while (u < s.length() && (EnData.alpha(s.charAt(u)) || EnData.digit(s.charAt(u))
                || (s.charAt(u) != '@' && SYMBOL.containsKey(String.valueOf(s.charAt(u)))))) u++;
        if (EnData.at(s, u, '@')) {
            int e = domainEnd(s, u + 1);
            if (e > u + 1 && s.substring(u + 1, e).indexOf('.') >= 0 && EnData.boundary(s, e))
                return new Match(e, read(s.substring(p, u), false) + " at " + read(s.substring(u + 1, e), true));
        }
        int e = domainEnd(s, p);
        if (e > p && EnData.boundary(s, e) && hasCommonDomain(s.substring(p, e)))
            return new Match(e, read(s.substring(p, e), true));
        return null;
    }

    /** End of the run of domain characters from p; no address starts inside a run that failed from its start. */
    static int runEnd(String s, int p) {
        int e = p;
        while (e < s.length() && domainChar(s.charAt(e))) e++;
        return Math.max(e, p + 1);
    }

    /** {@code Electronic(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
