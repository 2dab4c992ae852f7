package dev.cosyvoice4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextFrontendTest {
    private final TextFrontend frontend = new TextFrontend(TextTestData.tokenizer());

    @Test
    void matchesOfficialTextNormalizeWithoutNormaliser() {
        // expected: CosyVoiceFrontEnd.text_normalize with no ttsfrd/wetext, English lengths counted with the
        // fixture tokenizer (reference-vectors.json)
        for (JsonNode v : TextTestData.vectors().get("text_normalize")) {
            String text = v.get(0).asText();
            JsonNode segs = v.get(1);
            if (segs.isNull()) { // Python raises IndexError (whitespace-only text): no segment here
                assertEquals(List.of(), frontend.segments(text, true), text);
                assertEquals("", frontend.normalize(text, true), text);
                continue;
            }
            List<String> expected = new ArrayList<>();
            segs.forEach(n -> expected.add(n.asText()));
            assertEquals(expected, frontend.segments(text, true), text);
            assertEquals(v.get(2).asText(), frontend.normalize(text, true), text);
        }
    }

    @Test
    void englishSplitsIntoSegmentsOfAboutEightyTokens() {
        String sentence = "This is sentence number %d of a long paragraph that keeps going. ";
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 40; i++) sb.append(String.format(sentence, i));
        List<String> segs = frontend.segments(sb.toString(), true);
        assertTrue(segs.size() > 3, segs.toString());
        for (String s : segs.subList(0, segs.size() - 1)) {
            int n = TextTestData.tokenizer().encode(s).length;
            assertTrue(n > TextFrontend.TOKEN_MIN_N && n <= TextFrontend.TOKEN_MAX_N + 20, n + ": " + s);
        }
        assertEquals(frontend.normalize(sb.toString(), true), String.join("", segs));
    }

    @Test
    void chineseSplitsAfterSentencePunctuationWithinEightyCharacters() {
        String text = "这是第一句话，它有一些内容，用来测试长段落的切分是否正确。".repeat(8);
        List<String> segs = frontend.segments(text, true);
        assertEquals(String.join("", segs), text);
        for (String s : segs) {
            assertTrue(s.endsWith("。"), s);
            assertTrue(FrontendUtils.pyLen(s) <= 90, s);
        }
        assertTrue(segs.size() >= 3);
    }

    @Test
    void markupAndDisabledFrontendKeepTheTextAsOneSegment() {
        String cross = "You are a helpful assistant.<|endofprompt|>[breath]因为他们那一辈人。在乡里面住的要习惯一点 123.";
        assertEquals(List.of(cross), frontend.segments(cross, true));
        assertEquals(cross, frontend.normalize(cross, true));
        String plain = "  Call 555 now.  Then again!  ";
        assertEquals(List.of(plain), frontend.segments(plain, false));
        assertEquals(plain, frontend.normalize(plain, false));
        assertEquals(List.of(""), frontend.segments("", true));
        assertEquals(List.of(""), frontend.segments(null, true));
    }

    @Test
    void onlyPunctuationSegmentsAreDropped() {
        assertEquals(List.of(), frontend.segments("...", true));
        assertEquals(List.of(), frontend.segments("。！？", true));
        assertEquals(List.of("Hi."), frontend.segments("Hi", true));
    }

    @Test
    void neverThrowsOnRandomText() {
        Random rnd = new Random(3);
        String[] pieces = {"中", "文", "a", "B", " ", "  ", "\n", "\t", "。", "，", ",", "、", ".", "?", "!", ";", ":", "\"",
                "”", "1", "23", "²", "③", "٣", " - ", "（", "）", "【", "——", "`", "😀", "\uD800", "\u0000", "<|", "|>",
                "[breath]", "'s", "\u3000", "\u00a0"};
        for (int trial = 0; trial < 500; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int i = 0; i < n; i++) sb.append(pieces[rnd.nextInt(pieces.length)]);
            String s = sb.toString();
            for (boolean tf : new boolean[] {true, false}) {
                List<String> segs = frontend.segments(s, tf);
                assertNotNull(segs);
                assertNotNull(frontend.normalize(s, tf));
                for (String seg : segs) TextTestData.tokenizer().encode(seg);
            }
        }
        String huge = "word ".repeat(20_000) + "中文".repeat(5_000);
        assertTrue(frontend.segments(huge, true).size() >= 1);
    }
}
