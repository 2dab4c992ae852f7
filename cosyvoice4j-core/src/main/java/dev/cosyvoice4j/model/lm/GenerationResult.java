package dev.cosyvoice4j.model.lm;

/**
 * Outcome of {@link CosyVoice3LM#generate}: the emitted speech tokens (stop id excluded, silent tokens NOT
 * filtered), why it stopped, the prefill time (step 0: prompt forward + first sampling) and the number and time
 * of the one-embedding decode steps after it (a step that sampled a stop id counts).
 */
public record GenerationResult(int[] tokens, StopReason stopReason, int inputPositions, long prefillNanos,
                               int decodeSteps, long decodeNanos) {
    /** Decode steps per second after the prefill (0 when there were none). */
    public double decodeTokensPerSecond() {
        return decodeSteps == 0 || decodeNanos == 0 ? 0 : decodeSteps / (decodeNanos / 1e9);
    }
}
