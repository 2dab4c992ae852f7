package dev.cosyvoice4j.text.normalize.en;

/**
 * Telephone numbers, IP addresses and SSNs, a port of {@code tn/english/rules/telephone.py} (the class's
 * default {@code deterministic=True}, so 0 reads "zero"):
 * {@code +1 123-123-5678-1 -> plus one, one two three, one two three, five six seven eight, one},
 * {@code 1-800-GO-U-HAUL -> one, eight hundred, GO U HAUL}, {@code (555) 123-4567},
 * {@code 127.0.0.1 -> one two seven dot zero dot zero dot one}, {@code 123-45-6789}.
 * Number part: a 3-digit area code ("800" reads "eight hundred") then seven digits or letters with
 * '-' (or '.') separators; a 1-4 digit extension may follow the last separator.
 */
public final class Telephone {
    private Telephone() {}

    private static String digit(char c) {
        return Cardinal.ONES[c - '0'];
    }

    /** Area code at {@code p}: "ddd-", "ddd.", "(ddd)", "(ddd) ", "(ddd)-"; {end, words + ", "}. */
    private static Match area(String s, int p) {
        boolean paren = EnData.at(s, p, '(');
        int q = paren ? p + 1 : p;
        if (EnData.digitsEnd(s, q) != q + 3) return null;
        String a = s.substring(q, q + 3);
        String w = a.equals("800") ? "eight hundred" : digit(a.charAt(0)) + " " + digit(a.charAt(1)) + " " + digit(a.charAt(2));
        int e = q + 3;
        if (paren) {
            if (s.startsWith(")-", e)) e += 2;
            else if (s.startsWith(") ", e)) e += 2;
            else if (EnData.at(s, e, ')')) e += 1;
            else return null;
        } else if (EnData.at(s, e, '-') || EnData.at(s, e, '.')) {
            e++;
        } else {
            return null;
        }
        return new Match(e, w + ", ");
    }

    /** Seven digits/letters with one kind of separator ('-' or '.'), maybe a trailing one. */
    private static Match number(String s, int p) {
        for (char sep : new char[] {'-', '.'}) {
            StringBuilder sb = new StringBuilder();
            int i = p, count = 0;
            while (count < 7 && i < s.length()) {
                char c = s.charAt(i);
                if (EnData.digit(c)) {
                    sb.append(digit(c));
                    i++;
                    count++;
                    if (EnData.at(s, i, sep)) { sb.append(", "); i++; } else sb.append(' ');
                } else if (EnData.alpha(c)) {
                    sb.append(c);
                    i++;
                    count++;
                    if (EnData.at(s, i, sep)) { sb.append(' '); i++; }
                } else {
                    break;
                }
            }
            if (count == 7) {
                String w = sb.toString();
                while (w.endsWith(" ")) w = w.substring(0, w.length() - 1);
                return new Match(i, w);
            }
        }
        return null;
    }

    static Match match(String s, int p) {
        Match best = null;
        // number part [+ extension]
        best = phone(s, p, "");
        // country code: [+]d{1,3} then optional '-' and spaces
        int q = EnData.at(s, p, '+') ? p + 1 : p;
        int ce = EnData.digitsEnd(s, q);
        if (ce > q && ce - q <= 3) {
            StringBuilder cc = new StringBuilder(q > p ? "plus " : "");
            for (int i = q; i < ce; i++) cc.append(i > q ? " " : "").append(digit(s.charAt(i)));
            cc.append(", ");
            int r = EnData.at(s, ce, '-') ? ce + 1 : ce;
            r = EnData.spacesEnd(s, r);
            if (best == null) best = phone(s, r, cc.toString());
        }
        Match ip = ip(s, p);
        if (ip != null && (best == null || ip.end() > best.end())) best = ip;
        Match ssn = ssn(s, p);
        if (ssn != null && (best == null || ssn.end() > best.end())) best = ssn;
        return best;
    }

    private static Match phone(String s, int p, String prefix) {
        Match a = area(s, p);
        if (a == null) return null;
        Match n = number(s, a.end());
        if (n == null) return null;
        int e = n.end();
        String w = prefix + a.text() + n.text();
        char prev = s.charAt(e - 1);
        if ((prev == '-' || prev == '.') && EnData.digit(s, e)) {
            int xe = EnData.digitsEnd(s, e);
            if (xe - e <= 4 && EnData.boundary(s, xe)) {
                StringBuilder x = new StringBuilder();
                for (int i = e; i < xe; i++) x.append(' ').append(digit(s.charAt(i)));
                return new Match(xe, w + x);
            }
        }
        if (prev == '-' || prev == '.') {
            if (!EnData.boundary(s, e - 1)) return null;
            return new Match(e - 1, w.endsWith(",") ? w.substring(0, w.length() - 1) : w);
        }
        return EnData.boundary(s, e) ? new Match(e, w) : null;
    }

    /** d{1,3}(.d{1,3}){3}. */
    private static Match ip(String s, int p) {
        StringBuilder sb = new StringBuilder();
        int i = p;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (!EnData.at(s, i, '.')) return null;
                i++;
                sb.append(" dot ");
            }
            int e = EnData.digitsEnd(s, i);
            if (e == i || e - i > 3) return null;
            for (int k = i; k < e; k++) sb.append(k > i ? " " : "").append(digit(s.charAt(k)));
            i = e;
        }
        return EnData.boundary(s, i) ? new Match(i, sb.toString()) : null;
    }

    /** ddd-dd-dddd. */
    private static Match ssn(String s, int p) {
        int[] len = {3, 2, 4};
        StringBuilder sb = new StringBuilder();
        int i = p;
        for (int g = 0; g < 3; g++) {
            if (g > 0) {
                if (!EnData.at(s, i, '-')) return null;
                i++;
                sb.append(", ");
            }
            if (EnData.digitsEnd(s, i) != i + len[g]) return null;
            for (int k = i; k < i + len[g]; k++) sb.append(k > i ? " " : "").append(digit(s.charAt(k)));
            i += len[g];
        }
        return EnData.boundary(s, i) ? new Match(i, sb.toString()) : null;
    }

    /** {@code Telephone().normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
