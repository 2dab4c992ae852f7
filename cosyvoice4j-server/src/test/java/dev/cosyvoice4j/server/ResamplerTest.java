package dev.cosyvoice4j.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming resampler from the engine's 24 kHz to DashScope's rates. */
class ResamplerTest {
    static float[] concat(float[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    static float[] sine(double hz, int rate, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    @ParameterizedTest
    @ValueSource(ints = {8000, 16000, 22050, 24000, 44100, 48000})
    void aSineComesOutAsTheSameSineAtTheNewRate(int outRate) {
        int n = 24000;
        float[] in = sine(1000, 24000, n);
        Resampler r = new Resampler(24000, outRate);
        float[] out = concat(r.process(in), r.finish());
        assertEquals((long) Math.ceil(n * (double) outRate / 24000), out.length);
        float[] ideal = sine(1000, outRate, out.length);
        double maxErr = 0;
        for (int i = outRate / 100; i < out.length - outRate / 100; i++) maxErr = Math.max(maxErr, Math.abs(out[i] - ideal[i]));
        assertTrue(maxErr < 2e-3, "max error " + maxErr + " at " + outRate + " Hz");
    }

    @ParameterizedTest
    @ValueSource(ints = {8000, 22050, 48000})
    void theOutputDoesNotDependOnTheChunking(int outRate) {
        Random rnd = new Random(1);
        float[] in = new float[10_000];
        for (int i = 0; i < in.length; i++) in[i] = (float) rnd.nextGaussian() * 0.1f;
        Resampler whole = new Resampler(24000, outRate);
        float[] expected = concat(whole.process(in), whole.finish());
        Resampler chunked = new Resampler(24000, outRate);
        float[] got = new float[0];
        for (int o = 0; o < in.length; ) {
            int len = Math.min(in.length - o, 1 + rnd.nextInt(900));
            got = concat(got, chunked.process(Arrays.copyOfRange(in, o, o + len)));
            o += len;
        }
        got = concat(got, chunked.finish());
        assertArrayEquals(expected, got);
    }

    @ParameterizedTest
    @ValueSource(ints = {8000, 16000})
    void aToneAboveTheNewNyquistIsRemoved(int outRate) {
        float[] in = sine(outRate * 0.5 + 1500, 24000, 24000);
        Resampler r = new Resampler(24000, outRate);
        float[] out = concat(r.process(in), r.finish());
        double max = 0;
        for (int i = outRate / 100; i < out.length - outRate / 100; i++) max = Math.max(max, Math.abs(out[i]));
        assertTrue(max < 0.01, "alias amplitude " + max);
    }
}
