package dev.cosyvoice4j.model.lm;

/**
 * Greedy sampling: the first index of the maximum ({@code torch.argmax} semantics). The golden {@code e2e} cases
 * replace the official sampler with this. Stateless, shareable.
 */
public final class ArgmaxSampler implements Sampler {
    public static final ArgmaxSampler INSTANCE = new ArgmaxSampler();

    private ArgmaxSampler() { }

    @Override
    public int sample(float[] logp, int n, int[] decoded, int decodedCount) {
        return argmax(logp, n);
    }

    /** First index of the largest value among {@code x[0..n)} (NaN never wins). */
    public static int argmax(float[] x, int n) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        boolean found = false;
        for (int i = 0; i < n; i++) {
            if (!found && !Float.isNaN(x[i]) || x[i] > max) {
                max = x[i];
                best = i;
                found = true;
            }
        }
        return best;
    }
}
