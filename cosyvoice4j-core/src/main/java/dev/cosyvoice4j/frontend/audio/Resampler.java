package dev.cosyvoice4j.frontend.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited resampling identical to {@code torchaudio.transforms.Resample(orig, new)} with its defaults
 * ({@code sinc_interp_hann}, {@code lowpass_filter_width} 6, {@code rolloff} 0.99), as {@code load_wav} uses it.
 *
 * <p>Kernel ({@code _get_sinc_resample_kernel} with {@code dtype=None}): rates reduced by their gcd to
 * {@code o -> n}; {@code base = min(o, n) * 0.99}; {@code width = ceil(6 o / base)};
 * {@code t[p, j] = (float32(-p / n) + (j - width) / o) * base} in float64, clamped to [-6, 6];
 * {@code K = sinc(pi t) * cos(pi t / 12)^2 * base / o}, cast to float32; shape {@code [n, 1, 2 width + o]}.
 * Application ({@code _apply_sinc_resample_kernel}): zero-pad {@code width} left and {@code width + o} right,
 * strided conv (stride o) with the n phase kernels, interleave the phases, keep {@code ceil(n * len / o)}.
 *
 * <p>Speed: outside {@code |t| < 6} the float32 kernel is exactly zero, so each phase has only ~{@code 12 o /
 * base + 1} non-zero taps (17 of 459 for 22.05 kHz -> 16 kHz); the conv runs over that range only, which
 * changes no product (the skipped taps are exact zeros). Accumulation is in double.
 *
 * <p>Ports {@code torchaudio/functional/functional.py} (resample kernel) as called by
 * {@code cosyvoice/utils/file_utils.py:load_wav}. Checked by {@code frontend/*}{@code /resample_16k|24k}
 * (kernel, width, samples).
 */
public final class Resampler {
    public static final int LOWPASS_FILTER_WIDTH = 6;
    public static final double ROLLOFF = 0.99;
    private static final Map<Long, Resampler> CACHE = new ConcurrentHashMap<>();

    private final int fromHz, toHz;
    private final int orig, next;        // gcd-reduced rates (o, n)
    private final int width;
    private final int kernelLength;      // 2 * width + o
    private final float[] kernel;        // [next, kernelLength]
    private final int[] tapStart, tapEnd;

    private Resampler(int fromHz, int toHz) {
        if (fromHz <= 0 || toHz <= 0) throw new IllegalArgumentException("sample rates must be positive: " + fromHz + " -> " + toHz);
        this.fromHz = fromHz;
        this.toHz = toHz;
        int g = gcd(fromHz, toHz);
        this.orig = fromHz / g;
        this.next = toHz / g;
        double base = Math.min(orig, next) * ROLLOFF;
        this.width = (int) Math.ceil(LOWPASS_FILTER_WIDTH * (double) orig / base);
        this.kernelLength = 2 * width + orig;
        this.kernel = new float[next * kernelLength];
        this.tapStart = new int[next];
        this.tapEnd = new int[next];
        double scale = base / orig;
        for (int p = 0; p < next; p++) {
            // torch: arange(0, -n, -1) / n is computed in float32 (default dtype), then promoted by + idx (float64)
            double phase = (float) -p / (float) next;
            int lo = kernelLength, hi = 0;
            for (int j = 0; j < kernelLength; j++) {
                double t = (phase + (double) (j - width) / orig) * base;
                t = Math.max(-LOWPASS_FILTER_WIDTH, Math.min(LOWPASS_FILTER_WIDTH, t));
                double c = StrictMath.cos(t * Math.PI / LOWPASS_FILTER_WIDTH / 2);
                double window = c * c;
                double tPi = t * Math.PI;
                double sinc = t == 0 ? 1.0 : StrictMath.sin(tPi) / tPi;
                float k = (float) (sinc * (window * scale));
                kernel[p * kernelLength + j] = k;
                if (k != 0f) { lo = Math.min(lo, j); hi = j + 1; }
            }
            tapStart[p] = Math.min(lo, hi);
            tapEnd[p] = hi;
        }
    }

    /** The (cached, immutable, thread-safe) resampler for one rate pair. */
    public static Resampler of(int fromHz, int toHz) {
        return CACHE.computeIfAbsent(((long) fromHz << 32) | (toHz & 0xFFFFFFFFL), k -> new Resampler(fromHz, toHz));
    }

    /** Resamples {@code x} from {@code fromHz} to {@code toHz}; a copy when the rates are equal. */
    public static float[] resample(float[] x, int fromHz, int toHz) {
        if (fromHz == toHz) return x.clone();
        return of(fromHz, toHz).apply(x);
    }

    /** Output length {@code ceil(n * len / o)} (computed like torch: float64 division, then ceil). */
    public int outputLength(int inputLength) {
        return (int) Math.ceil((double) ((long) next * inputLength) / orig);
    }

    /** Resamples one mono signal. */
    public float[] apply(float[] x) {
        if (fromHz == toHz) return x.clone();
        int len = x.length;
        float[] padded = new float[len + 2 * width + orig];
        System.arraycopy(x, 0, padded, width, len);
        int frames = (padded.length - kernelLength) / orig + 1;   // conv1d output length per phase
        int outLen = outputLength(len);
        float[] y = new float[outLen];
        for (int p = 0; p < next; p++) {
            int k0 = p * kernelLength, j0 = tapStart[p], j1 = tapEnd[p];
            for (int t = 0; t < frames; t++) {
                int o = t * next + p;
                if (o >= outLen) break;
                int x0 = t * orig;
                double acc = 0;
                for (int j = j0; j < j1; j++) acc += (double) kernel[k0 + j] * padded[x0 + j];
                y[o] = (float) acc;
            }
        }
        return y;
    }

    /** A copy of the kernel, row-major {@code [phases, 1, kernelLength]} as torchaudio builds it. */
    public float[] kernel() { return kernel.clone(); }

    /** Number of phases: the reduced new rate n (the kernel's first dimension). */
    public int phases() { return next; }

    /** The conv stride: the reduced original rate o. */
    public int stride() { return orig; }

    public int width() { return width; }

    public int kernelLength() { return kernelLength; }

    public int fromHz() { return fromHz; }

    public int toHz() { return toHz; }

    static int gcd(int a, int b) {
        while (b != 0) { int t = a % b; a = b; b = t; }
        return a;
    }
}
