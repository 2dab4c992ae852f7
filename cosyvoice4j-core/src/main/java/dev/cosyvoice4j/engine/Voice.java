package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.frontend.PromptFeatures;

/**
 * An analysed prompt voice: aligned prompt features (tokens, mel, speaker embedding) and, for zero-shot, the prompt
 * text (system instruction + {@code <|endofprompt|>} + transcript). What {@code add_zero_shot_spk} keeps.
 */
public record Voice(PromptFeatures features, String promptText) {
    /** The flow's view of this voice. */
    public VoicePrompt flowPrompt() {
        return new VoicePrompt(features.speechTokens(), features.speechFeat(), features.featFrames(), features.embedding());
    }
}
