package dev.cosyvoice4j.frontend.audio;

/**
 * The flow's prompt mel: {@code matcha.utils.audio.mel_spectrogram(speech_24k, n_fft=1920, num_mels=80,
 * sampling_rate=24000, hop_size=480, win_size=1920, fmin=0, fmax=None, center=False)} as configured by
 * cosyvoice3.yaml (other models: their {@link MelSpec}): reflect pad (n_fft - hop) / 2 = 720 both sides, STFT without centering (T = S / 480),
 * periodic Hann, magnitude {@code sqrt(re^2 + im^2 + 1e-9)}, 80 Slaney mels up to 12 kHz,
 * {@code ln(max(x, 1e-5))}; transposed to {@code [T, 80]} ({@code speech_feat} is {@code [1, T, 80]}).
 *
 * <p>Ports {@code third_party/Matcha-TTS/matcha/utils/audio.py:mel_spectrogram} and
 * {@code cosyvoice/cli/frontend.py:120-125}. Checked by {@code frontend/*}{@code /speech_feat} and
 * {@code frontend/filters} (the 80 x 961 basis).
 */
public final class MatchaMel {
    public static final int SAMPLE_RATE_HZ = 24000;
    public static final int N_MELS = 80;

    private static final MatchaMel COSYVOICE3 = new MatchaMel(MelSpec.COSYVOICE3);

    private final MelSpec spec;
    private final int pad;
    private final MelBank bank;
    private final float[] window;

    private MatchaMel(MelSpec spec) {
        this.spec = spec;
        this.pad = (spec.nFft() - spec.hopSize()) / 2;
        this.bank = MelBank.slaney(spec.sampleRateHz(), spec.nFft(), spec.numMels(), spec.fminHz(), spec.fmaxHz());
        float[] w = Windows.hann(spec.winSize(), true);
        // torch.stft centres a shorter window inside n_fft
        this.window = new float[spec.nFft()];
        System.arraycopy(w, 0, window, (spec.nFft() - spec.winSize()) / 2, spec.winSize());
    }

    /** The mel of a model's {@code feat_extractor} settings. */
    public static MatchaMel of(MelSpec spec) { return spec.equals(MelSpec.COSYVOICE3) ? COSYVOICE3 : new MatchaMel(spec); }

    public MelSpec spec() { return spec; }

    /** CosyVoice3's 80 x 961 basis ({@code librosa.filters.mel(sr=24000, n_fft=1920, n_mels=80, fmin=0, fmax=None)}). */
    public static MelBank melBank() { return COSYVOICE3.bank; }

    /** Frames for S samples with CosyVoice3's settings: {@code 1 + (S + 1440 - 1920) / 480} = S / 480. */
    public static int frames(int samples) { return COSYVOICE3.frameCount(samples); }

    /** Log mel {@code [T, 80]} of 24 kHz audio with CosyVoice3's settings. */
    public static FeatureMatrix compute(float[] wav24k) { return COSYVOICE3.logMel(wav24k); }

    public int frameCount(int samples) {
        return samples < spec.hopSize() ? 0 : 1 + (samples + 2 * pad - spec.nFft()) / spec.hopSize();
    }

    /** Log mel {@code [T, numMels]} of audio at the spec's rate; needs more than (n_fft - hop) / 2 samples. */
    public FeatureMatrix logMel(float[] wav) {
        int s = wav.length, nFft = spec.nFft(), hop = spec.hopSize(), mels = spec.numMels();
        if (s <= pad) {
            throw new IllegalArgumentException("matcha mel needs more than " + pad + " samples at " + spec.sampleRateHz() + " Hz, got " + s);
        }
        int t = frameCount(s);
        RealFft fft = RealFft.of(nFft);
        double[] frame = new double[nFft];
        double[] re = new double[fft.bins()], im = new double[fft.bins()];
        double[] mag = new double[fft.bins()];
        double[] mel = new double[mels];
        float[] out = new float[t * mels];
        for (int f = 0; f < t; f++) {
            int off = f * hop - pad;
            for (int i = 0; i < nFft; i++) frame[i] = window[i] * (double) wav[WhisperLogMel.reflect(off + i, s)];
            fft.forward(frame, re, im);
            for (int k = 0; k < mag.length; k++) mag[k] = Math.sqrt(re[k] * re[k] + im[k] * im[k] + 1e-9);
            bank.apply(mag, mel);
            for (int b = 0; b < mels; b++) out[f * mels + b] = (float) StrictMath.log(Math.max((float) mel[b], 1e-5f));
        }
        return new FeatureMatrix(out, t, mels);
    }
}
