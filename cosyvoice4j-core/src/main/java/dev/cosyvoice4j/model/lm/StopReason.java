package dev.cosyvoice4j.model.lm;

/** Why a speech-token generation ended. */
public enum StopReason {
    /** A stop id (any id >= speech_token_size) was sampled; it is not emitted. */
    STOP_TOKEN,
    /** {@code max_len} tokens were generated without a stop id (the official loop ends silently). */
    MAX_LENGTH,
    /** The pinned token count was reached (benchmark mode). */
    PINNED_COUNT,
    /** The caller cancelled. */
    CANCELLED
}
