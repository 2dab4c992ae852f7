package dev.cosyvoice4j.frontend.audio;

/**
 * The flow's prompt mel: {@code matcha.utils.audio.mel_spectrogram(speech_24k, n_fft=1920, num_mels=80,
 * sampling_rate=24000, hop_size=480, win_size=1920, fmin=0, fmax=None, center=False)} as configured by
 * cosyvoice3.yaml: reflect pad (n_fft - hop) / 2 = 720 both sides, STFT without centering (T = S / 480),
 * periodic Hann, magnitude {@code sqrt(re^2 + im^2 + 1e-9)}, 80 Slaney mels up to 12 kHz,
 * {@code ln(max(x, 1e-5))}; transposed to {@code [T, 80]} ({@code speech_feat} is {@code [1, T, 80]}).
 *
 * <p>Ports {@code third_party/Matcha-TTS/matcha/utils/audio.py:mel_spectrogram} and
 * {@code cosyvoice/cli/frontend.py:120-125}. Checked by {@code frontend/*}{@code /speech_feat} and
 * {@code frontend/filters} (the 80 x 961 basis).
 */
public final class MatchaMel {
    public static final int SAMPLE_RATE_HZ = 24000;
    public static final int N_FFT = 1920;
    public static final int HOP = 480;
    public static final int WIN = 1920;
    public static final int N_MELS = 80;
    static final int PAD = (N_FFT - HOP) / 2;

    private static final MelBank BANK = MelBank.slaney(SAMPLE_RATE_HZ, N_FFT, N_MELS, 0, Double.NaN);
    private static final float[] HANN = Windows.hann(WIN, true);

    private MatchaMel() {}

    /** The 80 x 961 basis ({@code librosa.filters.mel(sr=24000, n_fft=1920, n_mels=80, fmin=0, fmax=None)}). */
    public static MelBank melBank() { return BANK; }

    /** Frames for S samples: {@code 1 + (S + 1440 - 1920) / 480} = S / 480. */
    public static int frames(int samples) { return samples < HOP ? 0 : 1 + (samples + 2 * PAD - N_FFT) / HOP; }

    /** Log mel {@code [T, 80]} of 24 kHz audio; needs more than 720 samples (reflect padding). */
    public static FeatureMatrix compute(float[] wav24k) {
        int s = wav24k.length;
        if (s <= PAD) throw new IllegalArgumentException("matcha mel needs more than " + PAD + " samples at 24 kHz, got " + s);
        int t = frames(s);
        RealFft fft = RealFft.of(N_FFT);
        double[] frame = new double[N_FFT];
        double[] re = new double[fft.bins()], im = new double[fft.bins()];
        double[] mag = new double[fft.bins()];
        double[] mel = new double[N_MELS];
        float[] out = new float[t * N_MELS];
        for (int f = 0; f < t; f++) {
            int off = f * HOP - PAD;
            for (int i = 0; i < N_FFT; i++) frame[i] = HANN[i] * (double) wav24k[WhisperLogMel.reflect(off + i, s)];
            fft.forward(frame, re, im);
            for (int k = 0; k < mag.length; k++) mag[k] = Math.sqrt(re[k] * re[k] + im[k] * im[k] + 1e-9);
            BANK.apply(mag, mel);
            for (int b = 0; b < N_MELS; b++) out[f * N_MELS + b] = (float) Math.log(Math.max((float) mel[b], 1e-5f));
        }
        return new FeatureMatrix(out, t, N_MELS);
    }
}
