package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.io.ModelFormatException;

/**
 * Port of {@code SourceModuleHnNSF(causal=True)} with {@code SineGen2(causal=True)} ({@code
 * cosyvoice/hifigan/generator.py:192-375} @ ace7c47), applied to the frame-rate f0 after the generator's
 * {@code f0_upsamp} (nearest x {@code upsampleScale}). Golden: {@code hift/nsf_source}.
 *
 * <p>Per sample n (L = frames * scale): {@code fn = f0_up * [1..H]}; {@code rad = (fn / sr) % 1} with
 * {@code rand_ini} added at sample 0; {@code rad} down-sampled by {@code F.interpolate(scale_factor=1/scale,
 * mode='linear')} (align_corners False); {@code phase = cumsum * 2 * pi} (torch CPU cumsum: double accumulator,
 * float32 outputs); times scale, nearest up-sampled x scale (so the phase is constant within a frame);
 * {@code sine = sin(phase) * sine_amp}; {@code uv = f0_up > threshold}; {@code noise = (uv * sigma + (1 - uv) *
 * sine_amp / 3) * sine_waves[n]} (the injected UNIFORM buffer); {@code source = tanh(l_linear(sine * uv + noise))}.
 * Sines are evaluated once per frame; the rest is one pass over the samples with no per-sample allocation.
 */
public final class SourceModuleHnNsf {
    private static final float PI_F = (float) Math.PI;

    private final int samplingRate;
    private final int upsampleScale;
    private final int dim;                // harmonic_num + 1
    private final float sineAmp;          // nsf_alpha
    private final float noiseStd;         // nsf_sigma
    private final float voicedThreshold;
    private final float[] linearWeight;   // l_linear.weight [1, dim]
    private final float linearBias;

    private SourceModuleHnNsf(int samplingRate, int upsampleScale, int dim, float sineAmp, float noiseStd,
                              float voicedThreshold, float[] linearWeight, float linearBias) {
        this.samplingRate = samplingRate;
        this.upsampleScale = upsampleScale;
        this.dim = dim;
        this.sineAmp = sineAmp;
        this.noiseStd = noiseStd;
        this.voicedThreshold = voicedThreshold;
        this.linearWeight = linearWeight;
        this.linearBias = linearBias;
    }

    static SourceModuleHnNsf load(HiftWeights w, int samplingRate, int upsampleScale, int nbHarmonics,
                                  double nsfAlpha, double nsfSigma, double voicedThreshold) {
        int dim = nbHarmonics + 1;
        long[] shape = w.takeAnyShape("m_source.l_linear.weight").shape();
        if (shape.length != 2 || shape[0] != 1 || shape[1] != dim) {
            throw new ModelFormatException(w.store().file(), "m_source.l_linear.weight is " + HiftWeights.shape(shape)
                    + ", expected [1, " + dim + "] for nb_harmonics " + nbHarmonics);
        }
        float[] lw = w.take("m_source.l_linear.weight", 1, dim).toFloatArray();
        float lb = w.take("m_source.l_linear.bias", 1).getFloat(0);
        return new SourceModuleHnNsf(samplingRate, upsampleScale, dim, (float) nsfAlpha, (float) nsfSigma,
                (float) voicedThreshold, lw, lb);
    }

    /** Samples per f0 frame (prod(upsample_rates) * hop = 480). */
    public int upsampleScale() { return upsampleScale; }

    /** nb_harmonics + 1. */
    public int harmonics() { return dim; }

    /** Intermediate tensors for checks (golden {@code hift/nsf_source}); any array may be null. */
    public record Trace(float[] f0Upsampled, float[] sineWaves, float[] uv) {
        /** Arrays for {@code samples} samples: f0 [L], sine_waves [L, dim], uv [L]. */
        public static Trace allocate(int samples, int dim) {
            return new Trace(new float[samples], new float[samples * dim], new float[samples]);
        }
    }

    /** Source length for {@code f0Frames} frames: {@code f0Frames * upsampleScale}. */
    public int samples(int f0Frames) { return Math.multiplyExact(f0Frames, upsampleScale); }

    /**
     * The merged excitation {@code [L]} ({@code SourceModuleHnNSF.forward(f0_upsamp(f0))[0]}) for the frame-rate
     * {@code f0} (Hz, {@code f0Frames} values); {@code trace} (or null) receives the intermediates.
     */
    public float[] forward(float[] f0, int f0Frames, SourceNoise noise, Trace trace) {
        if (noise.width() != dim) {
            throw new IllegalArgumentException("source noise buffers are " + noise.width()
                    + " wide; the model has " + dim + " harmonics");
        }
        int len = samples(f0Frames);
        float[] source = new float[len];
        if (len == 0) return source;
        // Linear down-sampling of rad by 1/scale (upsample_linear1d, align_corners False). torch: output size
        // trunc(L * (1/scale)); source index scale' * (i + 0.5) - 0.5 with scale' = float(1 / (1/scale)).
        double down = 1.0 / upsampleScale;
        int phaseFrames = (int) (len * down);
        float scaleF = (float) (1.0 / down);
        float[] sines = new float[phaseFrames * dim];
        double[] cum = new double[dim];
        for (int i = 0; i < phaseFrames; i++) {
            float real = (float) (scaleF * (i + 0.5) - 0.5);
            if (real < 0) real = 0;
            int i0 = (int) real;
            int i1 = i0 < len - 1 ? i0 + 1 : i0;
            float l1 = Math.min(Math.max(real - i0, 0f), 1f);
            float l0 = 1f - l1;
            for (int h = 0; h < dim; h++) {
                float r = l0 * rad(f0, f0Frames, i0, h, noise) + l1 * rad(f0, f0Frames, i1, h, noise);
                cum[h] += r;                                         // double accumulator, float outputs
                float phase = ((float) cum[h] * 2f) * PI_F * upsampleScale;
                sines[i * dim + h] = (float) StrictMath.sin(phase) * sineAmp;
            }
        }
        // nearest up-sampling of the phase frames back to samples: floor(n * float(1/scale))
        float invScale = (float) (1.0 / upsampleScale);
        float unvoicedAmp = (1f - 0f) * sineAmp / 3f;               // (1 - uv) * sine_amp / 3 at uv = 0
        int chunk = upsampleScale;
        float[] buf = new float[chunk * dim];
        for (int start = 0; start < len; start += chunk) {
            int rows = Math.min(chunk, len - start);
            noise.sineWaves(start, rows, buf, 0);
            for (int r = 0; r < rows; r++) {
                int n = start + r;
                float f = f0[nearest(n, invScale, f0Frames)];
                boolean voiced = f > voicedThreshold;
                float uv = voiced ? 1f : 0f;
                float namp = voiced ? noiseStd : unvoicedAmp;
                int so = nearest(n, invScale, phaseFrames) * dim;
                float acc = 0f;
                for (int h = 0; h < dim; h++) {
                    float sw = sines[so + h] * uv + namp * buf[r * dim + h];
                    if (trace != null && trace.sineWaves() != null) trace.sineWaves()[n * dim + h] = sw;
                    acc += linearWeight[h] * sw;
                }
                source[n] = (float) StrictMath.tanh(acc + linearBias);
                if (trace != null) {
                    if (trace.f0Upsampled() != null) trace.f0Upsampled()[n] = f;
                    if (trace.uv() != null) trace.uv()[n] = uv;
                }
            }
        }
        return source;
    }

    /** {@code rad_values[n, h]}: {@code (f0_up[n] * (h + 1) / sr) % 1}, plus {@code rand_ini[h]} at sample 0. */
    private float rad(float[] f0, int f0Frames, int n, int h, SourceNoise noise) {
        float fn = f0[nearest(n, (float) (1.0 / upsampleScale), f0Frames)] * (h + 1);
        float v = fn / samplingRate;
        v = v - (float) Math.floor(v);                              // torch remainder(v, 1), v >= 0
        return n == 0 ? v + noise.randIni(h) : v;
    }

    /** torch nearest up-sampling source index: {@code min(floor(dst * scale), inputSize - 1)} in float. */
    private static int nearest(int dst, float scale, int inputSize) {
        return Math.min((int) Math.floor((float) dst * scale), inputSize - 1);
    }
}
