package dev.cosyvoice4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expected values come from the official Python functions (reference-vectors.json, make_reference_vectors.py). */
class FrontendUtilsTest {
    private final JsonNode vectors = TextTestData.vectors();

    @Test
    void numberToWordsMatchesInflect() {
        for (JsonNode v : vectors.get("number_to_words")) {
            String digits = v.get(0).asText();
            assertEquals(v.get(1).asText(), InflectNumbers.digitRunToWords(digits), digits);
        }
    }

    @Test
    void numbersBeyondInflectsRangeAreReadDigitByDigit() {
        // inflect raises NumOutOfRangeError above 36 significant digits; the port must not throw
        assertEquals("one " + "zero ".repeat(36).strip(), InflectNumbers.digitRunToWords("1" + "0".repeat(36)));
        assertEquals("nine hundred and ninety-nine decillion, nine hundred and ninety-nine nonillion, "
                        + "nine hundred and ninety-nine octillion, nine hundred and ninety-nine septillion, "
                        + "nine hundred and ninety-nine sextillion, nine hundred and ninety-nine quintillion, "
                        + "nine hundred and ninety-nine quadrillion, nine hundred and ninety-nine trillion, "
                        + "nine hundred and ninety-nine billion, nine hundred and ninety-nine million, "
                        + "nine hundred and ninety-nine thousand, nine hundred and ninety-nine",
                InflectNumbers.digitRunToWords("9".repeat(36)));
    }

    @Test
    void spellOutNumberMatchesOfficial() {
        for (JsonNode v : vectors.get("spell_out_number")) {
            assertEquals(v.get(1).asText(), FrontendUtils.spellOutNumber(v.get(0).asText()), v.get(0).asText());
        }
    }

    @Test
    void replaceBlankMatchesOfficial() {
        for (JsonNode v : vectors.get("replace_blank")) {
            assertEquals(v.get(1).asText(), FrontendUtils.replaceBlank(v.get(0).asText()), v.get(0).asText());
        }
        assertEquals("ab", FrontendUtils.replaceBlank("ab "), "Python raises IndexError here; the port drops the space");
    }

    @Test
    void isOnlyPunctuationMatchesOfficial() {
        for (JsonNode v : vectors.get("is_only_punctuation")) {
            assertEquals(v.get(1).asBoolean(), FrontendUtils.isOnlyPunctuation(v.get(0).asText()), v.get(0).asText());
        }
    }

    @Test
    void splitParagraphMatchesOfficialWithAWordCounter() {
        ToIntFunction<String> pythonSplitCount = s -> {
            String t = FrontendUtils.pyStrip(s);
            return t.isEmpty() ? 0 : t.split("[\\s\\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+").length;
        };
        for (JsonNode v : vectors.get("split_paragraph_words")) {
            FrontendUtils.Lang lang = v.get(0).asText().equals("zh") ? FrontendUtils.Lang.ZH : FrontendUtils.Lang.EN;
            String text = v.get(1).asText();
            boolean comma = v.get(2).asBoolean();
            List<String> expected = new ArrayList<>();
            v.get(3).forEach(n -> expected.add(n.asText()));
            assertEquals(expected, FrontendUtils.splitParagraph(text, pythonSplitCount, lang, 20, 10, 5, comma),
                    lang + " comma=" + comma + ": " + text);
        }
    }

    @Test
    void splitParagraphEdgeCasesThatRaiseInPython() {
        assertEquals(List.of(), FrontendUtils.splitParagraph("", s -> 0, FrontendUtils.Lang.EN, 80, 60, 20, false));
        // a quote right after a mark with no sentence before it: Python pops from an empty list
        assertEquals(List.of("\".x."), FrontendUtils.splitParagraph(".\".x", String::length, FrontendUtils.Lang.EN, 80, 60, 0, false));
    }

    @Test
    void pythonCharacterClasses() {
        assertTrue(FrontendUtils.containsChinese("abc中"));
        assertFalse(FrontendUtils.containsChinese("abc，。ア"));
        assertEquals("x", FrontendUtils.pyStrip("\u001c\u3000 x\u0085\u00a0\n"));
        assertTrue(FrontendUtils.pyIsDigit('²'));
        assertTrue(FrontendUtils.pyIsDigit('٣'));
        assertTrue(FrontendUtils.pyIsDigit(0x1F101));
        assertFalse(FrontendUtils.pyIsDigit('½'));
        assertFalse(FrontendUtils.pyIsDigit('Ⅻ'));
        assertEquals(3, FrontendUtils.pyLen("a😀b"));
        assertEquals("面积平方立方", FrontendUtils.replaceCornerMark("面积²³"));
        assertEquals("括号 x", FrontendUtils.removeBracket("（括号）【】`——x"));
    }
}
