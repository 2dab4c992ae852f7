package dev.cosyvoice4j.frontend.audio;

import java.util.Arrays;

/**
 * Decoded mono audio: float samples in the file's own scale (PCM mapped to [-1, 1) like soundfile), the
 * channels mixed by their mean, at the file's sample rate.
 *
 * @param samples      mono samples (owned by this record; callers must not modify them)
 * @param sampleRateHz the file's sample rate
 * @param channels     channel count of the file before mixing
 * @param encoding     what was decoded, e.g. "PCM 16-bit" or "IEEE float 32-bit"
 */
public record DecodedAudio(float[] samples, int sampleRateHz, int channels, String encoding) {
    public DecodedAudio {
        if (sampleRateHz <= 0) throw new IllegalArgumentException("sample rate must be positive: " + sampleRateHz);
    }

    public int frames() { return samples.length; }

    public double durationSeconds() { return (double) samples.length / sampleRateHz; }

    /** Mono audio from samples already in [-1, 1] (copied). */
    public static DecodedAudio ofMono(float[] samples, int sampleRateHz) {
        return new DecodedAudio(samples.clone(), sampleRateHz, 1, "float samples");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedAudio d && d.sampleRateHz == sampleRateHz && d.channels == channels
                && Arrays.equals(d.samples, samples) && d.encoding.equals(encoding);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(samples) + sampleRateHz; }

    @Override
    public String toString() {
        return String.format("DecodedAudio[%d frames, %d Hz, %d ch, %s, %.3f s]", samples.length, sampleRateHz,
                channels, encoding, durationSeconds());
    }
}
