package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.config.LlmConfig;

import java.util.SplittableRandom;

/**
 * Repetition-aware sampling, a port of {@code cosyvoice/utils/common.py} {@code ras_sampling},
 * {@code nucleus_sampling} and {@code random_sampling} with their quirks:
 * <ul>
 *   <li>probabilities are {@code softmax} of the scores (the scores are already log-probabilities);</li>
 *   <li>candidates follow a stable descending sort (ties keep ascending index order) and are added while
 *       {@code cum_prob < top_p and len < top_k} (float32 running sum; the token crossing top_p is included);</li>
 *   <li>one candidate is drawn proportionally to its (un-renormalised) probability;</li>
 *   <li>if the drawn token occurs {@code >= win_size * tau_r} times among the LAST {@code win_size} decoded
 *       tokens, its score becomes -inf and the token is drawn from the FULL softmax instead.</li>
 * </ul>
 * The draws use a seeded {@link SplittableRandom} (same seed, same inputs: same tokens; torch's RNG stream is not
 * reproduced). One instance per request (RNG and scratch). Golden case: {@code sampling/ras}.
 */
public final class RasSampler implements Sampler {
    private final float topP;
    private final int topK;
    private final int winSize;
    private final double repeatThreshold;
    private final SplittableRandom random;
    private final int[] candIdx;
    private final float[] candProb;
    private float[] probs = new float[0];

    public RasSampler(double topP, int topK, int winSize, double tauR, long seed) {
        if (!(topP > 0) || topK < 1 || winSize < 1) {
            throw new IllegalArgumentException("invalid ras_sampling parameters top_p=" + topP + " top_k=" + topK + " win_size=" + winSize);
        }
        this.topP = (float) topP;        // torch compares the float32 running sum with top_p cast to float32
        this.topK = topK;
        this.winSize = winSize;
        this.repeatThreshold = winSize * tauR;
        this.random = new SplittableRandom(seed);
        this.candIdx = new int[topK];
        this.candProb = new float[topK];
    }

    /** The yaml's {@code sampling: ras_sampling(top_p, top_k, win_size, tau_r)} with a request seed. */
    public static RasSampler fromConfig(LlmConfig config, long seed) {
        return new RasSampler(config.topP(), config.topK(), config.winSize(), config.tauR(), seed);
    }

    @Override
    public int sample(float[] logp, int n, int[] decoded, int decodedCount) {
        int m = nucleusCandidates(logp, n, candIdx, candProb);
        int top = candIdx[multinomial(candProb, m)];
        if (fallbackFires(top, decoded, decodedCount)) {
            logp[top] = Float.NEGATIVE_INFINITY;
            top = randomSampling(logp, n);
        }
        return top;
    }

    /**
     * The deterministic part of {@code nucleus_sampling}: writes the candidate ids and their probabilities (in
     * sorted order) and returns how many there are. {@code idxOut}/{@code probOut} need {@code top_k} entries.
     */
    public int nucleusCandidates(float[] scores, int n, int[] idxOut, float[] probOut) {
        float[] p = softmax(scores, n);
        // the first top_k entries of a stable descending sort: insertion keeps earlier indices before equal values
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = p[i];
            if (size == topK && !(v > probOut[size - 1])) continue;
            int pos = size == topK ? size - 1 : size;
            while (pos > 0 && probOut[pos - 1] < v) {
                probOut[pos] = probOut[pos - 1];
                idxOut[pos] = idxOut[pos - 1];
                pos--;
            }
            probOut[pos] = v;
            idxOut[pos] = i;
            if (size < topK) size++;
        }
        float cumProb = 0f;
        int count = 0;
        while (count < size && cumProb < topP && count < topK) {
            cumProb += probOut[count];
            count++;
        }
        return count;
    }

    /** {@code rep_num >= win_size * tau_r} where rep_num counts {@code token} in the last win_size decoded tokens. */
    public boolean fallbackFires(int token, int[] decoded, int decodedCount) {
        int repNum = 0;
        for (int i = Math.max(0, decodedCount - winSize); i < decodedCount; i++) if (decoded[i] == token) repNum++;
        return repNum >= repeatThreshold;
    }

    /** {@code random_sampling}: one draw from the full softmax of {@code scores}. */
    private int randomSampling(float[] scores, int n) {
        return multinomial(softmax(scores, n), n);
    }

    /**
     * {@code torch.softmax} in float32 into this sampler's scratch: max-subtracted exponentials, then multiplied by
     * the reciprocal of their sum (accumulated in double). -inf scores get probability 0.
     */
    float[] softmax(float[] scores, int n) {
        if (probs.length < n) probs = new float[n];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, scores[i]);
        double sum = 0;     // torch reduces with vector lanes; a double sum is closer to it than a float loop
        for (int i = 0; i < n; i++) {
            float e = (float) StrictMath.exp(scores[i] - max);
            probs[i] = e;
            sum += e;
        }
        float inv = 1f / (float) sum;
        for (int i = 0; i < n; i++) probs[i] *= inv;
        return probs;
    }

    /** One draw with probability proportional to {@code weights[0..n)} ({@code multinomial(1)}). */
    private int multinomial(float[] weights, int n) {
        double total = 0;
        for (int i = 0; i < n; i++) total += weights[i];
        if (!(total > 0)) throw new IllegalStateException("cannot sample: no token has a positive probability");
        double u = random.nextDouble() * total;
        double cum = 0;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (weights[i] <= 0) continue;
            cum += weights[i];
            last = i;
            if (u < cum) return i;
        }
        return last;   // rounding: u landed at the very end
    }
}
