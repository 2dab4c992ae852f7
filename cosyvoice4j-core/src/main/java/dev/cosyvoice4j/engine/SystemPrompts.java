package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.config.ModelFamily;

/**
 * CosyVoice3's system prompt around what people type. The model expects {@code "You are a helpful assistant."} then
 * {@code <|endofprompt|>} before a zero-shot transcript, an instruction ending in {@code <|endofprompt|>}, and a
 * cross-lingual text that carries the prompt itself (the official examples, cosyvoice/cli/cosyvoice.py and
 * example.py). Text that already contains {@code <|endofprompt|>} is returned as it is. The engine itself keeps the
 * official strictness unless a request asks for these defaults ({@link SynthesisRequest.Builder#defaultSystemPrompt}).
 * CosyVoice2 has no system prompt: the {@link ModelFamily} overloads leave its transcripts and texts as they are and
 * only end an instruction with {@code <|endofprompt|>} (the official CosyVoice2 examples, e.g.
 * {@code '用四川话说这句话<|endofprompt|>'}).
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

    /** {@link #promptText(String)} for CosyVoice3; CosyVoice2's plain transcript (null or blank gives null). */
    public static String promptText(ModelFamily family, String transcript) {
        if (family != ModelFamily.COSYVOICE2) return promptText(transcript);
        return transcript == null || transcript.isBlank() ? null : transcript;
    }

    /** {@link #instruction(String)} for CosyVoice3; for CosyVoice2 the instruction ending in {@code <|endofprompt|>}. */
    public static String instruction(ModelFamily family, String instruction) {
        if (family != ModelFamily.COSYVOICE2) return instruction(instruction);
        if (instruction == null || instruction.isBlank()) return null;
        return instruction.contains(END_OF_PROMPT) ? instruction : instruction.strip() + END_OF_PROMPT;
    }

    /** {@link #crossLingualText(String)} for CosyVoice3; CosyVoice2's text as it is. */
    public static String crossLingualText(ModelFamily family, String text) {
        if (family != ModelFamily.COSYVOICE2) return crossLingualText(text);
        return text == null || text.isBlank() ? null : text;
    }
}
