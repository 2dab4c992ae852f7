package dev.cosyvoice4j.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CosyVoice2's injected source noise: the golden_normal formula, served from the cache or computed past it. */
class GaussianGoldenNoiseTest {
    @Test
    void cachedRowsEqualTheFormulaAnywhere() {
        NsfNoise n = GaussianGoldenNoise.instance();
        for (long from : new long[] {0, 4799, 24000 * 2 + 17, 30L * 24000 - 3, 30L * 24000 + 5}) {
            float[] rows = new float[7 * 9];
            n.sineWaves(from, 7, rows, 0);
            for (int k = 0; k < rows.length; k++) {
                assertEquals(GaussianGoldenNoise.value(GaussianGoldenNoise.SEED_SINE_NOISE, from * 9 + k), rows[k], 0f, "row " + from + " + " + k / 9);
            }
        }
    }

    @Test
    void randIniIsTheUniformBuffersWithTheFundamentalZeroed() {
        NsfNoise n = GaussianGoldenNoise.instance();
        assertEquals(0f, n.randIni(0));
        for (int h = 1; h < 9; h++) assertEquals(FixedUniformNoise.value(FixedUniformNoise.SEED_RAND_INI, h), n.randIni(h));
    }
}
