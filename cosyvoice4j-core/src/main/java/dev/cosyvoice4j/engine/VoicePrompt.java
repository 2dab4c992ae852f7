package dev.cosyvoice4j.engine;

/**
 * What the flow needs of a voice: the flow prompt speech tokens, the prompt mel {@code [frames, 80]} (time-major,
 * as the frontend computes {@code speech_feat}) and the 192-d speaker embedding. {@code savedAs} names a saved voice
 * (its prompt-region flow state is then kept between requests); null for a prompt analysed for one request.
 */
public record VoicePrompt(int[] promptTokens, float[] promptMel, int promptFrames, float[] embedding, String savedAs) {
    /** A voice analysed for one request. */
    public VoicePrompt(int[] promptTokens, float[] promptMel, int promptFrames, float[] embedding) {
        this(promptTokens, promptMel, promptFrames, embedding, null);
    }

    /** The same voice, known under a saved name. */
    public VoicePrompt saved(String name) { return new VoicePrompt(promptTokens, promptMel, promptFrames, embedding, name); }

    public VoicePrompt {
        if (promptFrames < 0 || (promptFrames > 0 && promptMel.length % promptFrames != 0)) {
            throw new IllegalArgumentException("prompt mel of " + promptMel.length + " values is not " + promptFrames + " frames");
        }
    }
}
