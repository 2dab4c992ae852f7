package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.backend.NsfSpec;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.tensor.Tensor;

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
 * The computation is the backend's {@link Backend#nsfSource}; this class holds the module's parameters.
 */
public final class SourceModuleHnNsf {
    private final NsfSpec spec;

    private SourceModuleHnNsf(NsfSpec spec) { this.spec = spec; }

    static SourceModuleHnNsf load(HiftWeights w, int samplingRate, int upsampleScale, int nbHarmonics,
                                  double nsfAlpha, double nsfSigma, double voicedThreshold) {
        return load(w, samplingRate, upsampleScale, nbHarmonics, nsfAlpha, nsfSigma, voicedThreshold,
                NsfNoise.fixedUniform(), false);
    }

    /**
     * The module with its default noise; {@code linearPhase} for CosyVoice2's non-causal {@code SineGen2}
     * (phase up-sampled linearly, Gaussian noise drawn per call: {@link dev.cosyvoice4j.backend.GaussianGoldenNoise}).
     */
    static SourceModuleHnNsf load(HiftWeights w, int samplingRate, int upsampleScale, int nbHarmonics,
                                  double nsfAlpha, double nsfSigma, double voicedThreshold, NsfNoise noise,
                                  boolean linearPhase) {
        int dim = nbHarmonics + 1;
        long[] shape = w.takeAnyShape("m_source.l_linear.weight").shape();
        if (shape.length != 2 || shape[0] != 1 || shape[1] != dim) {
            throw new ModelFormatException(w.store().file(), "m_source.l_linear.weight is " + HiftWeights.shape(shape)
                    + ", expected [1, " + dim + "] for nb_harmonics " + nbHarmonics);
        }
        Tensor lw = w.take("m_source.l_linear.weight", 1, dim).reshape(dim);
        float lb = w.take("m_source.l_linear.bias", 1).getFloat(0);
        return new SourceModuleHnNsf(new NsfSpec(samplingRate, upsampleScale, dim, (float) nsfAlpha, (float) nsfSigma,
                (float) voicedThreshold, lw, lb, noise, linearPhase));
    }

    /** Samples per f0 frame (prod(upsample_rates) * hop = 480). */
    public int upsampleScale() { return spec.upsampleScale(); }

    /** nb_harmonics + 1. */
    public int harmonics() { return spec.harmonics(); }

    /** The module's parameters with the given noise buffers. */
    public NsfSpec spec(NsfNoise noise) { return noise == spec.noise() ? spec : spec.withNoise(noise); }

    /** Source length for {@code f0Frames} frames: {@code f0Frames * upsampleScale}. */
    public int samples(int f0Frames) { return Math.multiplyExact(f0Frames, spec.upsampleScale()); }

    /**
     * The merged excitation {@code source [1, L]} ({@code SourceModuleHnNSF.forward(f0_upsamp(f0))[0]}) for the
     * frame-rate {@code f0 [1, T]}; {@code trace} (or null) receives the intermediates.
     */
    public void forward(Backend backend, Buf f0, NsfNoise noise, Buf source, NsfSpec.Trace trace) {
        backend.nsfSource(source, f0, spec(noise), trace);
    }

    /** The fixtures' noise buffers, the default of the engine too (any fixed uniform buffer is valid for real models). */
    public static NsfNoise defaultNoise() { return NsfNoise.fixedUniform(); }
}
