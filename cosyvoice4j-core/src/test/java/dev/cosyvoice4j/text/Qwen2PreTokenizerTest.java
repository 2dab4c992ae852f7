package dev.cosyvoice4j.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Qwen2PreTokenizerTest {
    /** java.util.regex with Unicode classes: \s = White_Space, (?i) Unicode-aware, like Oniguruma in HF. */
    private static final Pattern JAVA_REGEX = Pattern.compile(Qwen2PreTokenizer.REGEX, Pattern.UNICODE_CHARACTER_CLASS);

    @Test
    void splitsLikeTheHfPattern() {
        assertEquals(List.of("Hello", " world", "!"), Qwen2PreTokenizer.split("Hello world!"));
        assertEquals(List.of("I", "'m", " sure", " they", "'ll", " say", " it", "'s"),
                Qwen2PreTokenizer.split("I'm sure they'll say it's"));
        assertEquals(List.of(" ", " leading", " spaces", "\tand", " tabs", "\n\n", "new", " lines", "  ", " trailing", "  "),
                Qwen2PreTokenizer.split("  leading spaces\tand tabs\n\nnew lines   trailing  "));
        assertEquals(List.of("x", "1", "0", "0"), Qwen2PreTokenizer.split("x100"));
        assertEquals(List.of("'S", "'LL", "'ſ"), Qwen2PreTokenizer.split("'S'LL'ſ"));
        assertEquals(List.of(" 👍🏽", " ﬁne"), Qwen2PreTokenizer.split(" 👍🏽 ﬁne"));
        assertEquals(List.of("收到好友", "，那份", "。"), Qwen2PreTokenizer.split("收到好友，那份。"));
        assertEquals(List.of(), Qwen2PreTokenizer.split(""));
    }

    @Test
    void agreesWithJavaRegexOnRandomText() {
        String[] alphabet = {"a", "Z", "é", "ſ", "中", "ア", "я", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000",
                "\u2028", "\u001c", "\u0085", "\u000b", "0", "٣", "²", "Ⅻ", "½", ".", ",", "!", "?", "-", "—", "'", "’",
                "\"", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'RE", "'x", "👍", "🏽", "\u200d", "\u0301",
                "$", "%", "<|", "|>", "[", "]", "_", "\u0000", "\uffff", "\uD800"};
        Random rnd = new Random(42);
        for (int trial = 0; trial < 3000; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(25);
            for (int i = 0; i < n; i++) sb.append(alphabet[rnd.nextInt(alphabet.length)]);
            String s = sb.toString();
            assertEquals(javaRegexSplit(s), Qwen2PreTokenizer.split(s), () -> "text: " + Qwen2TokenizerTest.escape(s));
        }
    }

    @Test
    void longWhitespaceRunsAreLinear() {
        String s = " ".repeat(200_000) + "a" + "\n".repeat(1000) + " ".repeat(1000);
        List<String> parts = Qwen2PreTokenizer.split(s);
        assertEquals(String.join("", parts), s);
        assertEquals(List.of(" ".repeat(199_999), " a", "\n".repeat(1000), " ".repeat(1000)), parts);
    }

    /** HF Split(behavior=isolated): matches and the gaps between them. */
    private static List<String> javaRegexSplit(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = JAVA_REGEX.matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) out.add(s.substring(last, m.start()));
            out.add(m.group());
            last = m.end();
        }
        if (last < s.length()) out.add(s.substring(last));
        return out;
    }
}
