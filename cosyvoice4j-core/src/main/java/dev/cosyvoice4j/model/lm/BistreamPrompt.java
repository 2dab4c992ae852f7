package dev.cosyvoice4j.model.lm;

import java.util.Arrays;

/**
 * The prompt of {@code CosyVoice3LM.inference_bistream}: {@code prompt_text} split after {@code <|endofprompt|>}
 * into the prefix fed right after sos and the transcript that starts the {@code text_cache}, and the LLM prompt
 * speech tokens (empty for instruct2). Golden cases: {@code bistream/*}.
 */
public record BistreamPrompt(int[] prefixIds, int[] transcriptIds, int[] speechTokens) {
    public BistreamPrompt {
        prefixIds = prefixIds.clone();
        transcriptIds = transcriptIds.clone();
        speechTokens = speechTokens.clone();
    }

    /**
     * Splits {@code promptTextIds} after the first {@code <|endofprompt|>} (151646).
     *
     * @throws IllegalArgumentException when the prompt text has no {@code <|endofprompt|>}: in text-in streaming
     *                                  the text comes later, so the prompt must carry it
     */
    public static BistreamPrompt of(int[] promptTextIds, int[] promptSpeechTokens) {
        for (int i = 0; i < promptTextIds.length; i++) {
            if (promptTextIds[i] == CosyVoice3LM.ENDOFPROMPT_TOKEN_ID) {
                return new BistreamPrompt(Arrays.copyOf(promptTextIds, i + 1),
                        Arrays.copyOfRange(promptTextIds, i + 1, promptTextIds.length), promptSpeechTokens);
            }
        }
        throw new IllegalArgumentException("<|endofprompt|> (id " + CosyVoice3LM.ENDOFPROMPT_TOKEN_ID
                + ") not found in the prompt text: text-in streaming needs it in the prompt, e.g. "
                + "'You are a helpful assistant.<|endofprompt|>...'");
    }

    /**
     * CosyVoice2's {@code Qwen2LM.inference_bistream}: no prefix (lm_input starts as the bare sos), the whole prompt
     * text starts the {@code text_cache}; {@code <|endofprompt|>} is not required.
     */
    public static BistreamPrompt cosyVoice2(int[] promptTextIds, int[] promptSpeechTokens) {
        return new BistreamPrompt(new int[0], promptTextIds, promptSpeechTokens);
    }

    /** sos + the prefix: the rows of lm_input before any prompt speech group. */
    int initialRows() { return 1 + prefixIds.length + transcriptIds.length + speechTokens.length + 8; }
}
