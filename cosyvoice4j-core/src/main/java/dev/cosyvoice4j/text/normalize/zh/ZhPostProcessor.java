package dev.cosyvoice4j.text.normalize.zh;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Port of tn/chinese/rules/postprocessor.py (039007e, which also took over preprocessor.py's
 * traditional→simplified): character rewrites applied to the verbalized text, in the grammar's order —
 * traditional→simplified (char/traditional_to_simple.tsv), interjection removal (default/blacklist.tsv: 呃 啊),
 * punctuation removal (char/punctuations_zh.tsv + ASCII punctuation), full→half width
 * (char/fullwidth_to_halfwidth.tsv), and {@code <oov>c</oov>} around characters outside the GB 8105 charset,
 * charset_extension.tsv, punctuations_zh.tsv and ASCII letters, digits, punctuation and spaces.
 * CosyVoice's options switch every step off; WeTextProcessing's defaults switch on all but punctuation removal.
 */
final class ZhPostProcessor {
    private final boolean traditionalToSimple;
    private final boolean removeInterjections;
    private final boolean removePuncts;
    private final boolean fullToHalf;
    private final boolean tagOov;

    ZhPostProcessor(boolean traditionalToSimple, boolean removeInterjections, boolean removePuncts,
                    boolean fullToHalf, boolean tagOov) {
        this.traditionalToSimple = traditionalToSimple;
        this.removeInterjections = removeInterjections;
        this.removePuncts = removePuncts;
        this.fullToHalf = fullToHalf;
        this.tagOov = tagOov;
    }

    boolean isIdentity() {
        return !traditionalToSimple && !removeInterjections && !removePuncts && !fullToHalf && !tagOov;
    }

    String process(String text) {
        if (isIdentity()) return text;
        StringBuilder sb = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (traditionalToSimple) c = Data.T2S.getOrDefault(c, c);
            if (removeInterjections && Data.BLACKLIST.contains(c)) return;
            if (removePuncts && (Data.PUNCTS.contains(c) || isAsciiPunct(c))) return;
            if (fullToHalf) c = Data.F2H.getOrDefault(c, c);
            if (tagOov && !inCharset(c)) sb.append("<oov>").appendCodePoint(c).append("</oov>");
            else sb.appendCodePoint(c);
        });
        return sb.toString();
    }

    private static boolean inCharset(int c) {
        if (c < 128) return Character.isLetterOrDigit(c) || isAsciiPunct(c) || " \t\n\r\u000b\f".indexOf(c) >= 0;
        return c == 0xA0 || Data.CHARSET.contains(c) || Data.PUNCTS.contains(c);
    }

    /** pynini byte.PUNCT: the ASCII punctuation of Python's string.punctuation. */
    private static boolean isAsciiPunct(int c) {
        return c < 128 && "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".indexOf(c) >= 0;
    }

    /** Tables loaded on first use (the CosyVoice configuration never needs them). */
    private static final class Data {
        static final Map<Integer, Integer> T2S = charMap("char/traditional_to_simple.tsv");
        static final Map<Integer, Integer> F2H = charMap("char/fullwidth_to_halfwidth.tsv");
        static final Set<Integer> BLACKLIST = ZhTables.codePoints("default/blacklist.tsv");
        static final Set<Integer> PUNCTS = ZhTables.codePoints("char/punctuations_zh.tsv");
        static final Set<Integer> CHARSET = ZhTables.codePoints(
                "char/charset_national_standard_2013_8105.tsv", "char/charset_extension.tsv");

        private static Map<Integer, Integer> charMap(String name) {
            Map<Integer, Integer> m = new HashMap<>();
            for (String line : ZhTables.lines(name)) {
                int tab = line.indexOf('\t');
                if (tab <= 0 || tab + 1 >= line.length()) continue;
                m.putIfAbsent(line.codePointAt(0), line.codePointAt(tab + 1));
            }
            return m;
        }
    }
}
