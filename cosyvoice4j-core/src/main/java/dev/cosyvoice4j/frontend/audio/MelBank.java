package dev.cosyvoice4j.frontend.audio;

/**
 * A mel filterbank matrix {@code [mels, bins]} (float32 weights, as the reference libraries store them) with
 * the non-zero column range of each row, so applying it costs only the triangles' widths.
 *
 * <p>Factories: {@link #slaney} ({@code librosa.filters.mel}, used by whisper and matcha) and {@link #kaldi}
 * ({@code torchaudio.compliance.kaldi.get_mel_banks}). Checked by {@code frontend/filters}.
 */
public final class MelBank {
    private final float[] weights;
    private final int mels, bins;
    private final int[] start, end;

    MelBank(float[] weights, int mels, int bins) {
        this.weights = weights;
        this.mels = mels;
        this.bins = bins;
        this.start = new int[mels];
        this.end = new int[mels];
        for (int m = 0; m < mels; m++) {
            int lo = bins, hi = 0;
            for (int k = 0; k < bins; k++) {
                if (weights[m * bins + k] != 0f) { lo = Math.min(lo, k); hi = k + 1; }
            }
            start[m] = Math.min(lo, hi);
            end[m] = hi;
        }
    }

    public int mels() { return mels; }

    public int bins() { return bins; }

    /** A copy of the weights, row-major {@code [mels, bins]}. */
    public float[] weights() { return weights.clone(); }

    /** {@code out[m] = sum_k W[m, k] * spectrum[k]} (double accumulation). */
    public void apply(double[] spectrum, double[] out) {
        for (int m = 0; m < mels; m++) {
            double acc = 0;
            int row = m * bins;
            for (int k = start[m]; k < end[m]; k++) acc += weights[row + k] * spectrum[k];
            out[m] = acc;
        }
    }

    /**
     * {@code librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney')} (librosa 0.10):
     * Slaney mel scale, triangles in float64 stored into a float32 matrix, then multiplied in place by the
     * float64 area normalisation {@code 2 / (f[m+2] - f[m])} (so each weight is rounded to float32 twice, like
     * librosa). {@code fmaxHz <= 0} or NaN means {@code sr / 2}.
     */
    public static MelBank slaney(int sampleRateHz, int nFft, int nMels, double fminHz, double fmaxHz) {
        double fmax = Double.isNaN(fmaxHz) || fmaxHz <= 0 ? sampleRateHz / 2.0 : fmaxHz;
        int bins = nFft / 2 + 1;
        double[] fftFreqs = new double[bins];
        for (int j = 0; j < bins; j++) fftFreqs[j] = j * ((double) sampleRateHz / nFft);   // np.fft.rfftfreq(n, 1/sr)
        // np.linspace(min_mel, max_mel, n_mels + 2): i * step + start, last = stop exactly
        double minMel = hzToMelSlaney(fminHz), maxMel = hzToMelSlaney(fmax);
        int nPts = nMels + 2;
        double step = (maxMel - minMel) / (nPts - 1);
        double[] melF = new double[nPts];
        for (int i = 0; i < nPts; i++) melF[i] = melToHzSlaney(i == nPts - 1 ? maxMel : i * step + minMel);
        float[] w = new float[nMels * bins];
        for (int i = 0; i < nMels; i++) {
            double fd0 = melF[i + 1] - melF[i], fd1 = melF[i + 2] - melF[i + 1];
            double enorm = 2.0 / (melF[i + 2] - melF[i]);
            for (int j = 0; j < bins; j++) {
                double lower = -(melF[i] - fftFreqs[j]) / fd0;
                double upper = (melF[i + 2] - fftFreqs[j]) / fd1;
                float tri = (float) Math.max(0, Math.min(lower, upper));
                w[i * bins + j] = (float) (tri * enorm);
            }
        }
        return new MelBank(w, nMels, bins);
    }

    static double hzToMelSlaney(double f) {
        final double fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp, logStep = StrictMath.log(6.4) / 27.0;
        return f >= minLogHz ? minLogMel + StrictMath.log(f / minLogHz) / logStep : f / fSp;
    }

    static double melToHzSlaney(double m) {
        final double fSp = 200.0 / 3, minLogHz = 1000.0, minLogMel = minLogHz / fSp, logStep = StrictMath.log(6.4) / 27.0;
        return m >= minLogMel ? minLogHz * StrictMath.exp(logStep * (m - minLogMel)) : fSp * m;
    }

    /**
     * {@code torchaudio.compliance.kaldi.get_mel_banks(num_bins, padded_window_size, sample_freq, low_freq,
     * high_freq, vtln_low=100, vtln_high=-500, vtln_warp=1.0)} padded with one zero column (the Nyquist bin),
     * as {@code fbank} uses it: Kaldi mel scale {@code 1127 ln(1 + f / 700)}, triangles equally spaced in mel
     * from {@code low_freq} to {@code high_freq} ({@code <= 0}: Nyquist + high_freq). Computed in float32 like
     * torch (python-float constants, float32 tensors).
     */
    public static MelBank kaldi(int numBins, int paddedWindowSize, double sampleRateHz, double lowFreqHz, double highFreqHz) {
        int numFftBins = paddedWindowSize / 2;
        double nyquist = 0.5 * sampleRateHz;
        double high = highFreqHz <= 0 ? highFreqHz + nyquist : highFreqHz;
        if (lowFreqHz < 0 || lowFreqHz >= nyquist || high <= 0 || high > nyquist || high <= lowFreqHz) {
            throw new IllegalArgumentException("bad Kaldi mel band " + lowFreqHz + ".." + high + " Hz at " + sampleRateHz + " Hz");
        }
        float fftBinWidth = (float) (sampleRateHz / paddedWindowSize);
        double melLow = 1127.0 * StrictMath.log(1.0 + lowFreqHz / 700.0);
        double melHigh = 1127.0 * StrictMath.log(1.0 + high / 700.0);
        float delta = (float) ((melHigh - melLow) / (numBins + 1));
        float low = (float) melLow;
        int bins = numFftBins + 1;
        float[] w = new float[numBins * bins];
        float[] mel = new float[numFftBins];
        for (int k = 0; k < numFftBins; k++) {
            float f = fftBinWidth * k;
            mel[k] = 1127.0f * (float) StrictMath.log(1.0f + f / 700.0f);
        }
        for (int b = 0; b < numBins; b++) {
            float left = low + b * delta;
            float center = low + (b + 1.0f) * delta;
            float right = low + (b + 2.0f) * delta;
            for (int k = 0; k < numFftBins; k++) {
                float up = (mel[k] - left) / (center - left);
                float down = (right - mel[k]) / (right - center);
                w[b * bins + k] = Math.max(0f, Math.min(up, down));
            }
        }
        return new MelBank(w, numBins, bins);
    }
}
