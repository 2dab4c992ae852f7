package dev.cosyvoice4j.frontend.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frame counts and edge cases of the three feature extractors (values are checked by the golden stage). */
class FeatureShapesTest {

    static float[] tone(int n, int rate) { return TestWavs.tone(1, n, rate)[0]; }

    @Test
    void kaldiFbankFrameCountFollowsSnipEdges() {
        assertEquals(0, KaldiFbank.frames(399));
        assertEquals(1, KaldiFbank.frames(400));
        assertEquals(346, KaldiFbank.frames(55680));
        FeatureMatrix f = KaldiFbank.compute(tone(16000, 16000));
        assertEquals(98, f.rows());
        assertEquals(80, f.cols());
        float[] mean = KaldiFbank.mean(KaldiFbank.subtractMean(f));
        for (float m : mean) assertEquals(0, m, 1e-5);
    }

    @Test
    void silenceHitsTheKaldiFloor() {
        FeatureMatrix f = KaldiFbank.compute(new float[1600]);
        for (float v : f.values()) assertEquals(Math.log(Math.ulp(1.0f)), v, 1e-6);
    }

    @Test
    void whisperDropsTheLastFrame() {
        WhisperLogMel.Result r = WhisperLogMel.compute(tone(55680, 16000));
        assertEquals(348, r.frames());
        assertEquals(128, r.logMel().rows());
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : r.logMel().values()) { min = Math.min(min, v); max = Math.max(max, v); }
        assertEquals((r.globalLog10Max() + 4) / 4, max, 1e-6);
        assertTrue(min >= (r.globalLog10Max() - 8 + 4) / 4 - 1e-6);
        assertThrows(IllegalArgumentException.class, () -> WhisperLogMel.compute(new float[200]));
    }

    @Test
    void matchaMelHasOneFramePerHop() {
        FeatureMatrix m = MatchaMel.compute(tone(83520, 24000));
        assertEquals(174, m.rows());
        assertEquals(80, m.cols());
        assertEquals(1, MatchaMel.compute(new float[721]).rows());
        assertThrows(IllegalArgumentException.class, () -> MatchaMel.compute(new float[720]));
        for (float v : MatchaMel.compute(new float[4800]).values()) assertEquals(Math.log(1e-5f), v, 1e-6);
    }

    @Test
    void kaldiMelBankHasAZeroNyquistColumn() {
        MelBank b = KaldiFbank.melBank();
        assertEquals(80, b.mels());
        assertEquals(257, b.bins());
        float[] w = b.weights();
        for (int m = 0; m < 80; m++) assertEquals(0f, w[m * 257 + 256]);
    }
}
