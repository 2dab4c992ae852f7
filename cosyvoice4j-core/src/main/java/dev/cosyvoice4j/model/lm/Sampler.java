package dev.cosyvoice4j.model.lm;

/**
 * The {@code sampling} callable of {@code Qwen2LM.sampling_ids}: picks the next speech token from the
 * log-probabilities of one step. Implementations may keep per-request state (an RNG, scratch buffers), so a
 * sampler instance belongs to one request; they may modify {@code logp} (the official fallback writes -inf into
 * it).
 */
public interface Sampler {
    /**
     * @param logp         log-softmax of the decoder logits, {@code n} values (masked entries are -inf)
     * @param decoded      the tokens generated so far in this request ({@code out_tokens}), first {@code decodedCount}
     */
    int sample(float[] logp, int n, int[] decoded, int decodedCount);
}
