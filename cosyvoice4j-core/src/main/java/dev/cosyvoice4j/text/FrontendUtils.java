package dev.cosyvoice4j.text;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Port of cosyvoice/utils/frontend_utils.py (the helpers of the official text frontend). Python semantics are
 * kept where they matter: strings are sequences of code points ({@code len}, indexing), {@code isdigit},
 * {@code isascii}, {@code strip} use Python's character sets. Where the Python code would raise on an edge
 * case (IndexError in {@code split_paragraph} / {@code replace_blank}), the Java version returns a sensible
 * result instead; each such case is named in the method's doc. No method throws on any string.
 */
public final class FrontendUtils {
    private FrontendUtils() {}

    /** The language branch of {@code split_paragraph}: sentence punctuation and the length measure differ. */
    public enum Lang { ZH, EN }

    /** {@code contains_chinese}: any code point in U+4E00..U+9FFF. */
    public static boolean containsChinese(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '\u4e00' && c <= '\u9fff') return true;
        }
        return false;
    }

    /** {@code replace_corner_mark}: ² -> 平方, ³ -> 立方. */
    public static String replaceCornerMark(String text) {
        return text.replace("²", "平方").replace("³", "立方");
    }

    /** {@code remove_bracket}: drops （ ） 【 】 and backticks, turns —— into a space. */
    public static String removeBracket(String text) {
        return text.replace("（", "").replace("）", "").replace("【", "").replace("】", "")
                .replace("`", "").replace("——", " ");
    }

    /**
     * {@code spell_out_number}: every maximal run of {@code str.isdigit()} characters becomes
     * {@link InflectNumbers#digitRunToWords} of it; everything else is kept.
     */
    public static String spellOutNumber(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        int st = -1;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (!pyIsDigit(c)) {
                if (st >= 0) {
                    out.append(InflectNumbers.digitRunToWords(text.substring(st, i)));
                    st = -1;
                }
                out.appendCodePoint(c);
            } else if (st < 0) {
                st = i;
            }
            i += Character.charCount(c);
        }
        if (st >= 0) out.append(InflectNumbers.digitRunToWords(text.substring(st)));
        return out.toString();
    }

    /**
     * {@code split_paragraph}: cuts {@code text} after sentence punctuation, then greedily merges the pieces
     * into segments: a segment is closed before a piece that would make it longer than {@code tokenMaxN} when it
     * is already longer than {@code tokenMinN}; a last segment shorter than {@code mergeLen} is appended to the
     * previous one. Length: code points (ZH) or {@code tokenCount} (EN; the official code counts Qwen2 ids).
     * A missing final punctuation mark is added (。 or .); a closing quote right after a mark stays with its
     * sentence. Python raises IndexError on an empty text, and on a quote that follows a mark when no
     * sentence precedes it; here the first yields no segment and the second keeps the quote for the next one.
     */
    public static List<String> splitParagraph(String text, ToIntFunction<String> tokenCount, Lang lang,
                                              int tokenMaxN, int tokenMinN, int mergeLen, boolean commaSplit) {
        List<String> finalUtts = new ArrayList<>();
        if (text.isEmpty()) return finalUtts;
        String pounc = lang == Lang.ZH ? "。？！；：、.?!;" : ".?!;:";
        if (commaSplit) pounc += "，,";
        int[] cps = text.codePoints().toArray();
        int n = cps.length;
        if (!isIn(pounc, cps[n - 1])) {
            cps = java.util.Arrays.copyOf(cps, n + 1);
            cps[n++] = lang == Lang.ZH ? '。' : '.';
        }
        List<String> utts = new ArrayList<>();
        int st = 0;
        for (int i = 0; i < n; i++) {
            int c = cps[i];
            if (!isIn(pounc, c)) continue;
            if (i - st > 0) utts.add(new String(cps, st, i - st) + Character.toString(c));
            if (i + 1 < n && (cps[i + 1] == '"' || cps[i + 1] == '”')) {
                if (!utts.isEmpty()) {
                    String tmp = utts.removeLast();
                    utts.add(tmp + Character.toString(cps[i + 1]));
                    st = i + 2;
                } else {
                    st = i + 1; // Python: pop from empty list
                }
            } else {
                st = i + 1;
            }
        }
        ToIntFunction<String> length = lang == Lang.ZH ? FrontendUtils::pyLen : tokenCount;
        String cur = "";
        for (String utt : utts) {
            if (length.applyAsInt(cur + utt) > tokenMaxN && length.applyAsInt(cur) > tokenMinN) {
                finalUtts.add(cur);
                cur = "";
            }
            cur = cur + utt;
        }
        if (!cur.isEmpty()) {
            if (length.applyAsInt(cur) < mergeLen && !finalUtts.isEmpty()) {
                finalUtts.set(finalUtts.size() - 1, finalUtts.getLast() + cur);
            } else {
                finalUtts.add(cur);
            }
        }
        return finalUtts;
    }

    /**
     * {@code replace_blank}: drops a space unless both neighbours are non-space ASCII. Python's
     * {@code text[i - 1]} at i = 0 looks at the last character (kept); a space at the very end would raise
     * IndexError in Python and is dropped here.
     */
    public static String replaceBlank(String text) {
        int[] cps = text.codePoints().toArray();
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == ' ') {
                if (i + 1 >= cps.length) continue;
                int next = cps[i + 1];
                int prev = cps[i == 0 ? cps.length - 1 : i - 1];
                if (next < 128 && next != ' ' && prev < 128 && prev != ' ') out.append(' ');
            } else {
                out.appendCodePoint(c);
            }
        }
        return out.toString();
    }

    /** {@code is_only_punctuation}: empty, or only Unicode punctuation (P*) and symbols (S*). */
    public static boolean isOnlyPunctuation(String text) {
        return text.codePoints().allMatch(FrontendUtils::isPunctuationOrSymbol);
    }

    static boolean isPunctuationOrSymbol(int c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** Python {@code len(s)}: code points. */
    public static int pyLen(String s) { return s.codePointCount(0, s.length()); }

    /** Python {@code str.strip()}: removes leading and trailing {@link #pyIsSpace} characters. */
    public static String pyStrip(String s) {
        int b = 0, e = s.length();
        while (b < e && pyIsSpace(s.charAt(b))) b++;
        while (e > b && pyIsSpace(s.charAt(e - 1))) e--;
        return s.substring(b, e);
    }

    /** Python {@code str.isspace()} for one character (all such characters are in the BMP). */
    public static boolean pyIsSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** Non-decimal code points with Numeric_Type=Digit (Python {@code isdigit()} but not {@code isdecimal()}). */
    private static final int[] DIGIT_NOT_DECIMAL = {0xB2, 0xB3, 0xB9, 0xB9, 0x1369, 0x1371, 0x19DA, 0x19DA,
            0x2070, 0x2070, 0x2074, 0x2079, 0x2080, 0x2089, 0x2460, 0x2468, 0x2474, 0x247C, 0x2488, 0x2490,
            0x24EA, 0x24EA, 0x24F5, 0x24FD, 0x24FF, 0x24FF, 0x2776, 0x277E, 0x2780, 0x2788, 0x278A, 0x2792,
            0x10A40, 0x10A43, 0x10E60, 0x10E68, 0x11052, 0x1105A, 0x1F100, 0x1F10A};

    /** Python {@code str.isdigit()} for one code point (Unicode 14 tables for the non-decimal digits). */
    public static boolean pyIsDigit(int c) {
        if (Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER) return true;
        if (c < 0xB2) return false;
        for (int i = 0; i < DIGIT_NOT_DECIMAL.length; i += 2) {
            if (c >= DIGIT_NOT_DECIMAL[i] && c <= DIGIT_NOT_DECIMAL[i + 1]) return true;
        }
        return false;
    }

    private static boolean isIn(String set, int c) { return set.indexOf(c) >= 0; }
}
