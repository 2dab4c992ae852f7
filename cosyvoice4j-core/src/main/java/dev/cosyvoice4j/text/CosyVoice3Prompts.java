package dev.cosyvoice4j.text;

import java.util.List;

/**
 * CosyVoice3's prompt-text conventions. The official {@code CosyVoice3LM.inference} asserts that
 * {@code <|endofprompt|>} (id 151646) occurs in {@code prompt_text ++ text} (cosyvoice/llm/llm.py); the part
 * before it is a system instruction. How the official modes fill the two (cosyvoice/cli/cosyvoice.py,
 * frontend.py, example.py):
 * <ul>
 * <li>zero-shot ({@code inference_zero_shot}): prompt text = system instruction + {@code <|endofprompt|>} +
 *     transcript of the prompt audio, e.g. {@code "You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。"};
 *     text = each normalised segment. See {@link #zeroShotPromptText}.</li>
 * <li>cross-lingual ({@code inference_cross_lingual}): no prompt text; the text itself carries the prefix,
 *     e.g. {@code "You are a helpful assistant.<|endofprompt|>[breath]因为..."}, and is therefore neither
 *     normalised nor split (it contains {@code <|...|>}). See {@link #crossLingualText}.</li>
 * <li>instruct2 ({@code inference_instruct2} / {@code frontend_instruct2}): prompt text = the instruction as
 *     given (never normalised), e.g. {@code "You are a helpful assistant. 请用广东话表达。<|endofprompt|>"}
 *     ({@link #INSTRUCTIONS}); text = each normalised segment; the prompt speech tokens are not given to the
 *     LLM. See {@link #instruct2PromptText}.</li>
 * </ul>
 */
public final class CosyVoice3Prompts {
    private CosyVoice3Prompts() {}

    /** The system instruction of the official examples. */
    public static final String DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant.";

    /** The supported instructions of cosyvoice/utils/common.py {@code instruct_list}, verbatim. */
    public static final List<String> INSTRUCTIONS = List.of(
            "You are a helpful assistant. 请用广东话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用东北话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用甘肃话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用贵州话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用河南话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用湖北话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用湖南话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用江西话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用闽南话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用宁夏话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用山西话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用陕西话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用山东话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用上海话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用四川话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用天津话表达。<|endofprompt|>",
            "You are a helpful assistant. 请用云南话表达。<|endofprompt|>",
            "You are a helpful assistant. Please say a sentence as loudly as possible.<|endofprompt|>",
            "You are a helpful assistant. Please say a sentence in a very soft voice.<|endofprompt|>",
            "You are a helpful assistant. 请用尽可能慢地语速说一句话。<|endofprompt|>",
            "You are a helpful assistant. 请用尽可能快地语速说一句话。<|endofprompt|>",
            "You are a helpful assistant. 请非常开心地说一句话。<|endofprompt|>",
            "You are a helpful assistant. 请非常伤心地说一句话。<|endofprompt|>",
            "You are a helpful assistant. 请非常生气地说一句话。<|endofprompt|>",
            "You are a helpful assistant. 我想体验一下小猪佩奇风格，可以吗？<|endofprompt|>",
            "You are a helpful assistant. 你可以尝试用机器人的方式解答吗？<|endofprompt|>"
    );

    /**
     * Zero-shot prompt text for a prompt-audio transcript: {@code DEFAULT_SYSTEM_PROMPT + "<|endofprompt|>" +
     * transcript}, or the transcript unchanged if it already contains {@code <|endofprompt|>}.
     */
    public static String zeroShotPromptText(String transcript) {
        String t = transcript == null ? "" : transcript;
        if (t.contains(CosyVoice3SpecialTokens.END_OF_PROMPT)) return t;
        return DEFAULT_SYSTEM_PROMPT + CosyVoice3SpecialTokens.END_OF_PROMPT + t;
    }

    /**
     * Cross-lingual text: {@code DEFAULT_SYSTEM_PROMPT + "<|endofprompt|>" + text}, or the text unchanged if
     * it already contains {@code <|endofprompt|>}. As in the official code, such a text is then one segment,
     * not normalised.
     */
    public static String crossLingualText(String text) { return zeroShotPromptText(text); }

    /**
     * Instruct2 prompt text in the form of the official instruction list:
     * {@code "You are a helpful assistant. " + instruction + "<|endofprompt|>"}, or the instruction unchanged
     * if it already contains {@code <|endofprompt|>} (e.g. an entry of {@link #INSTRUCTIONS}).
     */
    public static String instruct2PromptText(String instruction) {
        String t = instruction == null ? "" : instruction.strip();
        if (t.contains(CosyVoice3SpecialTokens.END_OF_PROMPT)) return t;
        return DEFAULT_SYSTEM_PROMPT + " " + t + CosyVoice3SpecialTokens.END_OF_PROMPT;
    }

    /** Whether {@code ids} contain the {@code <|endofprompt|>} id. */
    public static boolean containsEndOfPrompt(int[] ids) {
        if (ids == null) return false;
        for (int id : ids) if (id == CosyVoice3SpecialTokens.END_OF_PROMPT_ID) return true;
        return false;
    }

    /**
     * The official LLM's assertion, as a clear error: {@code <|endofprompt|>} must be in the prompt-text ids or
     * the text ids.
     *
     * @throws IllegalArgumentException naming the problem and the fix
     */
    public static void requireEndOfPrompt(int[] promptTextIds, int[] textIds) {
        if (containsEndOfPrompt(promptTextIds) || containsEndOfPrompt(textIds)) return;
        throw new IllegalArgumentException(missingMessage());
    }

    /** {@link #requireEndOfPrompt(int[], int[])} on strings (before tokenising; same outcome). */
    public static void requireEndOfPrompt(String promptText, String text) {
        String eop = CosyVoice3SpecialTokens.END_OF_PROMPT;
        if ((promptText != null && promptText.contains(eop)) || (text != null && text.contains(eop))) return;
        throw new IllegalArgumentException(missingMessage());
    }

    private static String missingMessage() {
        return "CosyVoice3 needs " + CosyVoice3SpecialTokens.END_OF_PROMPT + " in the prompt text or the text: "
                + "zero-shot prompt text = '" + DEFAULT_SYSTEM_PROMPT + CosyVoice3SpecialTokens.END_OF_PROMPT
                + "' + transcript of the prompt audio; cross-lingual text = '" + DEFAULT_SYSTEM_PROMPT
                + CosyVoice3SpecialTokens.END_OF_PROMPT + "' + text; instruct2 instruction = '"
                + DEFAULT_SYSTEM_PROMPT + " <instruction>" + CosyVoice3SpecialTokens.END_OF_PROMPT + "'";
    }
}
