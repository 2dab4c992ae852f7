package dev.cosyvoice4j.engine;

/**
 * The token-to-audio tail of one utterance ({@code token2wav} of the model family): {@link Token2Wav} for
 * CosyVoice3, {@link CosyVoice2Token2Wav} for CosyVoice2. All state is per utterance.
 */
@FunctionalInterface
interface AudioTail {
    /**
     * One call: {@code tokens} are all generated tokens the flow sees this time (with look-ahead when not finalizing),
     * {@code tokenOffset} the tokens already turned into audio; returns the new audio.
     */
    float[] next(int[] tokens, int tokenOffset, boolean streaming, boolean finalize);

    /** The utterance ended (normally, cancelled or failed): per-utterance resources (streaming caches) go back. */
    default void end() {}

    /** Opens the tail of one utterance. */
    @FunctionalInterface
    interface Factory {
        AudioTail open(VoicePrompt voice, double speed, StageTimings timings);
    }
}
