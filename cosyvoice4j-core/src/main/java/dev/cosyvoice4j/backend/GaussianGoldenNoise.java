package dev.cosyvoice4j.backend;

/**
 * The per-call HiFT source noise of CosyVoice2's non-causal {@code SineGen2} as the golden fixtures inject it
 * (fixtures README CV2.5): the official code draws {@code rand_ini = torch.rand(1, 9)} and
 * {@code torch.randn_like(sine_waves)} at EVERY call; the fixtures replace them by fixed buffers sliced from sample 0
 * of each call: {@code rand_ini = golden_uniform(9, 0x5EED0001)} (the same as {@link FixedUniformNoise}) and
 * {@code N_sine = golden_normal(L * 9, 0x5EED0012)} viewed {@code [L, 9]}, with
 * {@code golden_normal(n, seed)[i] = float32(sqrt(-2 ln(1 - u[2i])) * cos(2 pi u[2i + 1]))},
 * {@code u = golden_uniform(2n, seed)}, computed in double and rounded once. {@code N_uv} (seed 0x5EED0013) feeds
 * only the discarded noise output. Each value depends only on its index, so nothing is materialised. For real models
 * any Gaussian buffer is valid (the official noise is unreproducible); this one makes synthesis deterministic.
 */
public final class GaussianGoldenNoise implements NsfNoise {
    public static final long SEED_SINE_NOISE = 0x5EED0012L;
    public static final long SEED_UV_NOISE = 0x5EED0013L;
    static final GaussianGoldenNoise INSTANCE = new GaussianGoldenNoise();
    private static final int WIDTH = 9;

    private GaussianGoldenNoise() {}

    /** The fixtures' CosyVoice2 buffers. */
    public static NsfNoise instance() { return INSTANCE; }

    /** {@code golden_normal(n, seed)[i]} for any n > i. */
    public static float value(long seed, long i) {
        double u0 = FixedUniformNoise.value(seed, 2 * i), u1 = FixedUniformNoise.value(seed, 2 * i + 1);
        return (float) (StrictMath.sqrt(-2 * StrictMath.log(1 - u0)) * StrictMath.cos(2 * Math.PI * u1));
    }

    @Override
    public int width() { return WIDTH; }

    @Override
    public float randIni(int harmonic) { return FixedUniformNoise.INSTANCE.randIni(harmonic); }

    /**
     * The first rows, computed once and shared (immutable once published; ~0.9 MB per second of audio, at most
     * {@value #CACHE_MAX_SECONDS} s): every vocoder call reads its noise from row 0, and computing it costs about as
     * much as a tenth of the vocoder.
     */
    private volatile float[] cache = new float[0];
    private static final int CACHE_MAX_SECONDS = 30, ROWS_PER_SECOND = 24000;

    @Override
    public void sineWaves(long fromRow, int rows, float[] dst, int dstOff) {
        long end = fromRow + rows;
        if (end <= (long) CACHE_MAX_SECONDS * ROWS_PER_SECOND) {
            float[] c = cache;
            if (c.length < end * WIDTH) c = grow(end);
            System.arraycopy(c, (int) (fromRow * WIDTH), dst, dstOff, rows * WIDTH);
            return;
        }
        long i = fromRow * WIDTH;
        int n = rows * WIDTH;
        for (int k = 0; k < n; k++) dst[dstOff + k] = value(SEED_SINE_NOISE, i + k);
    }

    private synchronized float[] grow(long rows) {
        float[] old = cache;
        if (old.length >= rows * WIDTH) return old;
        long want = Math.min((long) CACHE_MAX_SECONDS * ROWS_PER_SECOND,
                Math.max(rows, Math.max(2L * old.length / WIDTH, ROWS_PER_SECOND)));
        float[] c = java.util.Arrays.copyOf(old, (int) (want * WIDTH));
        for (int k = old.length; k < c.length; k++) c[k] = value(SEED_SINE_NOISE, k);
        cache = c;
        return c;
    }

    @Override
    public float uv(long row) { return value(SEED_UV_NOISE, row); }
}
