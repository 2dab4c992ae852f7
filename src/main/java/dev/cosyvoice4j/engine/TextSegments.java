package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.text.Qwen2Tokenizer;

import java.util.List;

/** Text to LLM segments and ids for one request (the text half of {@code CosyVoiceFrontEnd}). */
final class TextSegments {
    private final Qwen2Tokenizer tokenizer;

    TextSegments(Qwen2Tokenizer tokenizer) { this.tokenizer = tokenizer; }

    /** Prompt and instruction texts are never normalised (they contain {@code <|endofprompt|>}). */
    int[] encodePrompt(String text) { return tokenizer.encode(text); }

    List<String> segments(String text, boolean textFrontend) {
        return List.of(text);
    }
}
