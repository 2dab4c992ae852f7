package dev.cosyvoice4j.frontend.audio;

/**
 * {@code whisper.log_mel_spectrogram(speech_16k, n_mels=128)} (openai-whisper 20231117), the speech tokenizer's
 * input: STFT n_fft 400, hop 160, periodic Hann, {@code center=True} reflect padding (200 each side), the last
 * frame dropped (T = S / 160), {@code |X|^2}, 128 Slaney mel filters ({@code librosa.filters.mel(16000, 400,
 * 128)}), {@code log10(max(x, 1e-10))}, {@code max(x, global_max - 8)}, {@code (x + 4) / 4}; the global max is
 * over the whole utterance.
 *
 * <p>Ports {@code whisper/audio.py:log_mel_spectrogram} as called by {@code cosyvoice/cli/frontend.py:95-106}.
 * Checked by {@code frontend/*}{@code /speech_tokenizer} (log-mel first 300 frames / full, global max) and
 * {@code frontend/filters} (the filterbank).
 */
public final class WhisperLogMel {
    public static final int SAMPLE_RATE_HZ = 16000;
    public static final int N_FFT = 400;
    public static final int HOP = 160;
    public static final int N_MELS = 128;

    private static final MelBank BANK = MelBank.slaney(SAMPLE_RATE_HZ, N_FFT, N_MELS, 0, Double.NaN);
    private static final float[] HANN = Windows.hann(N_FFT, true);

    private WhisperLogMel() {}

    /**
     * Log-mel features {@code [128, T]} (row-major, bins first, like the tokenizer's {@code feats [1, 128, T]})
     * and the global log10 maximum before the clamp.
     */
    public record Result(FeatureMatrix logMel, float globalLog10Max) {
        public int frames() { return logMel.cols(); }
    }

    /** The 128 x 201 filterbank ({@code whisper/assets/mel_filters.npz} "mel_128"). */
    public static MelBank melBank() { return BANK; }

    /** Frames for S samples: S / 160. */
    public static int frames(int samples) { return samples / HOP; }

    /** Computes the features; needs more than 200 samples (reflect padding). */
    public static Result compute(float[] wav16k) {
        int s = wav16k.length;
        if (s <= N_FFT / 2) {
            throw new IllegalArgumentException("whisper log-mel needs more than " + N_FFT / 2 + " samples at 16 kHz, got " + s);
        }
        int t = frames(s);
        RealFft fft = RealFft.of(N_FFT);
        double[] frame = new double[N_FFT];
        double[] power = new double[fft.bins()];
        double[] mel = new double[N_MELS];
        float[] out = new float[N_MELS * t];
        float max = Float.NEGATIVE_INFINITY;
        for (int f = 0; f < t; f++) {
            int off = f * HOP - N_FFT / 2;
            for (int i = 0; i < N_FFT; i++) frame[i] = HANN[i] * (double) wav16k[reflect(off + i, s)];
            fft.power(frame, power);
            BANK.apply(power, mel);
            for (int b = 0; b < N_MELS; b++) {
                float v = (float) StrictMath.log10(Math.max((float) mel[b], 1e-10f));
                out[b * t + f] = v;
                if (v > max) max = v;
            }
        }
        float floor = max - 8.0f;
        for (int i = 0; i < out.length; i++) out[i] = (Math.max(out[i], floor) + 4.0f) / 4.0f;
        return new Result(new FeatureMatrix(out, N_MELS, t), max);
    }

    /** torch reflect padding index (edge sample not repeated); valid for pads shorter than the signal. */
    static int reflect(int i, int n) {
        if (i < 0) return -i;
        if (i >= n) return 2 * (n - 1) - i;
        return i;
    }
}
