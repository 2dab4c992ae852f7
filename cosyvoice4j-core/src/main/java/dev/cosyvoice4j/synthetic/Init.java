package dev.cosyvoice4j.synthetic;

/**
 * How a synthetic tensor's values are drawn, following the golden fixtures' recipe
 * (shared/fixtures/README.md, "Weights"): Linear/Conv ~ N(0, 1/fan_in), biases ~ N(0, 0.05), norm weights
 * 1 + N(0, 0.1), Snake alpha U(0.5, 1.5), embeddings N(0, 1) (Qwen embed_tokens N(0, 0.5)), weight-norm
 * magnitudes ||v|| * U(0.6, 1.4).
 */
public sealed interface Init {
    /** {@code mean + std * z} with z approximately standard normal. */
    record Normal(double mean, double std) implements Init {}

    /** Uniform in {@code [lo, hi)}. */
    record Uniform(double lo, double hi) implements Init {}

    /** Every element {@code value}. */
    record Constant(double value) implements Init {}

    /** Fixed values (a deterministic buffer such as a rotary {@code inv_freq}). */
    record Values(float[] values) implements Init {
        public Values { values = values.clone(); }
        @Override public float[] values() { return values.clone(); }
    }

    /** Elements {@code [0, split)} drawn from {@code head}, the rest from {@code tail} (same element index). */
    record Piecewise(long split, Init head, Init tail) implements Init {}

    /**
     * The magnitude {@code g} ([out, 1, 1]) of a weight-normed kernel: {@code g[o] = ||v[o]|| * U(lo, hi)},
     * so that {@code g != ||v||} and an implementation that skips the normalisation is visibly wrong.
     */
    record WeightNormGain(TensorSpec v, double lo, double hi) implements Init {}

    /** Shares the storage of the earlier tensor {@code target} (tied embeddings); writes no data. */
    record Tied(String target) implements Init {}
}
