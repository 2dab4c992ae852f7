package dev.cosyvoice4j.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One synthesis job. Build with {@link #builder(Mode)}; {@link #validate()} names the first missing or
 * inconsistent field.
 *
 * @param text          text to speak (all modes but voice conversion)
 * @param promptText    zero-shot: system instruction + {@code <|endofprompt|>} + transcript of the prompt audio
 * @param instructText  instruct2: the instruction, ending in {@code <|endofprompt|>}
 * @param promptWav     the voice to clone (or {@code speakerId} of a saved voice instead)
 * @param sourceWav     voice conversion: the recording to re-voice
 * @param speed         speech rate factor (offline only, as the official code)
 * @param seed          sampling seed (same seed, same tokens)
 * @param argmax        greedy decoding instead of RAS sampling
 * @param stream        emit audio while it is generated
 * @param textFrontend  normalise and split the text as the official frontend does (false: one segment, as is)
 * @param pinnedTokens  if > 0, generate exactly this many speech tokens ignoring stop tokens (benchmarks)
 */
public record SynthesisRequest(Mode mode, String text, String promptText, String instructText, Path promptWav,
                               String speakerId, Path sourceWav, double speed, long seed, boolean argmax,
                               boolean stream, boolean textFrontend, int pinnedTokens) {

    public static Builder builder(Mode mode) { return new Builder(mode); }

    /** This request with another text. */
    public SynthesisRequest withText(String newText) {
        return new SynthesisRequest(mode, newText, promptText, instructText, promptWav, speakerId, sourceWav, speed, seed,
                argmax, stream, textFrontend, pinnedTokens);
    }

    /** Throws IllegalArgumentException naming the first problem. */
    public SynthesisRequest validate() {
        Objects.requireNonNull(mode, "mode");
        boolean hasVoice = promptWav != null || speakerId != null;
        if (!hasVoice) throw new IllegalArgumentException("a prompt voice is required (prompt audio or a saved speaker id)");
        if (promptWav != null && speakerId != null) throw new IllegalArgumentException("give either prompt audio or a speaker id, not both");
        switch (mode) {
            case VOICE_CONVERSION -> {
                if (sourceWav == null) throw new IllegalArgumentException("voice conversion needs source audio");
            }
            case ZERO_SHOT -> {
                requireText();
                if (speakerId == null && (promptText == null || promptText.isBlank())) {
                    throw new IllegalArgumentException("zero-shot needs the prompt text (transcript of the prompt audio)");
                }
            }
            case INSTRUCT2 -> {
                requireText();
                if (instructText == null || instructText.isBlank()) throw new IllegalArgumentException("instruct2 needs an instruction text");
            }
            case CROSS_LINGUAL -> requireText();
        }
        if (!(speed >= 0.25 && speed <= 4.0)) throw new IllegalArgumentException("speed must be in [0.25, 4], got " + speed);
        if (speed != 1.0 && stream) throw new IllegalArgumentException("speed can only be changed without streaming (as the official engine)");
        if (pinnedTokens < 0 || pinnedTokens > 100_000) throw new IllegalArgumentException("pinned token count out of range: " + pinnedTokens);
        return this;
    }

    private void requireText() {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("text to synthesise is empty");
    }

    /** Builder with the official defaults (speed 1, seed 0, RAS sampling, offline, text frontend on). */
    public static final class Builder {
        private final Mode mode;
        private String text, promptText, instructText, speakerId;
        private Path promptWav, sourceWav;
        private double speed = 1.0;
        private long seed;
        private boolean argmax, stream, textFrontend = true, defaultSystemPrompt;
        private int pinnedTokens;

        private Builder(Mode mode) { this.mode = mode; }

        public Builder text(String v) { text = v; return this; }
        public Builder promptText(String v) { promptText = v; return this; }
        public Builder instructText(String v) { instructText = v; return this; }
        public Builder promptWav(Path v) { promptWav = v; return this; }
        public Builder speakerId(String v) { speakerId = v; return this; }
        public Builder sourceWav(Path v) { sourceWav = v; return this; }
        public Builder speed(double v) { speed = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder argmax(boolean v) { argmax = v; return this; }
        public Builder stream(boolean v) { stream = v; return this; }
        public Builder textFrontend(boolean v) { textFrontend = v; return this; }

        /**
         * Off by default (the official strictness: CosyVoice3 needs {@code <|endofprompt|>}). When on, a zero-shot
         * prompt text, an instruction or a cross-lingual text without it gets the official default system prompt
         * ({@link SystemPrompts}), as NVIDIA's runtime and the server do for people who send a bare transcript.
         */
        public Builder defaultSystemPrompt(boolean v) { defaultSystemPrompt = v; return this; }
        public Builder pinnedTokens(int v) { pinnedTokens = v; return this; }

        public SynthesisRequest build() {
            String t = text, p = promptText, i = instructText;
            if (defaultSystemPrompt) {
                p = SystemPrompts.promptText(p);
                i = SystemPrompts.instruction(i);
                if (mode == Mode.CROSS_LINGUAL) t = SystemPrompts.crossLingualText(t);
            }
            return new SynthesisRequest(mode, t, p, i, promptWav, speakerId, sourceWav, speed,
                    seed, argmax, stream, textFrontend, pinnedTokens).validate();
        }
    }
}
