package dev.cosyvoice4j.model.lm;

/**
 * The token ids the LLM is prompted with, per synthesis mode, as {@code cosyvoice/cli/frontend.py} leaves them in
 * {@code model_input} (a key it deletes becomes an empty array, the default of {@code CosyVoice3Model.tts}):
 * <ul>
 *   <li>zero-shot ({@code frontend_zero_shot}): prompt_text = system prompt + transcript, prompt speech tokens;</li>
 *   <li>cross-lingual ({@code frontend_cross_lingual}): deletes {@code prompt_text} and
 *       {@code llm_prompt_speech_token}, so only the text (which must itself contain {@code <|endofprompt|>});</li>
 *   <li>instruct2 ({@code frontend_instruct2}): prompt_text = the instruction, {@code llm_prompt_speech_token}
 *       deleted.</li>
 * </ul>
 * Voice conversion does not run the LLM. Only {@code textIds} count for min/max length.
 *
 * @param promptTextIds      ids of prompt_text (may be empty)
 * @param textIds            ids of the text to synthesise
 * @param promptSpeechTokens LLM prompt speech tokens (may be empty)
 */
public record LmPrompt(int[] promptTextIds, int[] textIds, int[] promptSpeechTokens) {
    private static final int[] NONE = new int[0];

    public LmPrompt {
        promptTextIds = promptTextIds == null ? NONE : promptTextIds.clone();
        textIds = textIds == null ? NONE : textIds.clone();
        promptSpeechTokens = promptSpeechTokens == null ? NONE : promptSpeechTokens.clone();
    }

    /** {@code frontend_zero_shot}: prompt text (system prompt + transcript), text, prompt speech tokens. */
    public static LmPrompt zeroShot(int[] promptTextIds, int[] textIds, int[] promptSpeechTokens) {
        return new LmPrompt(promptTextIds, textIds, promptSpeechTokens);
    }

    /** {@code frontend_cross_lingual}: no prompt text, no prompt speech tokens. */
    public static LmPrompt crossLingual(int[] textIds) {
        return new LmPrompt(NONE, textIds, NONE);
    }

    /** {@code frontend_instruct2}: the instruction is the prompt text; no prompt speech tokens. */
    public static LmPrompt instruct2(int[] instructTextIds, int[] textIds) {
        return new LmPrompt(instructTextIds, textIds, NONE);
    }
}
