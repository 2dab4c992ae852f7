package dev.cosyvoice4j.engine;

import java.util.Locale;

/**
 * How a streamed CosyVoice3 utterance's first chunk is delivered (docs/architecture.md, "Scheduling"). Every choice gives
 * the official samples; they differ in when the first audio leaves and in how much flow work a short utterance wastes.
 */
public enum FirstChunk {
    /** The official first chunk: 25 + pad tokens (+ 3 look-ahead), one flow call. */
    OFFICIAL,
    /**
     * Always {@link StreamSchedule#splitFirstChunk}: the prompt pad's tokens first (computed after pad + 3 tokens, half the
     * flow frames), sent once the utterance has the official first chunk's tokens. An utterance that ends sooner drops
     * the piece (the official code computes it in one full-attention call): its flow work is then wasted.
     */
    SPLIT,
    /**
     * {@link #SPLIT} when the utterance is expected to reach the official first chunk's tokens, {@link #OFFICIAL}
     * otherwise, decided when the pad's tokens exist: the expectation is the pinned or known token count, else
     * {@link #SPEECH_TOKENS_PER_TEXT_TOKEN} per text token (a text still arriving is expected to go on). A wrong guess
     * costs time only, never samples: a split that was not needed wastes the piece, an official chunk that could have
     * been split sends its audio later.
     */
    AUTO;

    /**
     * Speech tokens (25 Hz) per Qwen2 text token that {@link #AUTO} expects: the official seed benchmark's real-weight
     * runs made 63-69 tokens (2.52-2.76 s) from a 21-token English text, about 3 per text token; the LLM's own floor is
     * {@code min_token_text_ratio} = 2.
     */
    public static final int SPEECH_TOKENS_PER_TEXT_TOKEN = 3;

    /** The expected speech tokens of a text of {@code textTokens} ids, or {@code pinnedTokens} when pinned (> 0). */
    public static int expectedSpeechTokens(int textTokens, int pinnedTokens) {
        if (pinnedTokens > 0) return pinnedTokens;
        return (int) Math.min(Integer.MAX_VALUE, (long) textTokens * SPEECH_TOKENS_PER_TEXT_TOKEN);
    }

    /** {@code official}, {@code split} or {@code auto}, as flags spell them. */
    public static FirstChunk parse(String s) {
        for (FirstChunk f : values()) if (f.flag().equals(s.strip().toLowerCase(Locale.ROOT))) return f;
        throw new IllegalArgumentException("'" + s + "' is not auto, official or split");
    }

    /** The flag spelling: {@code auto}, {@code official}, {@code split}. */
    public String flag() { return name().toLowerCase(Locale.ROOT); }
}
