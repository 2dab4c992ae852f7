package dev.cosyvoice4j.codec;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** The encoders of every supported {@link AudioFormat}: streaming and whole-file. */
public final class AudioEncoders {
    /** AAC is missing: no maintained pure-Java AAC encoder exists. */
    private static final Set<AudioFormat> SUPPORTED = Collections.unmodifiableSet(
            EnumSet.of(AudioFormat.WAV, AudioFormat.PCM, AudioFormat.FLAC, AudioFormat.MP3, AudioFormat.OPUS));

    private AudioEncoders() {}

    /** True when {@code format} can be encoded here. */
    public static boolean supported(AudioFormat format) { return SUPPORTED.contains(format); }

    /** The supported formats, for error messages. */
    public static Set<AudioFormat> supportedFormats() { return SUPPORTED; }

    /**
     * A streaming encoder (WAV: header with RIFF and data sizes 0xFFFFFFFF; FLAC: STREAMINFO with total samples 0
     * and MD5 0; MP3: frames without a Xing/LAME tag; Opus: Ogg pages of 100 ms).
     *
     * @throws UnsupportedOperationException for a format that is not {@link #supported}
     * @throws IllegalArgumentException for a sample rate the format cannot carry (Opus: 8/12/16/24/48 kHz only)
     */
    public static AudioEncoder streaming(AudioFormat format, int sampleRateHz) {
        check(format, sampleRateHz);
        return switch (format) {
            case WAV -> new WavEncoder(sampleRateHz);
            case PCM -> new PcmEncoder();
            case FLAC -> new FlacEncoder(sampleRateHz);
            case MP3 -> new Mp3Encoder(sampleRateHz);
            case OPUS -> new OggOpusEncoder(sampleRateHz);
            case AAC -> throw unsupported(format);
        };
    }

    /** A whole file: WAV with exact sizes, FLAC with the total sample count and MD5, the others as streamed. */
    public static byte[] encodeAll(AudioFormat format, int sampleRateHz, float[] samples) {
        check(format, sampleRateHz);
        return switch (format) {
            case WAV -> WavEncoder.encodeAll(sampleRateHz, samples);
            case FLAC -> FlacEncoder.encodeAll(sampleRateHz, samples);
            default -> {
                AudioEncoder enc = streaming(format, sampleRateHz);
                yield StreamEncoder.concat(enc.encode(samples, 0, samples.length), enc.finish());
            }
        };
    }

    private static void check(AudioFormat format, int sampleRateHz) {
        if (!supported(Objects.requireNonNull(format, "format"))) throw unsupported(format);
        if (sampleRateHz <= 0) throw new IllegalArgumentException("sample rate must be positive: " + sampleRateHz);
    }

    private static UnsupportedOperationException unsupported(AudioFormat format) {
        return new UnsupportedOperationException("response_format " + format.id() + " is not supported by this server; supported: "
                + AudioFormat.list(SUPPORTED.toArray(AudioFormat[]::new)));
    }
}
