package dev.cosyvoice4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ids themselves are pinned by the golden case tokenizer/encode (GoldenCasesTest); these test the rest. */
class Qwen2TokenizerTest {
    private final Qwen2Tokenizer tok = TextTestData.tokenizer();

    @Test
    void cosyVoice3SpecialTokensGetTheOfficialIds() {
        assertEquals(151924, tok.size());
        assertEquals(151387, tok.mergeCount());
        assertEquals(CosyVoice3SpecialTokens.END_OF_PROMPT_ID, tok.tokenToId("<|endofprompt|>"));
        assertEquals(151643, tok.tokenToId("<|endoftext|>"));
        assertEquals(151644, tok.tokenToId("<|im_start|>"));
        assertEquals(151647, tok.tokenToId("[breath]"));
        assertEquals(151923, tok.tokenToId("[ǜ]"));
        assertEquals(281, tok.addedTokens().size());
        assertEquals(280, CosyVoice3SpecialTokens.ADDITIONAL.size());
        for (int id = 151643; id <= 151923; id++) assertTrue(tok.isSpecial(id), "special " + id);
        assertFalse(tok.isSpecial(9707));
        assertEquals("Hello", tok.idToToken(9707));
        assertEquals(9707, tok.tokenToId("Hello"));
        assertEquals(-1, tok.tokenToId("no such token at all"));
        assertNull(tok.idToToken(151924));
        assertNull(tok.idToToken(-1));
    }

    @Test
    void emptyAndNullEncodeToNothing() {
        assertArrayEquals(new int[0], tok.encode(""));
        assertArrayEquals(new int[0], tok.encode(null));
        assertEquals("", tok.decode(new int[0], true));
    }

    @Test
    void matchesTheReferenceTokenizerOnRandomMixedText() {
        // 300 random strings (scripts, spaces, \r\n, digits, apostrophes, NFD, emoji, added tokens) encoded by
        // an independent Python implementation (regex module + classic BPE loop), see make_reference_vectors.py
        for (JsonNode v : TextTestData.vectors().get("tokenizer_random")) {
            String s = v.get(0).asText();
            assertArrayEquals(TextTestData.ints(v.get(1)), tok.encode(s), () -> "text: " + escape(s));
        }
    }

    @Test
    void addedTokensAreSplitLeftmostLongestAndNeverNormalised() {
        assertArrayEquals(new int[] {151647, 151647}, tok.encode("[breath][breath]"));
        assertArrayEquals(new int[] {151656}, tok.encode("<laughter>"));
        int[] ids = tok.encode("a<|endofprompt|>b");
        assertEquals(3, ids.length);
        assertEquals(151646, ids[1]);
        // an incomplete marker is ordinary text
        int[] partial = tok.encode("<|endofprompt|");
        assertTrue(Arrays.stream(partial).noneMatch(id -> id >= 151643));
        assertEquals("<|endofprompt|", tok.decode(partial, true));
        // added tokens are matched on the raw text: a decomposed ǐ is not the token [ǐ]
        assertFalse(Arrays.stream(tok.encode("[i\u030C]")).anyMatch(id -> id == 151913));
        assertArrayEquals(new int[] {151913}, tok.encode("[\u01D0]"));
    }

    @Test
    void decodeSkipsSpecialTokensAndUnknownIds() {
        int[] ids = tok.encode("<|endofprompt|>Hello[breath] world");
        assertEquals("Hello world", tok.decode(ids, true));
        assertEquals("<|endofprompt|>Hello[breath] world", tok.decode(ids, false));
        int[] withJunk = {-5, 9707, 151930, Integer.MAX_VALUE, 1879};
        assertEquals("Hello world", tok.decode(withJunk, false));
        // an incomplete UTF-8 sequence (the byte token of 0xC3 alone) decodes to U+FFFD instead of failing
        assertEquals("\uFFFD", tok.decode(new int[] {tok.tokenToId("\u00C3")}, true));
        assertEquals("é", tok.decode(tok.encode("é"), true));
    }

    @Test
    void neverThrowsAndRoundTripsOnRandomCodePoints() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 400; trial++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(60);
            for (int i = 0; i < len; i++) sb.append(randomChar(rnd));
            String s = sb.toString();
            int[] ids = tok.encode(s);
            for (int id : ids) assertTrue(id >= 0 && id < tok.size());
            String expected = Normalizer.normalize(Qwen2Tokenizer.replaceLoneSurrogates(s), Normalizer.Form.NFC);
            assertEquals(expected, tok.decode(ids, false), () -> "text: " + escape(s));
        }
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        String s = "a\uD800b\uDC00c\uD83D";
        assertEquals("a\uFFFDb\uFFFDc\uFFFD", tok.decode(tok.encode(s), false));
        assertEquals("😀", tok.decode(tok.encode("\uD83D\uDE00"), false));
    }

    @Test
    void longAndPathologicalInputs() {
        String spaces = " ".repeat(100_000) + "x";
        assertEquals(spaces, tok.decode(tok.encode(spaces), false));
        String letters = "a".repeat(50_000);
        assertEquals(letters, tok.decode(tok.encode(letters), false));
        String emoji = "👍🏽".repeat(5_000);
        assertEquals(emoji, tok.decode(tok.encode(emoji), false));
        String newlines = "\n \r\n\t".repeat(10_000);
        assertEquals(newlines, tok.decode(tok.encode(newlines), false));
        String controls = "\u0000\u0001\u001f\u007f\u0085\u200b\ufeff\uffff".repeat(1000);
        assertEquals(controls, tok.decode(tok.encode(controls), false));
    }

    @Test
    void aVocabularyEntryWithoutAMergePathIsNeverProduced(@TempDir Path dir) throws IOException {
        // "abc" is in the vocabulary but only "a b" is a merge: BPE yields [ab, c], as HF does
        writeTokenizer(dir, "{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4,\"bc\":5}", "#version: 0.2\na b\n");
        Qwen2Tokenizer t = Qwen2Tokenizer.load(dir, List.of());
        assertArrayEquals(new int[] {3, 2}, t.encode("abc"));
        // bytes the vocabulary lacks are dropped (no unk token), never an exception
        assertArrayEquals(new int[] {3}, t.encode("ab!"));
        assertEquals(6, t.size());
    }

    @Test
    void mergeRanksDecideTheOrder(@TempDir Path dir) throws IOException {
        // "b c" ranks before "a b": abc -> a + bc
        writeTokenizer(dir, "{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"bc\":4}", "b c\na b\n");
        assertArrayEquals(new int[] {0, 4}, Qwen2Tokenizer.load(dir, List.of()).encode("abc"));
        // equal pairs: leftmost first ("aaa" -> aa + a)
        writeTokenizer(dir, "{\"a\":0,\"aa\":1}", "a a\n");
        assertArrayEquals(new int[] {1, 0}, Qwen2Tokenizer.load(dir, List.of()).encode("aaa"));
        assertArrayEquals(new int[] {1, 1}, Qwen2Tokenizer.load(dir, List.of()).encode("aaaa"));
    }

    @Test
    void extraSpecialTokensGetNextIdsOrKeepExistingOnes(@TempDir Path dir) throws IOException {
        writeTokenizer(dir, "{\"a\":0,\"b\":1}", "");
        Qwen2Tokenizer t = Qwen2Tokenizer.load(dir, List.of("<x>", "a", "<y>"));
        assertEquals(2, t.tokenToId("<x>"));
        assertEquals(0, t.tokenToId("a"));
        assertEquals(3, t.tokenToId("<y>"));
        assertEquals(4, t.size());
        assertArrayEquals(new int[] {1, 2, 1, 3}, t.encode("b<x>b<y>"));
    }

    @Test
    void brokenFilesGiveModelFormatExceptionsNamingTheProblem(@TempDir Path dir) throws IOException {
        var missing = assertThrows(ModelFormatException.class, () -> Qwen2Tokenizer.load(dir, List.of()));
        assertTrue(missing.getMessage().contains("vocab.json"), missing.getMessage());

        writeTokenizer(dir, "{\"a\":0,\"b\":1}", "a b\n");
        var noMerged = assertThrows(ModelFormatException.class, () -> Qwen2Tokenizer.load(dir, List.of()));
        assertTrue(noMerged.getMessage().contains("line 1") && noMerged.getMessage().contains("'ab'"), noMerged.getMessage());

        writeTokenizer(dir, "{\"a\":0,\"b\":1,\"ab\":2}", "a b c\n");
        var threeParts = assertThrows(ModelFormatException.class, () -> Qwen2Tokenizer.load(dir, List.of()));
        assertTrue(threeParts.getMessage().contains("expected two tokens"), threeParts.getMessage());

        writeTokenizer(dir, "{\"a\":0,\"b\":\"x\"}", "");
        var badJson = assertThrows(ModelFormatException.class, () -> Qwen2Tokenizer.load(dir, List.of()));
        assertTrue(badJson.getMessage().contains("invalid JSON"), badJson.getMessage());

        writeTokenizer(dir, "{\"a\":0}", "");
        var notCv3 = assertThrows(ModelFormatException.class, () -> Qwen2Tokenizer.loadCosyVoice3(dir));
        assertTrue(notCv3.getMessage().contains("151646"), notCv3.getMessage());
    }

    @Test
    void vocabJsonEscapesAreDecoded(@TempDir Path dir) throws IOException {
        writeTokenizer(dir, "{\"\\u0041\":0, \"q\\\"\" : 1,\n\"\\\\\":2}", "");
        Qwen2Tokenizer t = Qwen2Tokenizer.load(dir, List.of());
        assertEquals(0, t.tokenToId("A"));
        assertEquals(1, t.tokenToId("q\""));
        assertEquals(2, t.tokenToId("\\"));
    }

    private static void writeTokenizer(Path dir, String vocab, String merges) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), vocab, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
    }

    private static String randomChar(Random rnd) {
        return switch (rnd.nextInt(10)) {
            case 0 -> String.valueOf((char) rnd.nextInt(0x20));                        // control characters
            case 1 -> String.valueOf((char) (0xD800 + rnd.nextInt(0x800)));           // lone surrogates
            case 2 -> Character.toString(0x1F300 + rnd.nextInt(0x400));               // emoji (surrogate pairs)
            case 3 -> " \t\n\r\u00a0\u3000\u2028".substring(rnd.nextInt(7)).substring(0, 1);
            case 4 -> String.valueOf((char) (0x300 + rnd.nextInt(0x70)));             // combining marks
            case 5 -> String.valueOf((char) (0x4E00 + rnd.nextInt(0x5200)));          // CJK
            case 6 -> "'sStTlLdDmM".substring(rnd.nextInt(11)).substring(0, 1);
            case 7 -> Character.toString(rnd.nextInt(0x110000));                      // anything at all
            default -> String.valueOf((char) (0x20 + rnd.nextInt(0x60)));              // ASCII
        };
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return sb.toString();
    }
}
