package dev.cosyvoice4j.frontend.audio;

import java.nio.file.Path;

/**
 * Audio longer than the caller's limit (for prompts: {@code FrontendOptions.maxPromptSeconds}, 30 s by
 * default like the official speech tokenizer's assert). Raised from the WAV header alone, before any sample is
 * read, so a very long file fails fast.
 */
public class AudioTooLongException extends IllegalArgumentException {
    private final double seconds;
    private final double limitSeconds;

    public AudioTooLongException(Path file, double seconds, double limitSeconds, String why) {
        super(String.format("%s: audio is %.2f s long; the limit is %.1f s (%s)", file, seconds, limitSeconds, why));
        this.seconds = seconds;
        this.limitSeconds = limitSeconds;
    }

    public double seconds() { return seconds; }

    public double limitSeconds() { return limitSeconds; }
}
