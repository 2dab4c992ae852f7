package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.FloatMath;

/**
 * The tiny STFT / iSTFT of the HiFT generator ({@code HiFTGenerator._stft / _istft}, {@code generator.py:491-505}
 * @ ace7c47): n_fft = win_length (16), hop (4), periodic Hann window ({@code scipy get_window("hann", n, fftbins=True)}
 * as float32), {@code center=True}; direct DFTs in double (16 points: cheaper than an FFT's bookkeeping), results
 * rounded to float32. Golden: {@code hift/decode}.
 */
final class HiftStft {
    private final int nFft;
    private final int hop;
    private final int bins;              // n_fft / 2 + 1
    private final float[] window;
    private final double[] cos;          // cos(2 pi k n / nFft), [bins][nFft]
    private final double[] sin;

    HiftStft(int nFft, int hop) {
        if (nFft < 2 || nFft % 2 != 0 || hop < 1 || hop > nFft) {
            throw new IllegalArgumentException("unsupported iSTFT params n_fft " + nFft + " hop " + hop);
        }
        this.nFft = nFft;
        this.hop = hop;
        this.bins = nFft / 2 + 1;
        this.window = new float[nFft];
        for (int n = 0; n < nFft; n++) window[n] = (float) (0.5 - 0.5 * StrictMath.cos(2 * Math.PI * n / nFft));
        this.cos = new double[bins * nFft];
        this.sin = new double[bins * nFft];
        for (int k = 0; k < bins; k++) {
            for (int n = 0; n < nFft; n++) {
                // exact table: reduce k*n mod nFft first
                double ang = 2 * Math.PI * ((long) k * n % nFft) / nFft;
                cos[k * nFft + n] = StrictMath.cos(ang);
                sin[k * nFft + n] = StrictMath.sin(ang);
            }
        }
    }

    int bins() { return bins; }

    int hop() { return hop; }

    /** STFT frames of a signal of {@code len} samples ({@code center=True}): {@code len / hop + 1}. */
    int frames(int len) { return len / hop + 1; }

    /**
     * {@code torch.stft(x, n_fft, hop, n_fft, window, center=True, pad_mode='reflect', return_complex=True)}
     * as the 2*bins channels {@code cat([real, imag])}: {@code out[k * F + f]} = Re, {@code out[(bins + k) * F + f]}
     * = Im, for the first {@code frames <= }{@link #frames} frames. Needs {@code len > n_fft / 2} (reflection padding).
     */
    float[] stft(float[] x, int len, int frames) {
        int pad = nFft / 2;
        if (len <= pad) throw new IllegalArgumentException("source of " + len + " samples is too short for the STFT");
        if (frames < 1 || frames > frames(len)) throw new IllegalArgumentException("bad STFT frame count " + frames);
        float[] out = new float[2 * bins * frames];
        double[] seg = new double[nFft];
        for (int f = 0; f < frames; f++) {
            for (int n = 0; n < nFft; n++) {
                int j = f * hop + n - pad;                            // index into x with reflection
                if (j < 0) j = -j;
                else if (j >= len) j = 2 * (len - 1) - j;
                seg[n] = window[n] * x[j];
            }
            for (int k = 0; k < bins; k++) {
                double re = 0, im = 0;
                int o = k * nFft;
                for (int n = 0; n < nFft; n++) {
                    re += seg[n] * cos[o + n];
                    im -= seg[n] * sin[o + n];
                }
                out[k * frames + f] = (float) re;
                out[(bins + k) * frames + f] = (float) im;
            }
        }
        return out;
    }

    /**
     * {@code _istft(exp(x[:bins]), sin(x[bins:]))} then clamp: magnitude {@code exp} clipped at 100, phase =
     * {@code sin} of the logits, {@code torch.istft(center=True, length=None)}: per frame irfft (imag parts of
     * DC and Nyquist ignored), times window, overlap-add, divide by the overlap-added squared window, drop
     * n_fft/2 samples at both ends; {@code hop * (frames - 1)} samples of which the first {@code samples} are
     * returned, clamped to +-limit. {@code x} is {@code [2 * bins, frames]} (conv_post output).
     */
    float[] istft(float[] x, int frames, int samples, float limit) {
        int full = nFft + hop * (frames - 1);
        double[] y = new double[full];
        double[] env = new double[full];
        double[] re = new double[bins], im = new double[bins];
        for (int f = 0; f < frames; f++) {
            for (int k = 0; k < bins; k++) {
                // float32 as torch computes them, with the deterministic functions every backend shares
                float mag = Math.min(FloatMath.exp(x[k * frames + f]), 100f);
                float phase = FloatMath.sin(x[(bins + k) * frames + f]);
                re[k] = mag * FloatMath.cos(phase);
                im[k] = mag * FloatMath.sin(phase);
            }
            int base = f * hop;
            for (int n = 0; n < nFft; n++) {
                double s = re[0] + ((n & 1) == 0 ? re[bins - 1] : -re[bins - 1]);
                for (int k = 1; k < bins - 1; k++) {
                    s += 2 * (re[k] * cos[k * nFft + n] - im[k] * sin[k * nFft + n]);
                }
                double w = window[n];
                y[base + n] += s / nFft * w;
                env[base + n] += w * w;
            }
        }
        int pad = nFft / 2;
        int len = hop * (frames - 1);
        if (samples < 0 || samples > len) throw new IllegalArgumentException("bad iSTFT output length " + samples);
        len = samples;
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            float v = (float) (y[pad + i] / env[pad + i]);
            out[i] = Math.max(-limit, Math.min(limit, v));
        }
        return out;
    }
}
