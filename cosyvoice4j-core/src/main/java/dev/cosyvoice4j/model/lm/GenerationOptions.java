package dev.cosyvoice4j.model.lm;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Options of one speech-token generation.
 *
 * @param pinnedTokens when > 0, generate exactly this many tokens: every stop id is masked before sampling and
 *                     {@code min_len}/{@code max_len} are ignored (benchmarks with random weights). 0 = the
 *                     official stop rules.
 * @param cancelled    polled before every step; true ends the generation with {@link StopReason#CANCELLED}
 * @param listener     per-step timing hooks
 */
public record GenerationOptions(int pinnedTokens, BooleanSupplier cancelled, LmStepListener listener) {
    public static final GenerationOptions DEFAULT = new GenerationOptions(0, () -> false, LmStepListener.NONE);

    public GenerationOptions {
        if (pinnedTokens < 0) throw new IllegalArgumentException("pinnedTokens must be >= 0, got " + pinnedTokens);
        Objects.requireNonNull(cancelled, "cancelled");
        Objects.requireNonNull(listener, "listener");
    }

    public static GenerationOptions pinned(int tokens) {
        if (tokens < 1) throw new IllegalArgumentException("pinned token count must be >= 1, got " + tokens);
        return new GenerationOptions(tokens, () -> false, LmStepListener.NONE);
    }

    public GenerationOptions withCancellation(BooleanSupplier c) { return new GenerationOptions(pinnedTokens, c, listener); }

    public GenerationOptions withListener(LmStepListener l) { return new GenerationOptions(pinnedTokens, cancelled, l); }

    public boolean isPinned() { return pinnedTokens > 0; }
}
