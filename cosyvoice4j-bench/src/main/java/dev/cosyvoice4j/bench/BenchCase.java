package dev.cosyvoice4j.bench;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One synthesis request of the benchmark (zero-shot): the text, the prompt WAV and its transcript (CosyVoice3
 * style, containing {@code <|endofprompt|>}), streaming or not, and {@code speechTokens}: when > 0 the target
 * must generate exactly that many speech tokens (ignore stop tokens; 25 tokens = 1 s of audio), as the peer
 * benchmark does, so that runs of different builds synthesise the same amount of audio; 0 = stop naturally.
 * {@code seed} seeds the sampler. {@code speaker}: {@link #NEW_SPEAKER} or {@link #SAVED_SPEAKER}.
 */
public record BenchCase(String text, Path promptWav, String promptText, boolean stream, int speechTokens, long seed,
                        String speaker) {
    /** The prompt voice analysed at every request ({@code --speaker new}). */
    public static final String NEW_SPEAKER = "new";
    /** The prompt voice saved once and referred to by name, as a server does ({@code --speaker saved}). */
    public static final String SAVED_SPEAKER = "saved";

    public BenchCase(String text, Path promptWav, String promptText, boolean stream, int speechTokens, long seed) {
        this(text, promptWav, promptText, stream, speechTokens, seed, NEW_SPEAKER);
    }

    public BenchCase {
        if (!NEW_SPEAKER.equals(speaker) && !SAVED_SPEAKER.equals(speaker)) {
            throw new IllegalArgumentException("--speaker: '" + speaker + "' is not saved or new");
        }
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(promptWav, "promptWav");
        Objects.requireNonNull(promptText, "promptText");
        if (text.isBlank()) throw new IllegalArgumentException("--text: must not be empty");
        if (speechTokens < 0) throw new IllegalArgumentException("--tokens: must be >= 0, got " + speechTokens);
    }
}
