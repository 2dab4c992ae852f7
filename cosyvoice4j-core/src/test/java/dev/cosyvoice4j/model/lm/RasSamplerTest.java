package dev.cosyvoice4j.model.lm;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RasSamplerTest {
    static RasSampler ras(long seed) { return new RasSampler(0.8, 25, 10, 0.1, seed); }

    static float[] logProbs(double... p) {
        float[] x = new float[p.length];
        for (int i = 0; i < p.length; i++) x[i] = (float) Math.log(p[i]);
        return x;
    }

    static int[] candidates(RasSampler s, float[] scores) {
        int[] idx = new int[25];
        float[] prob = new float[25];
        return Arrays.copyOf(idx, s.nucleusCandidates(scores, scores.length, idx, prob));
    }

    @Test
    void tokenCrossingTopPIsIncluded() {
        // 0.5 + 0.25 = 0.75 < 0.8, so the 0.15 token is added and crosses 0.8; the rest are left out
        assertArrayEquals(new int[] {1, 3, 0}, candidates(ras(0), logProbs(0.15, 0.5, 0.05, 0.25, 0.05)));
    }

    @Test
    void topKCapsTheSet() {
        double[] flat = new double[100];
        Arrays.fill(flat, 0.01);
        flat[50] = 0.0101;
        int[] c = candidates(ras(0), logProbs(flat));
        assertEquals(25, c.length);
        assertEquals(50, c[0]);
        for (int i = 1; i < 25; i++) assertEquals(i - 1, c[i]);   // ties in ascending index order
    }

    @Test
    void tiesKeepAscendingIndexOrderAndMinusInfIsNeverACandidate() {
        float[] s = {0, 1, 1, Float.NEGATIVE_INFINITY, 1, 0};
        assertArrayEquals(new int[] {1, 2, 4}, candidates(ras(0), s));
        float[] onlyInf = {Float.NEGATIVE_INFINITY, 0, Float.NEGATIVE_INFINITY};
        assertArrayEquals(new int[] {1}, candidates(ras(0), onlyInf));
    }

    @Test
    void fallbackLooksOnlyAtTheLastWinSizeTokens() {
        RasSampler s = ras(0);
        int[] decoded = {9, 9, 4, 1, 2, 3, 5, 6, 7, 8, 11};
        assertTrue(s.fallbackFires(4, decoded, decoded.length));
        assertTrue(s.fallbackFires(9, decoded, decoded.length));    // the second 9 is the 10th-last token
        int[] old = {9, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11};
        assertFalse(s.fallbackFires(9, old, old.length));
        assertFalse(s.fallbackFires(4, decoded, 0));
    }

    @Test
    void drawsComeFromTheCandidatesUnlessTheFallbackFires() {
        float[] base = logProbs(0.15, 0.5, 0.05, 0.25, 0.05);
        RasSampler s = ras(3);
        int[] counts = new int[5];
        for (int i = 0; i < 4000; i++) counts[s.sample(base.clone(), 5, new int[0], 0)]++;
        assertEquals(0, counts[2]);
        assertEquals(0, counts[4]);
        // proportional to 0.15 : 0.5 : 0.25 among {0, 1, 3}
        assertEquals(0.5 / 0.9, counts[1] / 4000.0, 0.03);
        assertEquals(0.25 / 0.9, counts[3] / 4000.0, 0.03);
    }

    @Test
    void fallbackResamplesFromTheFullDistributionWithoutTheRepeatedToken() {
        float[] base = logProbs(0.97, 0.01, 0.01, 0.01);
        RasSampler s = ras(4);
        int[] decoded = {0};
        int[] counts = new int[4];
        for (int i = 0; i < 3000; i++) counts[s.sample(base.clone(), 4, decoded, 1)]++;
        assertEquals(0, counts[0]);
        for (int i = 1; i < 4; i++) assertEquals(1000, counts[i], 150);
    }

    @Test
    void sameSeedSameDrawsDifferentSeedDifferentDraws() {
        float[] base = logProbs(0.2, 0.2, 0.2, 0.2, 0.2);
        int[] a = new int[50], b = new int[50], c = new int[50];
        RasSampler sa = ras(7), sb = ras(7), sc = ras(8);
        for (int i = 0; i < 50; i++) {
            a[i] = sa.sample(base.clone(), 5, new int[0], 0);
            b[i] = sb.sample(base.clone(), 5, new int[0], 0);
            c[i] = sc.sample(base.clone(), 5, new int[0], 0);
        }
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    @Test
    void argmaxTakesTheFirstMaximum() {
        assertEquals(1, ArgmaxSampler.argmax(new float[] {0, 3, 3, 1}, 4));
        assertEquals(0, ArgmaxSampler.argmax(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2));
    }
}
