package dev.cosyvoice4j.frontend.audio;

/** Analysis windows computed in float32 the way torch builds them ({@code torch.hann_window}). */
final class Windows {
    private Windows() {}

    /**
     * {@code torch.hann_window(n, periodic)}: {@code 0.5 - 0.5 cos(2 pi k / M)} with M = n (periodic) or n - 1
     * (symmetric), in float32 (torch: arange * (2 pi / M), cos, * -0.5, + 0.5).
     */
    static float[] hann(int n, boolean periodic) {
        int m = periodic ? n : n - 1;
        float step = (float) (Math.PI * 2.0 / m);
        float[] w = new float[n];
        for (int k = 0; k < n; k++) {
            float c = (float) StrictMath.cos(k * step);
            w[k] = c * -0.5f + 0.5f;
        }
        return w;
    }

    /** Kaldi's povey window: the symmetric Hann window raised to 0.85 (torchaudio: {@code hann_window(n, periodic=False).pow(0.85)}). */
    static float[] povey(int n) {
        float[] w = hann(n, false);
        for (int k = 0; k < n; k++) w[k] = (float) StrictMath.pow(w[k], 0.85);
        return w;
    }
}
