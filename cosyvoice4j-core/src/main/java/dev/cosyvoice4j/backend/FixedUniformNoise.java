package dev.cosyvoice4j.backend;

/**
 * The HiFT source buffers of the golden fixtures ({@code noise.golden_uniform}, fixtures README appendix):
 * {@code golden_uniform(n, seed)[i] = (splitmix64(seed + (i + 1) * 0x9E3779B97F4A7C15) >>> 40) * 2^-24}, an exact
 * float32 in [0, 1), i the flat C-order index; seeds 0x5EED0001 (rand_ini, element 0 then set to 0),
 * 0x5EED0002 (sine_waves, [n, 9]) and 0x5EED0003 (uv, [n, 1]). Each value depends only on its index, so values are
 * computed on demand (no 60 s buffer is materialised). The fixtures' buffers are 60 s long; this generator
 * continues the same formula past that. For the real model the official buffers are unreproducible torch.rand
 * draws; any fixed uniform buffer of this kind is acceptable there (amplitude 0.003 voiced).
 */
public final class FixedUniformNoise implements NsfNoise {
    public static final long SEED_RAND_INI = 0x5EED0001L;
    public static final long SEED_SINE_WAVES = 0x5EED0002L;
    public static final long SEED_UV = 0x5EED0003L;
    static final FixedUniformNoise INSTANCE = new FixedUniformNoise();

    private static final int WIDTH = 9;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private final float[] randIni = new float[WIDTH];

    private FixedUniformNoise() {
        for (int h = 1; h < WIDTH; h++) randIni[h] = value(SEED_RAND_INI, h);
    }

    /** {@code golden_uniform(n, seed)[i]} for any n > i. */
    public static float value(long seed, long i) {
        return (splitmix64(seed + (i + 1) * GOLDEN_GAMMA) >>> 40) * 0x1p-24f;
    }

    static long splitmix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public int width() { return WIDTH; }

    @Override
    public float randIni(int harmonic) { return randIni[harmonic]; }

    @Override
    public void sineWaves(long fromRow, int rows, float[] dst, int dstOff) {
        long i = fromRow * WIDTH;
        int n = rows * WIDTH;
        for (int k = 0; k < n; k++) dst[dstOff + k] = value(SEED_SINE_WAVES, i + k);
    }

    @Override
    public float uv(long row) { return value(SEED_UV, row); }
}
