package dev.cosyvoice4j.frontend.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forward complex DFT {@code X[k] = sum_n x[n] exp(-2 pi i k n / N)} in double precision, for any N.
 *
 * <p>N factorised into radices 4, 2, 3, 5 (specialised butterflies) and other primes up to
 * {@value #MAX_GENERIC_RADIX} (generic O(p^2) butterfly) runs as a Stockham autosort FFT (natural order in and
 * out, no bit reversal); sizes with a larger prime factor use Bluestein's chirp-z algorithm over a
 * power-of-two FFT. The sizes the frontend needs are 400 = 4^2 5^2 (whisper), 512 = 4^4 2 (Kaldi) and
 * 1920 = 4^3 2 3 5 (matcha); {@link RealFft} halves them for real input.
 *
 * <p>A plan is immutable and thread-safe; {@link #transform} allocates its own scratch.
 */
public final class Fft {
    static final int MAX_GENERIC_RADIX = 64;
    private static final Map<Integer, Fft> CACHE = new ConcurrentHashMap<>();

    private final int n;
    private final int[] radices;
    private final double[] cos, sin;   // exp(-2 pi i t / n) = cos[t] + i sin[t]
    private final Bluestein bluestein; // non-null when n has a prime factor > MAX_GENERIC_RADIX

    private Fft(int n) {
        if (n < 1) throw new IllegalArgumentException("FFT size must be positive: " + n);
        this.n = n;
        List<Integer> f = factor(n);
        boolean smooth = f.stream().allMatch(p -> p <= MAX_GENERIC_RADIX);
        if (smooth) {
            this.radices = f.stream().mapToInt(Integer::intValue).toArray();
            this.cos = new double[n];
            this.sin = new double[n];
            for (int t = 0; t < n; t++) {
                double a = -2 * Math.PI * t / n;
                cos[t] = StrictMath.cos(a);
                sin[t] = StrictMath.sin(a);
            }
            this.bluestein = null;
        } else {
            this.radices = null;
            this.cos = null;
            this.sin = null;
            this.bluestein = new Bluestein(n);
        }
    }

    /** The cached plan for size n. */
    public static Fft of(int n) {
        Fft f = CACHE.get(n);
        if (f == null) {   // not computeIfAbsent: a Bluestein plan creates its inner plan recursively
            f = new Fft(n);
            Fft prev = CACHE.putIfAbsent(n, f);
            if (prev != null) f = prev;
        }
        return f;
    }

    public int size() { return n; }

    /** In-place forward DFT of {@code (re, im)}, each of length {@link #size()}. */
    public void transform(double[] re, double[] im) {
        if (re.length < n || im.length < n) throw new IllegalArgumentException("arrays shorter than FFT size " + n);
        if (bluestein != null) { bluestein.transform(re, im); return; }
        double[] xr = re, xi = im, yr = new double[n], yi = new double[n];
        int len = n, stride = 1;
        for (int p : radices) {
            int m = len / p;
            int twStep = n / len;   // exp(-2 pi i q j / len) = table[q * j * twStep]
            switch (p) {
                case 2 -> radix2(xr, xi, yr, yi, m, stride, twStep);
                case 3 -> radix3(xr, xi, yr, yi, m, stride, twStep);
                case 4 -> radix4(xr, xi, yr, yi, m, stride, twStep);
                case 5 -> radix5(xr, xi, yr, yi, m, stride, twStep);
                default -> radixGeneric(p, xr, xi, yr, yi, m, stride, twStep);
            }
            double[] t = xr; xr = yr; yr = t;
            t = xi; xi = yi; yi = t;
            len = m;
            stride *= p;
        }
        if (xr != re) {
            System.arraycopy(xr, 0, re, 0, n);
            System.arraycopy(xi, 0, im, 0, n);
        }
    }

    // Stockham DIF step: a_k = x[s0 + s (q + k m)], y[s0 + s (p q + j)] = w^(q j) * DFT_p(a)[j], w = exp(-2 pi i / len).

    private void radix2(double[] xr, double[] xi, double[] yr, double[] yi, int m, int s, int tw) {
        for (int q = 0; q < m; q++) {
            double wr = cos[q * tw], wi = sin[q * tw];
            int a = s * q, b = s * (q + m), o0 = s * 2 * q, o1 = o0 + s;
            for (int s0 = 0; s0 < s; s0++) {
                double ar = xr[a + s0], ai = xi[a + s0], br = xr[b + s0], bi = xi[b + s0];
                yr[o0 + s0] = ar + br;
                yi[o0 + s0] = ai + bi;
                double dr = ar - br, di = ai - bi;
                yr[o1 + s0] = dr * wr - di * wi;
                yi[o1 + s0] = dr * wi + di * wr;
            }
        }
    }

    private static final double S3 = Math.sqrt(3) / 2;

    private void radix3(double[] xr, double[] xi, double[] yr, double[] yi, int m, int s, int tw) {
        for (int q = 0; q < m; q++) {
            double w1r = cos[q * tw], w1i = sin[q * tw];
            double w2r = cos[2 * q * tw], w2i = sin[2 * q * tw];
            int a0 = s * q, a1 = s * (q + m), a2 = s * (q + 2 * m), o0 = s * 3 * q;
            for (int s0 = 0; s0 < s; s0++) {
                double r0 = xr[a0 + s0], i0 = xi[a0 + s0], r1 = xr[a1 + s0], i1 = xi[a1 + s0], r2 = xr[a2 + s0], i2 = xi[a2 + s0];
                double tr = r1 + r2, ti = i1 + i2;
                double ur = r0 - 0.5 * tr, ui = i0 - 0.5 * ti;
                // -i * sin(2pi/3) * (x1 - x2)
                double vr = S3 * (i1 - i2), vi = -S3 * (r1 - r2);
                yr[o0 + s0] = r0 + tr;
                yi[o0 + s0] = i0 + ti;
                double c1r = ur + vr, c1i = ui + vi, c2r = ur - vr, c2i = ui - vi;
                yr[o0 + s + s0] = c1r * w1r - c1i * w1i;
                yi[o0 + s + s0] = c1r * w1i + c1i * w1r;
                yr[o0 + 2 * s + s0] = c2r * w2r - c2i * w2i;
                yi[o0 + 2 * s + s0] = c2r * w2i + c2i * w2r;
            }
        }
    }

    private void radix4(double[] xr, double[] xi, double[] yr, double[] yi, int m, int s, int tw) {
        for (int q = 0; q < m; q++) {
            double w1r = cos[q * tw], w1i = sin[q * tw];
            double w2r = cos[2 * q * tw], w2i = sin[2 * q * tw];
            double w3r = cos[3 * q * tw], w3i = sin[3 * q * tw];
            int a0 = s * q, a1 = s * (q + m), a2 = s * (q + 2 * m), a3 = s * (q + 3 * m), o0 = s * 4 * q;
            for (int s0 = 0; s0 < s; s0++) {
                double r0 = xr[a0 + s0], i0 = xi[a0 + s0], r1 = xr[a1 + s0], i1 = xi[a1 + s0];
                double r2 = xr[a2 + s0], i2 = xi[a2 + s0], r3 = xr[a3 + s0], i3 = xi[a3 + s0];
                double s02r = r0 + r2, s02i = i0 + i2, d02r = r0 - r2, d02i = i0 - i2;
                double s13r = r1 + r3, s13i = i1 + i3, d13r = r1 - r3, d13i = i1 - i3;
                // X0 = s02 + s13, X2 = s02 - s13, X1 = d02 - i d13, X3 = d02 + i d13
                double c1r = d02r + d13i, c1i = d02i - d13r;
                double c2r = s02r - s13r, c2i = s02i - s13i;
                double c3r = d02r - d13i, c3i = d02i + d13r;
                yr[o0 + s0] = s02r + s13r;
                yi[o0 + s0] = s02i + s13i;
                yr[o0 + s + s0] = c1r * w1r - c1i * w1i;
                yi[o0 + s + s0] = c1r * w1i + c1i * w1r;
                yr[o0 + 2 * s + s0] = c2r * w2r - c2i * w2i;
                yi[o0 + 2 * s + s0] = c2r * w2i + c2i * w2r;
                yr[o0 + 3 * s + s0] = c3r * w3r - c3i * w3i;
                yi[o0 + 3 * s + s0] = c3r * w3i + c3i * w3r;
            }
        }
    }

    private static final double C51 = StrictMath.cos(2 * Math.PI / 5), C52 = StrictMath.cos(4 * Math.PI / 5);
    private static final double S51 = StrictMath.sin(2 * Math.PI / 5), S52 = StrictMath.sin(4 * Math.PI / 5);

    private void radix5(double[] xr, double[] xi, double[] yr, double[] yi, int m, int s, int tw) {
        for (int q = 0; q < m; q++) {
            int a0 = s * q, a1 = s * (q + m), a2 = s * (q + 2 * m), a3 = s * (q + 3 * m), a4 = s * (q + 4 * m);
            int o0 = s * 5 * q;
            double w1r = cos[q * tw], w1i = sin[q * tw], w2r = cos[2 * q * tw], w2i = sin[2 * q * tw];
            double w3r = cos[3 * q * tw], w3i = sin[3 * q * tw], w4r = cos[4 * q * tw], w4i = sin[4 * q * tw];
            for (int s0 = 0; s0 < s; s0++) {
                double r0 = xr[a0 + s0], i0 = xi[a0 + s0];
                double r1 = xr[a1 + s0], i1 = xi[a1 + s0], r4 = xr[a4 + s0], i4 = xi[a4 + s0];
                double r2 = xr[a2 + s0], i2 = xi[a2 + s0], r3 = xr[a3 + s0], i3 = xi[a3 + s0];
                double s14r = r1 + r4, s14i = i1 + i4, d14r = r1 - r4, d14i = i1 - i4;
                double s23r = r2 + r3, s23i = i2 + i3, d23r = r2 - r3, d23i = i2 - i3;
                double t1r = r0 + C51 * s14r + C52 * s23r, t1i = i0 + C51 * s14i + C52 * s23i;
                double t2r = r0 + C52 * s14r + C51 * s23r, t2i = i0 + C52 * s14i + C51 * s23i;
                // -i * (S51 d14 + S52 d23) and -i * (S52 d14 - S51 d23)
                double u1r = S51 * d14i + S52 * d23i, u1i = -(S51 * d14r + S52 * d23r);
                double u2r = S52 * d14i - S51 * d23i, u2i = -(S52 * d14r - S51 * d23r);
                yr[o0 + s0] = r0 + s14r + s23r;
                yi[o0 + s0] = i0 + s14i + s23i;
                double c1r = t1r + u1r, c1i = t1i + u1i, c4r = t1r - u1r, c4i = t1i - u1i;
                double c2r = t2r + u2r, c2i = t2i + u2i, c3r = t2r - u2r, c3i = t2i - u2i;
                yr[o0 + s + s0] = c1r * w1r - c1i * w1i;
                yi[o0 + s + s0] = c1r * w1i + c1i * w1r;
                yr[o0 + 2 * s + s0] = c2r * w2r - c2i * w2i;
                yi[o0 + 2 * s + s0] = c2r * w2i + c2i * w2r;
                yr[o0 + 3 * s + s0] = c3r * w3r - c3i * w3i;
                yi[o0 + 3 * s + s0] = c3r * w3i + c3i * w3r;
                yr[o0 + 4 * s + s0] = c4r * w4r - c4i * w4i;
                yi[o0 + 4 * s + s0] = c4r * w4i + c4i * w4r;
            }
        }
    }

    private void radixGeneric(int p, double[] xr, double[] xi, double[] yr, double[] yi, int m, int s, int tw) {
        int rootStep = n / p;   // exp(-2 pi i j k / p) = table[(j k mod p) * rootStep]
        double[] ar = new double[p], ai = new double[p];
        for (int q = 0; q < m; q++) {
            for (int s0 = 0; s0 < s; s0++) {
                for (int k = 0; k < p; k++) {
                    ar[k] = xr[s0 + s * (q + k * m)];
                    ai[k] = xi[s0 + s * (q + k * m)];
                }
                for (int j = 0; j < p; j++) {
                    double sr = 0, si = 0;
                    for (int k = 0; k < p; k++) {
                        int t = (j * k % p) * rootStep;
                        sr += ar[k] * cos[t] - ai[k] * sin[t];
                        si += ar[k] * sin[t] + ai[k] * cos[t];
                    }
                    int w = (q * j * tw) % n;
                    int o = s0 + s * (p * q + j);
                    yr[o] = sr * cos[w] - si * sin[w];
                    yi[o] = sr * sin[w] + si * cos[w];
                }
            }
        }
    }

    /** Prime factors with pairs of 2 merged into 4 (4s first, then 2, 3, 5, larger primes ascending). */
    static List<Integer> factor(int n) {
        List<Integer> out = new ArrayList<>();
        while (n % 4 == 0) { out.add(4); n /= 4; }
        for (int p = 2; (long) p * p <= n; p++) {
            while (n % p == 0) { out.add(p); n /= p; }
        }
        if (n > 1) out.add(n);
        return out;
    }

    /** Chirp-z: X[k] = conj(c[k]) sum_n (x[n] conj(c[n])) c[k - n], c[n] = exp(i pi n^2 / N), via a 2^m FFT. */
    private static final class Bluestein {
        private final int n, m;
        private final double[] chirpRe, chirpIm;   // exp(-i pi n^2 / N)
        private final double[] bRe, bIm;           // FFT of the conjugate chirp, wrapped to length m

        Bluestein(int n) {
            this.n = n;
            int mm = 1;
            while (mm < 2 * n - 1) mm <<= 1;
            this.m = mm;
            chirpRe = new double[n];
            chirpIm = new double[n];
            for (int k = 0; k < n; k++) {
                long sq = (long) k * k % (2L * n);   // exact angle reduction
                double a = -Math.PI * sq / n;
                chirpRe[k] = StrictMath.cos(a);
                chirpIm[k] = StrictMath.sin(a);
            }
            bRe = new double[m];
            bIm = new double[m];
            bRe[0] = chirpRe[0];
            bIm[0] = -chirpIm[0];
            for (int k = 1; k < n; k++) {
                bRe[k] = bRe[m - k] = chirpRe[k];
                bIm[k] = bIm[m - k] = -chirpIm[k];
            }
            Fft.of(m).transform(bRe, bIm);
        }

        void transform(double[] re, double[] im) {
            double[] ar = new double[m], ai = new double[m];
            for (int k = 0; k < n; k++) {
                ar[k] = re[k] * chirpRe[k] - im[k] * chirpIm[k];
                ai[k] = re[k] * chirpIm[k] + im[k] * chirpRe[k];
            }
            Fft inner = Fft.of(m);
            inner.transform(ar, ai);
            for (int k = 0; k < m; k++) {
                double r = ar[k] * bRe[k] - ai[k] * bIm[k];
                double i = ar[k] * bIm[k] + ai[k] * bRe[k];
                ar[k] = r;
                ai[k] = -i;   // inverse FFT via conj(FFT(conj(x))) / m
            }
            inner.transform(ar, ai);
            for (int k = 0; k < n; k++) {
                double r = ar[k] / m, i = -ai[k] / m;
                re[k] = r * chirpRe[k] - i * chirpIm[k];
                im[k] = r * chirpIm[k] + i * chirpRe[k];
            }
        }
    }
}
