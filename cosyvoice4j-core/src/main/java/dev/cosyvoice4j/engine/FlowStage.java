package dev.cosyvoice4j.engine;

/**
 * Token-to-mel as {@code CausalMaskedDiffWithDiT.inference} computes it for one utterance: the mel frames of the
 * generated tokens (prompt frames removed; look-ahead tokens consumed when {@code !finalize}).
 */
public interface FlowStage {
    /**
     * @param tokens    generated speech tokens so far (for a non-final streaming call: including the 3 look-ahead)
     * @param prompt    the voice (flow prompt tokens, prompt mel, speaker embedding)
     * @param streaming chunk-causal DiT attention (true for non-final streaming calls)
     * @param finalize  last call of the utterance
     */
    Mel inference(int[] tokens, VoicePrompt prompt, boolean streaming, boolean finalize, StageTimings timings);

    /** The utterance ended (normally or not): per-utterance state (streaming caches) can be given back. */
    default void endUtterance() {}
}
