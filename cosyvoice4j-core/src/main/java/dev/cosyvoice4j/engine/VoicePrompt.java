package dev.cosyvoice4j.engine;

/**
 * What the flow needs of a voice: the flow prompt speech tokens, the prompt mel {@code [frames, 80]} (time-major,
 * as the frontend computes {@code speech_feat}) and the 192-d speaker embedding.
 */
public record VoicePrompt(int[] promptTokens, float[] promptMel, int promptFrames, float[] embedding) {
    public VoicePrompt {
        if (promptFrames < 0 || (promptFrames > 0 && promptMel.length % promptFrames != 0)) {
            throw new IllegalArgumentException("prompt mel of " + promptMel.length + " values is not " + promptFrames + " frames");
        }
    }
}
