package dev.cosyvoice4j.codec;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/** Test signals and helpers shared by the codec tests. */
final class Signals {
    static final int RATE = 24000;
    /** Odd chunk sizes, cycled, as a streaming vocoder might hand them over. */
    static final int[] CHUNKS = {1, 7, 4095, 10000, 3, 480, 4096, 1234};

    private Signals() {}

    static float[] sine(double hz, double seconds, int rate, double amplitude) {
        float[] x = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    /** Voiced-speech-like: a gliding harmonic series under a syllable envelope, a little noise, some digital silence. */
    static float[] speechLike(double seconds, int rate, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[(int) Math.round(seconds * rate)];
        double phase = 0;
        for (int i = 0; i < x.length; i++) {
            double t = (double) i / rate;
            double f0 = 120 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
            phase += 2 * Math.PI * f0 / rate;
            double v = 0;
            for (int h = 1; h <= 12; h++) v += Math.sin(h * phase) / h;
            double envelope = Math.max(0, Math.sin(2 * Math.PI * 2.5 * t));
            x[i] = (float) (0.3 * envelope * v + 0.01 * rnd.nextGaussian());
        }
        for (int i = 0; i < Math.min(x.length, rate / 10); i++) x[i] = 0f;       // leading silence
        return x;
    }

    static float[] noise(int n, double amplitude, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (amplitude * (2 * rnd.nextDouble() - 1));
        return x;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Feeds {@code x} in the {@link #CHUNKS} sizes and returns every byte the encoder gave back. */
    static byte[] streamInChunks(AudioEncoder enc, float[] x) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        for (int c = 0; pos < x.length; c++) {
            int n = Math.min(CHUNKS[c % CHUNKS.length], x.length - pos);
            byte[] b = enc.encode(x, pos, n);
            out.writeBytes(b);
            pos += n;
        }
        out.writeBytes(enc.finish());
        return out.toByteArray();
    }

    static short[] pcm16(float[] x) { return Pcm16.toShorts(x, 0, x.length); }

    static short[] s16le(byte[] b, int offset) {
        short[] s = new short[(b.length - offset) / 2];
        for (int i = 0; i < s.length; i++) s[i] = (short) ((b[offset + 2 * i] & 0xFF) | (b[offset + 2 * i + 1] << 8));
        return s;
    }

    /**
     * The signal-to-noise ratio of {@code decoded} against {@code reference} in dB, over the best lag in
     * [-maxLag, maxLag] ({@code decoded[i + lag]} against {@code reference[i]}); returns {snr, lag}.
     */
    static double[] snrDb(short[] reference, short[] decoded, int from, int to, int maxLag) {
        return snrDb(reference, decoded, from, to, -maxLag, maxLag);
    }

    static double[] snrDb(short[] reference, short[] decoded, int from, int to, int minLag, int maxLag) {
        double best = Double.NEGATIVE_INFINITY;
        int bestLag = 0;
        for (int lag = minLag; lag <= maxLag; lag++) {
            double sig = 0, err = 0;
            for (int i = from; i < to; i++) {
                int j = i + lag;
                double d = j >= 0 && j < decoded.length ? decoded[j] : 0;
                sig += (double) reference[i] * reference[i];
                err += (reference[i] - d) * (reference[i] - d);
            }
            double snr = 10 * Math.log10(sig / Math.max(err, 1e-9));
            if (snr > best) {
                best = snr;
                bestLag = lag;
            }
        }
        return new double[] {best, bestLag};
    }
}
