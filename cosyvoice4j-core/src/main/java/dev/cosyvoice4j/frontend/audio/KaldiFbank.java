package dev.cosyvoice4j.frontend.audio;

/**
 * Kaldi log mel filterbank exactly as {@code CosyVoiceFrontEnd._extract_spk_embedding} calls it:
 * {@code torchaudio.compliance.kaldi.fbank(speech_16k, num_mel_bins=80, dither=0, sample_frequency=16000)}
 * with every other argument at its default: 25 ms frames (400 samples) every 10 ms (160), {@code snip_edges}
 * (T = 1 + (S - 400) / 160), per-frame DC removal, pre-emphasis 0.97 with replicate padding
 * ({@code x[0] -= 0.97 x[0]}), Povey window, zero-padded to a 512-point FFT, power spectrum, 80 Kaldi mel
 * triangles from 20 Hz to Nyquist, {@code ln(max(energy, float32 eps))}. The waveform is the float signal in
 * [-1, 1] (not scaled to int16). {@link #subtractMean} is the frontend's per-utterance CMN.
 *
 * <p>Ports {@code torchaudio/compliance/kaldi.py:fbank} and {@code cosyvoice/cli/frontend.py:108-118}.
 * Checked by {@code frontend/*}{@code /campplus} (fbank_first300, fbank_mean, campplus_input).
 */
public final class KaldiFbank {
    public static final int SAMPLE_RATE_HZ = 16000;
    public static final int NUM_MEL_BINS = 80;
    public static final int FRAME_LENGTH = 400;
    public static final int FRAME_SHIFT = 160;
    public static final int PADDED_WINDOW = 512;
    static final double PREEMPHASIS = 0.97;
    /** torch.finfo(torch.float32).eps, Kaldi's log floor. */
    static final float EPSILON = Math.ulp(1.0f);

    private static final MelBank BANK = MelBank.kaldi(NUM_MEL_BINS, PADDED_WINDOW, SAMPLE_RATE_HZ, 20, 0);
    private static final float[] POVEY = Windows.povey(FRAME_LENGTH);

    private KaldiFbank() {}

    /** The padded (Nyquist column = 0) Kaldi mel bank used here, {@code [80, 257]}. */
    public static MelBank melBank() { return BANK; }

    /** Number of frames for S samples: {@code 1 + (S - 400) / 160}, 0 when S < 400. */
    public static int frames(int samples) { return samples < FRAME_LENGTH ? 0 : 1 + (samples - FRAME_LENGTH) / FRAME_SHIFT; }

    /** Log mel energies {@code [frames, 80]} of 16 kHz audio. */
    public static FeatureMatrix compute(float[] wav16k) {
        int t = frames(wav16k.length);
        float[] out = new float[t * NUM_MEL_BINS];
        RealFft fft = RealFft.of(PADDED_WINDOW);
        double[] frame = new double[PADDED_WINDOW];
        double[] power = new double[fft.bins()];
        double[] mel = new double[NUM_MEL_BINS];
        for (int f = 0; f < t; f++) {
            int off = f * FRAME_SHIFT;
            double mean = 0;
            for (int i = 0; i < FRAME_LENGTH; i++) { frame[i] = wav16k[off + i]; mean += frame[i]; }
            mean /= FRAME_LENGTH;
            for (int i = 0; i < FRAME_LENGTH; i++) frame[i] -= mean;
            for (int i = FRAME_LENGTH - 1; i > 0; i--) frame[i] -= PREEMPHASIS * frame[i - 1];
            frame[0] -= PREEMPHASIS * frame[0];
            for (int i = 0; i < FRAME_LENGTH; i++) frame[i] *= POVEY[i];
            java.util.Arrays.fill(frame, FRAME_LENGTH, PADDED_WINDOW, 0.0);
            fft.power(frame, power);
            BANK.apply(power, mel);
            for (int b = 0; b < NUM_MEL_BINS; b++) {
                out[f * NUM_MEL_BINS + b] = (float) StrictMath.log(Math.max((float) mel[b], EPSILON));
            }
        }
        return new FeatureMatrix(out, t, NUM_MEL_BINS);
    }

    /** Per-bin mean over time, {@code [bins]} ({@code feat.mean(dim=0)}). */
    public static float[] mean(FeatureMatrix fbank) {
        int t = fbank.rows(), c = fbank.cols();
        double[] acc = new double[c];
        float[] v = fbank.values();
        for (int f = 0; f < t; f++) for (int b = 0; b < c; b++) acc[b] += v[f * c + b];
        float[] mean = new float[c];
        for (int b = 0; b < c; b++) mean[b] = t == 0 ? 0f : (float) (acc[b] / t);
        return mean;
    }

    /** {@code feat - feat.mean(dim=0, keepdim=True)}: the campplus input. */
    public static FeatureMatrix subtractMean(FeatureMatrix fbank) {
        float[] mean = mean(fbank);
        int c = fbank.cols();
        float[] v = fbank.values(), out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] - mean[i % c];
        return new FeatureMatrix(out, fbank.rows(), c);
    }
}
