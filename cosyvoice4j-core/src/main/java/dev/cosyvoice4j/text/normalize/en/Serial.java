package dev.cosyvoice4j.text.normalize.en;

import java.util.Map;

/**
 * Serial-like tokens mixing letters, numbers and symbols, a port of {@code tn/english/rules/serial.py}:
 * {@code E100 -> E one hundred}, {@code B-52 -> B-fifty two}, {@code R&D -> R and D},
 * {@code 1-2-3 -> one-two-three}. A space is put between letters and numbers/symbols, '-' and '/' stay,
 * numbers of 1-5 digits are read as cardinals without "and", longer ones and those with a leading 0 digit
 * by digit ("oh"), symbols with {@code data/whitelist/symbol.tsv}; {@code x^2 -> x squared}.
 *
 * <p>{@link #read} is also the fallback for any whitespace-free chunk containing a digit that no grammar
 * accepts (the FST would then find no path and output nothing): nothing is ever dropped.
 */
public final class Serial {
    private Serial() {}

    private static final Map<String, String> SYMBOL = EnData.map("whitelist_symbol");

    private static boolean symbol(char c) {
        return SYMBOL.containsKey(String.valueOf(c)) && c != '/';
    }

    private static String number(String d) {
        if (d.length() >= 6 || d.charAt(0) == '0') return Cardinal.digits(d, true);
        return Cardinal.graph(d);
    }

    /** The spoken form of a chunk (letters, digits, symbols, any other characters kept as they are). */
    static String read(String v) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int prevKind = 0; // 0 none/delimiter, 1 alpha, 2 number/symbol, 3 other
        while (i < v.length()) {
            char c = v.charAt(i);
            int kind;
            String piece;
            int j = i + 1;
            if (c == '^' && (j < v.length()) && (v.charAt(j) == '2' || v.charAt(j) == '3') && j + 1 == v.length() && i > 0) {
                sb.append(v.charAt(j) == '2' ? " squared" : " cubed");
                break;
            }
            if (EnData.digit(c)) {
                j = EnData.digitsEnd(v, i);
                piece = number(v.substring(i, j));
                kind = 2;
            } else if (EnData.alpha(c)) {
                while (j < v.length() && EnData.alpha(v.charAt(j))) j++;
                piece = v.substring(i, j);
                kind = 1;
            } else if (symbol(c)) {
                piece = SYMBOL.get(String.valueOf(c));
                kind = 2;
            } else {
                piece = String.valueOf(c);
                kind = c == '-' || c == '/' ? 0 : 3;
            }
            if (prevKind != 0 && kind != 0 && !(prevKind == 3 && kind == 3)) sb.append(' ');
            sb.append(piece);
            prevKind = kind;
            i = j;
        }
        return sb.toString();
    }

    /**
     * A serial at {@code p}: a run of letters, digits, symbols, '-' and '/' of at least 2 characters ending at
     * a boundary, holding a number or symbol next to a letter or at least three numbers, not letters/letters.
     */
    static Match match(String s, int p) {
        if (p >= s.length() || s.charAt(p) == '-' || s.charAt(p) == '/') return null;
        int e = runEnd(s, p);
        while (e > p && (s.charAt(e - 1) == '-' || s.charAt(e - 1) == '/')) e--;
        if (e - p < 2 || !EnData.boundary(s, e)) return null;
        String v = s.substring(p, e);
        boolean alpha = false, num = false;
        int nums = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (EnData.alpha(c)) alpha = true;
            else if (EnData.digit(c) || symbol(c)) {
                num = true;
                if (i == 0 || !EnData.digit(v.charAt(i - 1))) nums++;
            }
        }
        if (!num || !(alpha || nums >= 3)) return null;
        return new Match(e, read(v));
    }

    /** End of the run of letters, digits, symbols, '-' and '/' from p; no serial starts inside a failed run. */
    static int runEnd(String s, int p) {
        int e = p;
        while (e < s.length()) {
            char c = s.charAt(e);
            if (EnData.alpha(c) || EnData.digit(c) || symbol(c) || c == '-' || c == '/') e++;
            else break;
        }
        return e;
    }

    /** {@code Serial(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
