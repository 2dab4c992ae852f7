package dev.cosyvoice4j.frontend.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-sided DFT of a real signal ({@code torch.fft.rfft} / the onesided {@code torch.stft} bins):
 * {@code X[k]} for {@code k = 0 .. N/2}. Even N packs the signal into an N/2-point complex FFT
 * ({@code z[k] = x[2k] + i x[2k+1]}) and untangles the even/odd halves; odd N runs the full complex FFT.
 * Double precision; immutable and thread-safe.
 */
public final class RealFft {
    private static final Map<Integer, RealFft> CACHE = new ConcurrentHashMap<>();

    private final int n;
    private final Fft half;            // N/2-point plan (even N) or N-point plan (odd N)
    private final double[] twRe, twIm; // exp(-2 pi i k / N), k = 0 .. N/2

    private RealFft(int n) {
        if (n < 1) throw new IllegalArgumentException("FFT size must be positive: " + n);
        this.n = n;
        boolean even = n % 2 == 0 && n >= 2;
        this.half = Fft.of(even ? n / 2 : n);
        this.twRe = new double[n / 2 + 1];
        this.twIm = new double[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++) {
            double a = -2 * Math.PI * k / n;
            twRe[k] = StrictMath.cos(a);
            twIm[k] = StrictMath.sin(a);
        }
    }

    public static RealFft of(int n) { return CACHE.computeIfAbsent(n, RealFft::new); }

    public int size() { return n; }

    /** Number of one-sided bins, N/2 + 1. */
    public int bins() { return n / 2 + 1; }

    /**
     * Transforms {@code x[0 .. N)} (not modified) into {@code outRe/outIm[0 .. N/2]}.
     */
    public void forward(double[] x, double[] outRe, double[] outIm) {
        if (n % 2 != 0 || n < 2) {
            double[] re = new double[n], im = new double[n];
            System.arraycopy(x, 0, re, 0, n);
            half.transform(re, im);
            System.arraycopy(re, 0, outRe, 0, bins());
            System.arraycopy(im, 0, outIm, 0, bins());
            return;
        }
        int m = n / 2;
        double[] zr = new double[m], zi = new double[m];
        for (int k = 0; k < m; k++) {
            zr[k] = x[2 * k];
            zi[k] = x[2 * k + 1];
        }
        half.transform(zr, zi);
        for (int k = 0; k <= m; k++) {
            int a = k == m ? 0 : k, b = k == 0 ? 0 : m - k;
            double ar = zr[a], ai = zi[a], br = zr[b], bi = -zi[b];   // Z[k], conj(Z[M-k])
            double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);         // even part
            double dr = 0.5 * (ar - br), di = 0.5 * (ai - bi);
            double or = di, oi = -dr;                                  // odd part = (Z[k] - conj(Z[M-k])) / 2i
            outRe[k] = er + or * twRe[k] - oi * twIm[k];
            outIm[k] = ei + or * twIm[k] + oi * twRe[k];
        }
    }

    /** {@code |X[k]|^2} for k = 0 .. N/2 into {@code out}. */
    public void power(double[] x, double[] out) {
        double[] re = new double[bins()], im = new double[bins()];
        forward(x, re, im);
        for (int k = 0; k < re.length; k++) out[k] = re[k] * re[k] + im[k] * im[k];
    }
}
