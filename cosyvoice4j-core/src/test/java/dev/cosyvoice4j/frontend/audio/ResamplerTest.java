package dev.cosyvoice4j.frontend.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

class ResamplerTest {

    @Test
    void kernelShapesMatchTorchaudio() {
        Resampler a = Resampler.of(22050, 16000);
        assertEquals(320, a.phases());
        assertEquals(441, a.stride());
        assertEquals(9, a.width());
        assertEquals(459, a.kernelLength());
        Resampler b = Resampler.of(22050, 24000);
        assertEquals(160, b.phases());
        assertEquals(7, b.width());
        assertEquals(161, b.kernelLength());
        Resampler c = Resampler.of(24000, 16000);
        assertEquals(2, c.phases());
        assertEquals(10, c.width());
        assertEquals(23, c.kernelLength());
    }

    @Test
    void outputLengthIsCeilOfRatio() {
        assertEquals(219995, Resampler.of(22050, 16000).outputLength(303180));
        assertEquals(329992, Resampler.of(22050, 24000).outputLength(303180));
        assertEquals(55680, Resampler.of(24000, 16000).outputLength(83520));
        assertEquals(3, Resampler.of(24000, 16000).outputLength(4));   // ceil(8/3)
    }

    @Test
    void equalRatesCopy() {
        float[] x = {1, 2, 3};
        float[] y = Resampler.resample(x, 16000, 16000);
        assertArrayEquals(x, y);
        assertNotSame(x, y);
    }

    @Test
    void lowFrequencyToneSurvivesUpAndDownsampling() {
        for (int[] r : new int[][] {{8000, 16000}, {22050, 16000}, {44100, 24000}, {16000, 24000}}) {
            int from = r[0], to = r[1];
            float[] x = new float[from];   // 1 s of 300 Hz
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(2 * Math.PI * 300 * i / from);
            float[] y = Resampler.resample(x, from, to);
            assertEquals(to, y.length);
            for (int i = to / 10; i < to - to / 10; i++) {   // away from the zero-padded edges
                assertEquals(Math.sin(2 * Math.PI * 300 * i / (double) to), y[i], 2e-3, from + "->" + to + " at " + i);
            }
        }
    }
}
