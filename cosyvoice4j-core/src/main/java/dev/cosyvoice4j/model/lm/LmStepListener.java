package dev.cosyvoice4j.model.lm;

/**
 * Timing hooks of the decode loop (for the benchmark and metrics). Step 0 is the prefill: forward of the whole
 * {@code lm_input}, the decoder head, log-softmax and sampling of the first token. Every later step forwards one
 * embedding. Called on the generating thread; keep it cheap.
 */
public interface LmStepListener {
    LmStepListener NONE = new LmStepListener() { };

    /** The prefill of {@code positions} input rows took {@code nanos} (including the first token's sampling). */
    default void onPrefill(int positions, long nanos) { }

    /** Decode step {@code step} (1-based; step 0 is the prefill) took {@code nanos} and sampled {@code token}. */
    default void onDecodeStep(int step, int token, long nanos) { }
}
