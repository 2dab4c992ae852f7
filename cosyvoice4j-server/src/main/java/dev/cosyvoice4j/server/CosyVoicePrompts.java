package dev.cosyvoice4j.server;

/**
 * CosyVoice3's system prompt around what API users send. The model expects {@code "You are a helpful assistant."}
 * then {@code <|endofprompt|>} before a zero-shot transcript, and an instruction ending in {@code <|endofprompt|>}
 * (the official examples, cosyvoice/cli/cosyvoice.py); OpenAI clients send the bare transcript or instruction.
 * Text that already carries {@code <|endofprompt|>} is used as it is.
 */
final class CosyVoicePrompts {
    static final String END_OF_PROMPT = "<|endofprompt|>";
    static final String SYSTEM = "You are a helpful assistant.";

    private CosyVoicePrompts() {}

    static String promptText(String transcript) {
        if (transcript == null || transcript.isBlank()) return null;
        return transcript.contains(END_OF_PROMPT) ? transcript : SYSTEM + END_OF_PROMPT + transcript;
    }

    /**
     * Cross-lingual text: CosyVoice3 reads the system prompt from the text itself (the official example passes
     * {@code "You are a helpful assistant.<|endofprompt|>..."} as tts_text). As in the official frontend, text with
     * this markup is not split into sentences.
     */
    static String crossLingualText(String input) {
        return input.contains(END_OF_PROMPT) ? input : SYSTEM + END_OF_PROMPT + input;
    }

    static String instruction(String instructions) {
        if (instructions == null || instructions.isBlank()) return null;
        return instructions.contains(END_OF_PROMPT) ? instructions : SYSTEM + " " + instructions.strip() + END_OF_PROMPT;
    }
}
