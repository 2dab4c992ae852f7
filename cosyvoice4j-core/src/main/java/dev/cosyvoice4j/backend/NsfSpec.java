package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.tensor.Tensor;

/**
 * What {@link Backend#nsfSource} needs of {@code SourceModuleHnNSF(causal=True)} / {@code SineGen2(causal=True)}
 * ({@code cosyvoice/hifigan/generator.py:192-375} @ ace7c47). Per sample n ({@code L = T * upsampleScale}):
 * {@code f0_up} = nearest up-sampling of f0; {@code rad = (f0_up * (h + 1) / samplingRate) % 1} per harmonic h, plus
 * {@code rand_ini[h]} at sample 0; {@code rad} linearly down-sampled by {@code 1 / upsampleScale}
 * ({@code align_corners=False}); {@code phase = cumsum(rad) * 2 pi} (double accumulator, float32 outputs, as torch's
 * CPU cumsum) times {@code upsampleScale}, nearest up-sampled back; {@code sine = sin(phase) * sineAmp};
 * {@code uv = f0_up > voicedThreshold}; {@code noise = (uv * noiseStd + (1 - uv) * sineAmp / 3) * sine_waves[n]};
 * {@code source = tanh(linearWeight . (sine * uv + noise) + linearBias)}.
 *
 *
 * <p>With {@code linearPhase} (CosyVoice2's non-causal {@code SineGen2(causal=False)}, generator.py:255-257) the
 * phase frames times {@code upsampleScale} are up-sampled LINEARLY ({@code F.interpolate(mode='linear')},
 * align_corners False, float32 index maths) instead of by nearest neighbour, so the sines are evaluated per sample.
 *
 * @param linearWeight {@code l_linear.weight} as {@code [harmonics]} float32
 * @param noise        the injected random buffers (indexed by sample position within the call)
 * @param linearPhase  linear (CosyVoice2) instead of nearest (CosyVoice3) up-sampling of the phase
 */
public record NsfSpec(int samplingRate, int upsampleScale, int harmonics, float sineAmp, float noiseStd,
                      float voicedThreshold, Tensor linearWeight, float linearBias, NsfNoise noise, boolean linearPhase) {
    public NsfSpec {
        if (samplingRate < 1 || upsampleScale < 1 || harmonics < 1 || linearWeight.numel() != harmonics) {
            throw new IllegalArgumentException("bad NSF spec: sampling rate " + samplingRate + ", scale " + upsampleScale
                    + ", " + harmonics + " harmonics, l_linear " + linearWeight);
        }
        if (noise.width() != harmonics) {
            throw new IllegalArgumentException("source noise buffers are " + noise.width() + " wide; the model has "
                    + harmonics + " harmonics");
        }
    }

    /** CosyVoice3's causal source: nearest up-sampling of the phase. */
    public NsfSpec(int samplingRate, int upsampleScale, int harmonics, float sineAmp, float noiseStd,
                   float voicedThreshold, Tensor linearWeight, float linearBias, NsfNoise noise) {
        this(samplingRate, upsampleScale, harmonics, sineAmp, noiseStd, voicedThreshold, linearWeight, linearBias, noise, false);
    }

    /** The same source with other noise buffers. */
    public NsfSpec withNoise(NsfNoise other) {
        return new NsfSpec(samplingRate, upsampleScale, harmonics, sineAmp, noiseStd, voicedThreshold, linearWeight,
                linearBias, other, linearPhase);
    }

    /** Intermediates for checks (golden {@code hift/nsf_source}): f0_up {@code [L]}, sine_waves {@code [L, H]}, uv {@code [L]}. */
    public record Trace(float[] f0Upsampled, float[] sineWaves, float[] uv) {
        public static Trace allocate(int samples, int harmonics) {
            return new Trace(new float[samples], new float[samples * harmonics], new float[samples]);
        }
    }
}
