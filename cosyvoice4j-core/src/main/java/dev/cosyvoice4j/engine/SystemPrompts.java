package dev.cosyvoice4j.engine;

/**
 * CosyVoice3's system prompt around what people type. The model expects {@code "You are a helpful assistant."} then
 * {@code <|endofprompt|>} before a zero-shot transcript, an instruction ending in {@code <|endofprompt|>}, and a
 * cross-lingual text that carries the prompt itself (the official examples, cosyvoice/cli/cosyvoice.py and
 * example.py). Text that already contains {@code <|endofprompt|>} is returned as it is. The engine itself keeps the
 * official strictness unless a request asks for these defaults ({@link SynthesisRequest.Builder#defaultSystemPrompt}).
 */
public final class SystemPrompts {
    public static final String END_OF_PROMPT = "<|endofprompt|>";
    public static final String DEFAULT = "You are a helpful assistant.";

    private SystemPrompts() {}

    /** A zero-shot prompt text: the default system prompt before a bare transcript; null or blank gives null. */
    public static String promptText(String transcript) {
        if (transcript == null || transcript.isBlank()) return null;
        return transcript.contains(END_OF_PROMPT) ? transcript : DEFAULT + END_OF_PROMPT + transcript;
    }

    /** An instruct2 instruction: {@code "You are a helpful assistant. <instruction><|endofprompt|>"}. */
    public static String instruction(String instruction) {
        if (instruction == null || instruction.isBlank()) return null;
        return instruction.contains(END_OF_PROMPT) ? instruction : DEFAULT + " " + instruction.strip() + END_OF_PROMPT;
    }

    /** A cross-lingual text (as in the official frontend, text with this markup is not split into sentences). */
    public static String crossLingualText(String text) {
        if (text == null || text.isBlank()) return null;
        return text.contains(END_OF_PROMPT) ? text : DEFAULT + END_OF_PROMPT + text;
    }
}
