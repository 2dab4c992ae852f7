package dev.cosyvoice4j.text.normalize.en;

import java.util.List;

/**
 * Cardinal numbers, a port of WeTextProcessing {@code tn/english/rules/cardinal.py} with
 * {@code deterministic=False} (the default of the class, used by the English {@code Normalizer} too).
 *
 * <ul>
 *   <li>{@link #graph}: the number-name FAR ({@code data/number/cardinal_number_name.far}) re-implemented:
 *       three-digit groups named with {@code data/number/thousand.tsv}, no "and", no commas
 *       ({@code 101111 -> one hundred one thousand one hundred eleven}).</li>
 *   <li>{@link #withAnd}: {@code add_optional_and}: one "and" after the last "hundred" not followed by
 *       thousand/million, else after a "thousand" not followed by hundred ({@code 1001 -> one thousand and one}).
 *       Deviation: never "and" right before a scale word (the grammar would say "one hundred and billion").</li>
 *   <li>{@link #normalize}: the class's final graph: sign "negative", comma groups, leading zeros read
 *       "oh", "one thousand ..." at the start read "thousand ..." ({@code one_to_a_replacement_graph}).</li>
 * </ul>
 *
 * <p>Length: the FAR's scale words are not readable here (binary FAR); we name groups up to "decillion"
 * (36 digits, the same limit as inflect's, which crashes beyond). Longer runs are read digit by digit
 * ("oh" for 0), which is the grammar's own fallback ({@code single_digits_graph}, weight 0.0001) for digit
 * strings the FAR does not accept. Linear in the number of digits.
 */
public final class Cardinal {
    private Cardinal() {}

    static final String[] ONES = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
            "nineteen"};
    static final String[] TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
            "ninety"};
    /** Longest digit string named with scale words (thousand .. decillion). */
    static final int MAX_DIGITS = 36;
    private static final String[] SCALES;

    static {
        List<String[]> rows = EnData.rows("number_thousand");
        SCALES = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) SCALES[i] = rows.get(i)[0];
    }

    static boolean isScale(String w) {
        for (String s : SCALES) if (s.equals(w)) return true;
        return false;
    }

    /** 1..99 as "twenty one". */
    static String tens(int v) {
        if (v < 20) return ONES[v];
        return v % 10 == 0 ? TENS[v / 10] : TENS[v / 10] + " " + ONES[v % 10];
    }

    /** 1..999 as "one hundred twenty three". */
    static void hundreds(int v, StringBuilder sb) {
        if (v >= 100) {
            sb.append(ONES[v / 100]).append(" hundred");
            if (v % 100 != 0) sb.append(' ').append(tens(v % 100));
        } else {
            sb.append(tens(v));
        }
    }

    /**
     * The FAR graph: a digit string without a leading zero (or "0") as words without "and";
     * null when not accepted (empty, leading zero, non-digit, more than {@link #MAX_DIGITS} digits).
     */
    static String graph(String d) {
        int n = d.length();
        if (n == 0 || n > MAX_DIGITS) return null;
        for (int i = 0; i < n; i++) if (!EnData.digit(d.charAt(i))) return null;
        if (d.charAt(0) == '0') return n == 1 ? "zero" : null;
        StringBuilder sb = new StringBuilder();
        int groups = (n + 2) / 3;
        int pos = 0;
        for (int g = groups - 1; g >= 0; g--) {
            int len = n - 3 * g - pos;
            int v = Integer.parseInt(d, pos, pos + len, 10);
            pos += len;
            if (v == 0) continue;
            if (!sb.isEmpty()) sb.append(' ');
            hundreds(v, sb);
            if (g > 0) sb.append(' ').append(SCALES[g - 1]);
        }
        return sb.toString();
    }

    /** {@code add_optional_and} applied to words of {@link #graph}. */
    static String withAnd(String words) {
        if (words == null) return null;
        String[] w = words.split(" ");
        int at = -1;
        // "hundred " + rest without thousand/million (the last such hundred)
        for (int i = w.length - 2; i >= 0; i--) {
            if (w[i].equals("thousand") || w[i].equals("million")) break;
            if (w[i].equals("hundred")) {
                if (!isScale(w[i + 1])) at = i;
                break;
            }
        }
        if (at < 0) {
            for (int i = w.length - 2; i >= 0; i--) {
                if (w[i].equals("hundred")) break;
                if (w[i].equals("thousand")) {
                    if (!isScale(w[i + 1])) at = i;
                    break;
                }
            }
        }
        if (at < 0) return words;
        StringBuilder sb = new StringBuilder(words.length() + 4);
        for (int i = 0; i < w.length; i++) {
            if (i > 0) sb.append(' ');
            sb.append(w[i]);
            if (i == at) sb.append(" and");
        }
        return sb.toString();
    }

    /** Digit by digit; {@code oh} selects "oh" for 0 (the non-deterministic default) over "zero". */
    static String digits(CharSequence d, boolean oh) {
        StringBuilder sb = new StringBuilder(d.length() * 5);
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (!EnData.digit(c)) continue;
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(c == '0' ? (oh ? "oh" : "zero") : ONES[c - '0']);
        }
        return sb.toString();
    }

    /** {@link #withAnd} of {@link #graph}, digit by digit beyond {@link #MAX_DIGITS}; null on a leading zero. */
    static String andOrDigits(String d) {
        if (d.length() > MAX_DIGITS && d.charAt(0) != '0') return digits(d, true);
        return withAnd(graph(d));
    }

    /**
     * End of a number at {@code p}: digits, then {@code ,ddd} groups when the first group has 1-3 digits
     * (the tagger's {@code DIGIT{1,3} (delete(",") DIGIT^3)*}). Returns p when there is no digit.
     */
    static int scan(String s, int p) {
        int e = EnData.digitsEnd(s, p);
        if (e == p || e - p > 3) return e;
        while (EnData.at(s, e, ',') && EnData.digitsEnd(s, e + 1) == e + 4) e += 4;
        return e;
    }

    /** The class's final graph for an unsigned number (commas allowed): never null for digits. */
    static String finalGraph(String number) {
        String d = number.indexOf(',') >= 0 ? number.replace(",", "") : number;
        if (d.length() > 1 && d.charAt(0) == '0') {
            int z = 0;
            while (z < d.length() && d.charAt(z) == '0') z++;
            if (z == d.length()) return digits(d, true);
            String rest = andOrDigits(d.substring(z));
            return digits(d.substring(0, z), true) + " " + rest;
        }
        String w = andOrDigits(d);
        if (w.startsWith("one thousand")) w = w.substring(4);
        return w;
    }

    /** A cardinal at {@code p} (an optional '-' sign, read "negative"). */
    static Match match(String s, int p) {
        int q = p;
        boolean neg = false;
        if (EnData.at(s, q, '-') && EnData.digit(s, q + 1)) {
            neg = true;
            q++;
        }
        int e = scan(s, q);
        if (e == q) return null;
        String w = finalGraph(s.substring(q, e));
        return new Match(e, neg ? "negative " + w : w);
    }

    /** {@code Cardinal(deterministic=False).normalize}: the whole input as one cardinal, else unchanged. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
