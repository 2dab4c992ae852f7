package dev.cosyvoice4j.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CosyVoice3PromptsTest {
    private final Qwen2Tokenizer tok = TextTestData.tokenizer();

    @Test
    void buildsTheOfficialPromptForms() {
        assertEquals("You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。",
                CosyVoice3Prompts.zeroShotPromptText("希望你以后能够做的比我还好呦。"));
        String given = "You are a helpful assistant.<|endofprompt|>hello";
        assertEquals(given, CosyVoice3Prompts.zeroShotPromptText(given));
        assertEquals("You are a helpful assistant.<|endofprompt|>[breath]因为", CosyVoice3Prompts.crossLingualText("[breath]因为"));
        assertEquals("You are a helpful assistant. 请用广东话表达。<|endofprompt|>", CosyVoice3Prompts.instruct2PromptText("请用广东话表达。"));
        for (String official : CosyVoice3Prompts.INSTRUCTIONS) {
            assertEquals(official, CosyVoice3Prompts.instruct2PromptText(official));
            String instruction = official.substring("You are a helpful assistant. ".length(), official.length() - "<|endofprompt|>".length());
            assertEquals(official, CosyVoice3Prompts.instruct2PromptText(instruction));
        }
        assertEquals(26, CosyVoice3Prompts.INSTRUCTIONS.size());
    }

    @Test
    void endOfPromptCheckGivesAClearError() {
        int[] prompt = tok.encode(CosyVoice3Prompts.zeroShotPromptText("transcript"));
        int[] text = tok.encode("Hello there.");
        assertDoesNotThrow(() -> CosyVoice3Prompts.requireEndOfPrompt(prompt, text));
        assertDoesNotThrow(() -> CosyVoice3Prompts.requireEndOfPrompt(new int[0], tok.encode(CosyVoice3Prompts.crossLingualText("x"))));
        var e = assertThrows(IllegalArgumentException.class,
                () -> CosyVoice3Prompts.requireEndOfPrompt(tok.encode("transcript only"), text));
        assertTrue(e.getMessage().contains("<|endofprompt|>") && e.getMessage().contains("zero-shot"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CosyVoice3Prompts.requireEndOfPrompt("a", "b"));
        assertDoesNotThrow(() -> CosyVoice3Prompts.requireEndOfPrompt(null, "x<|endofprompt|>y"));
        assertThrows(IllegalArgumentException.class, () -> CosyVoice3Prompts.requireEndOfPrompt((int[]) null, null));
    }
}
