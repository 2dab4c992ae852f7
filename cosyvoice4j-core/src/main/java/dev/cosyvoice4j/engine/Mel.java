package dev.cosyvoice4j.engine;

/**
 * A mel spectrogram in the flow/HiFT layout: channel-major {@code [bins, frames]} ({@code data[b * frames + t]}),
 * i.e. the official {@code [1, 80, T]} tensor without the batch dimension. Immutable by convention.
 */
public record Mel(float[] data, int bins, int frames) {
    public Mel {
        if (data.length != bins * frames) {
            throw new IllegalArgumentException("mel data has " + data.length + " values, not " + bins + " x " + frames);
        }
    }

    public static Mel empty(int bins) { return new Mel(new float[0], bins, 0); }

    /** Frames {@code [from, frames)} ({@code mel[:, :, from:]}). */
    public Mel fromFrame(int from) {
        if (from < 0 || from > frames) throw new IllegalArgumentException("frame " + from + " of " + frames);
        int n = frames - from;
        float[] out = new float[bins * n];
        for (int b = 0; b < bins; b++) System.arraycopy(data, b * frames + from, out, b * n, n);
        return new Mel(out, bins, n);
    }

    /** {@code torch.cat([this, other], dim=2)}. */
    public Mel concat(Mel other) {
        if (other.bins != bins) throw new IllegalArgumentException("bins differ");
        int n = frames + other.frames;
        float[] out = new float[bins * n];
        for (int b = 0; b < bins; b++) {
            System.arraycopy(data, b * frames, out, b * n, frames);
            System.arraycopy(other.data, b * other.frames, out, b * n + frames, other.frames);
        }
        return new Mel(out, bins, n);
    }

    /**
     * {@code F.interpolate(mel, size=newFrames, mode='linear')} (align_corners=False), as
     * {@code CosyVoice3Model.token2wav} applies for {@code speed != 1}.
     */
    public Mel resizeLinear(int newFrames) {
        if (newFrames <= 0) throw new IllegalArgumentException("speed leaves no audio frames");
        float[] out = new float[bins * newFrames];
        double scale = (double) frames / newFrames;
        for (int t = 0; t < newFrames; t++) {
            double src = Math.max(0, (t + 0.5) * scale - 0.5);
            int i0 = Math.min((int) Math.floor(src), frames - 1);
            int i1 = Math.min(i0 + 1, frames - 1);
            float l1 = (float) (src - i0), l0 = 1f - l1;
            for (int b = 0; b < bins; b++) {
                out[b * newFrames + t] = l0 * data[b * frames + i0] + l1 * data[b * frames + i1];
            }
        }
        return new Mel(out, bins, newFrames);
    }
}
