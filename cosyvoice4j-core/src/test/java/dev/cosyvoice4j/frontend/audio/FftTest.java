package dev.cosyvoice4j.frontend.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mixed-radix / Bluestein FFT against a direct O(N^2) DFT (long double-ish via compensated angles). */
class FftTest {

    /** Direct DFT with exact angle reduction (k n mod N) so the reference itself is accurate. */
    static double[][] dft(double[] re, double[] im) {
        int n = re.length;
        double[] outRe = new double[n], outIm = new double[n];
        for (int k = 0; k < n; k++) {
            double sr = 0, si = 0;
            for (int j = 0; j < n; j++) {
                double a = -2 * Math.PI * ((long) k * j % n) / n;
                double c = Math.cos(a), s = Math.sin(a);
                sr += re[j] * c - im[j] * s;
                si += re[j] * s + im[j] * c;
            }
            outRe[k] = sr;
            outIm[k] = si;
        }
        return new double[][] {outRe, outIm};
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 15, 16, 25, 27, 49, 60, 97, 121, 200, 256, 400, 480, 512,
            960, 1009, 1920, 2 * 3 * 7 * 11, 4 * 67})
    void complexFftMatchesDirectDft(int n) {
        Random r = new Random(n);
        double[] re = new double[n], im = new double[n];
        for (int i = 0; i < n; i++) { re[i] = r.nextGaussian(); im[i] = r.nextGaussian(); }
        double[][] want = dft(re, im);
        Fft.of(n).transform(re, im);
        double scale = Math.sqrt(n);
        for (int k = 0; k < n; k++) {
            assertEquals(want[0][k], re[k], 1e-11 * scale * Math.max(1, Math.log(n)), "re[" + k + "] n=" + n);
            assertEquals(want[1][k], im[k], 1e-11 * scale * Math.max(1, Math.log(n)), "im[" + k + "] n=" + n);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 15, 16, 400, 512, 1920, 1001})
    void realFftMatchesDirectDft(int n) {
        Random r = new Random(7L * n);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextDouble() * 2 - 1;
        double[][] want = dft(x.clone(), new double[n]);
        RealFft f = RealFft.of(n);
        assertEquals(n / 2 + 1, f.bins());
        double[] re = new double[f.bins()], im = new double[f.bins()], pow = new double[f.bins()];
        f.forward(x, re, im);
        f.power(x, pow);
        for (int k = 0; k < f.bins(); k++) {
            assertEquals(want[0][k], re[k], 1e-10, "re[" + k + "] n=" + n);
            assertEquals(want[1][k], im[k], 1e-10, "im[" + k + "] n=" + n);
            assertEquals(want[0][k] * want[0][k] + want[1][k] * want[1][k], pow[k], 1e-9 * Math.max(1, pow[k]));
        }
    }

    @Test
    void frontendSizesUseOnlySmallRadices() {
        assertEquals(List.of(4, 4, 5, 5), Fft.factor(400));
        assertEquals(List.of(4, 4, 4, 4, 2), Fft.factor(512));
        assertEquals(List.of(4, 4, 4, 2, 3, 5), Fft.factor(1920));
        assertTrue(Fft.factor(1009).contains(1009));
    }

    @Test
    void pureToneLandsInItsBin() {
        int n = 1920;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.cos(2 * Math.PI * 37 * i / n);
        double[] pow = new double[n / 2 + 1];
        RealFft.of(n).power(x, pow);
        assertEquals((n / 2.0) * (n / 2.0), pow[37], 1e-6);
        for (int k = 0; k < pow.length; k++) if (k != 37) assertTrue(pow[k] < 1e-12, "bin " + k);
    }
}
