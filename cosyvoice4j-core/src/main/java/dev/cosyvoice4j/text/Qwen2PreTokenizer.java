package dev.cosyvoice4j.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The Qwen2 pre-tokenizer split, hand-coded: the HF {@code Split} with the regex
 * <pre>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</pre>
 * and behaviour "isolated" (transformers {@code Qwen2Converter}). It works on code points, so a surrogate
 * pair (emoji) is one character. Semantics are Oniguruma's as used by HF tokenizers: {@code \s} is the Unicode
 * White_Space set (Onig: \t\n\v\f\r, U+0085, Zs, Zl, Zp), {@code \p{L}} / {@code \p{N}} are the general
 * categories, {@code (?i)} folds case with Unicode rules ({@code ſ} matches {@code s}). Alternatives are tried
 * in order at each position (leftmost-first), as a backtracking regex engine does; the unit test checks this
 * against {@code java.util.regex} on random text. Linear time, no recursion, never throws.
 */
public final class Qwen2PreTokenizer {
    private Qwen2PreTokenizer() {}

    /** The regex as HF writes it (for documentation and the equivalence test). */
    public static final String REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Splits {@code text} (no lone surrogates expected; they count as "other" characters) into pieces. */
    public static List<String> split(String text) {
        int[] cps = text.codePoints().toArray();
        List<String> out = new ArrayList<>();
        int n = cps.length;
        int i = 0;
        int gapStart = 0; // unmatched characters are isolated pieces too ("isolated" keeps the gaps)
        while (i < n) {
            int end = matchAt(cps, i);
            if (end < 0) { i++; continue; }
            if (gapStart < i) out.add(new String(cps, gapStart, i - gapStart));
            out.add(new String(cps, i, end - i));
            i = end;
            gapStart = i;
        }
        if (gapStart < n) out.add(new String(cps, gapStart, n - gapStart));
        return out;
    }

    /** The end (exclusive) of the regex match starting exactly at {@code i}, or -1 if none starts there. */
    static int matchAt(int[] s, int i) {
        int n = s.length;
        int c = s[i];
        // 1. (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c == '\'' && i + 1 < n) {
            int a = s[i + 1];
            if (isFold(a, 's') || isFold(a, 't')) return i + 2;
            if (i + 2 < n) {
                int b = s[i + 2];
                if ((isFold(a, 'r') && isFold(b, 'e')) || (isFold(a, 'v') && isFold(b, 'e'))) return i + 3;
            }
            if (isFold(a, 'm')) return i + 2;
            if (i + 2 < n && isFold(a, 'l') && isFold(s[i + 2], 'l')) return i + 3;
            if (isFold(a, 'd')) return i + 2;
        }
        // 2. [^\r\n\p{L}\p{N}]?\p{L}+
        if (isLetter(c)) return letterRunEnd(s, i);
        if (c != '\r' && c != '\n' && !isNumber(c) && i + 1 < n && isLetter(s[i + 1])) return letterRunEnd(s, i + 1);
        // 3. \p{N}
        if (isNumber(c)) return i + 1;
        // 4. ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        int j = i;
        if (c == ' ' && i + 1 < n && isOther(s[i + 1])) j = i + 1;
        if (isOther(s[j])) {
            while (j < n && isOther(s[j])) j++;
            while (j < n && (s[j] == '\r' || s[j] == '\n')) j++;
            return j;
        }
        if (!isSpace(c)) return -1; // unreachable: every character is letter, number, space or other
        int runEnd = i;
        while (runEnd < n && isSpace(s[runEnd])) runEnd++;
        // 5. \s*[\r\n]+ : ends after the last \r or \n of the whitespace run
        for (int k = runEnd - 1; k >= i; k--) {
            if (s[k] == '\r' || s[k] == '\n') return k + 1;
        }
        // 6. \s+(?!\S) : the whole run at the end of text, else the run minus its last character
        if (runEnd == n) return runEnd;
        if (runEnd - i >= 2) return runEnd - 1;
        // 7. \s+
        return runEnd;
    }

    private static int letterRunEnd(int[] s, int j) {
        while (j < s.length && isLetter(s[j])) j++;
        return j;
    }

    /** Case-insensitive match of code point {@code c} against the ASCII lower-case letter {@code lower}. */
    private static boolean isFold(int c, char lower) {
        if (c == lower || c == Character.toUpperCase(lower)) return true;
        return lower == 's' && c == 0x017F; // LATIN SMALL LETTER LONG S case-folds to 's'
    }

    static boolean isLetter(int c) { return Character.isLetter(c); }

    static boolean isNumber(int c) {
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** Unicode White_Space (= Oniguruma's Unicode \s). */
    static boolean isSpace(int c) {
        if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D);
        if (c < 0x85) return false;
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** {@code [^\s\p{L}\p{N}]}. */
    static boolean isOther(int c) { return !isSpace(c) && !isLetter(c) && !isNumber(c); }
}
