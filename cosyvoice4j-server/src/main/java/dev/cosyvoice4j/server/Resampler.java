package dev.cosyvoice4j.server;

/**
 * A streaming rational resampler (polyphase windowed sinc): {@code out/in = L/M} reduced by their gcd, one
 * Blackman-windowed sinc per output phase with 16 zero crossings on each side of the (lower) cutoff, gain-corrected
 * for downsampling. Feed chunks with {@link #process}, then {@link #finish} once: the concatenated output is the same
 * whatever the chunking, {@code ceil(n·L/M)} samples for {@code n} in. The delay is half the filter (16 input
 * samples, more when downsampling) and is compensated: output sample {@code k} is the input at time {@code k·M/L}.
 */
final class Resampler {
    private static final int ZERO_CROSSINGS = 16;

    private final int l, m, half;
    private final float[][] phases;
    private float[] buf = new float[0];   // input samples from absolute index bufStart
    private long bufStart, inCount, nextOut;
    private boolean finished;

    Resampler(int inRateHz, int outRateHz) {
        if (inRateHz <= 0 || outRateHz <= 0) throw new IllegalArgumentException("rates must be positive");
        int g = gcd(inRateHz, outRateHz);
        this.l = outRateHz / g;
        this.m = inRateHz / g;
        double fc = Math.min(1.0, (double) l / m);                  // cutoff as a fraction of the input's Nyquist
        this.half = (int) Math.ceil(ZERO_CROSSINGS / fc);
        this.phases = new float[l][2 * half];
        for (int p = 0; p < l; p++) {
            double frac = (double) p / l;
            for (int j = -half + 1; j <= half; j++) {
                double x = frac - j;                                  // time from input sample c+j to the output point
                double u = x / half;
                double w = Math.abs(u) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u);
                phases[p][j + half - 1] = (float) (fc * sinc(fc * x) * w);
            }
        }
    }

    private static double sinc(double x) {
        if (x == 0) return 1;
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    private static int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

    /** Resamples the next input samples; returns what can be produced so far (possibly nothing). */
    float[] process(float[] in) {
        if (finished) throw new IllegalStateException("resampler already finished");
        int keep = (int) (inCount - bufStart);
        float[] nb = new float[keep + in.length];
        System.arraycopy(buf, buf.length - keep, nb, 0, keep);
        System.arraycopy(in, 0, nb, keep, in.length);
        buf = nb;
        inCount += in.length;
        return emit(false);
    }

    /** The rest of the output (the input ends with silence). */
    float[] finish() {
        if (finished) return new float[0];
        finished = true;
        return emit(true);
    }

    private float[] emit(boolean flush) {
        long total = flush ? (inCount * l + m - 1) / m : Long.MAX_VALUE;
        // outputs whose window lies inside the input seen so far (or all that remain when flushing)
        long last;
        if (flush) {
            last = total;
        } else {
            // c(n) + half < inCount  <=>  floor(n·M/L) <= inCount - half - 1
            long maxC = inCount - half - 1;
            last = maxC < 0 ? 0 : Math.min(total, ((maxC + 1) * l + m - 1) / m);
        }
        int count = (int) Math.max(0, last - nextOut);
        float[] out = new float[count];
        for (int i = 0; i < count; i++, nextOut++) {
            long num = nextOut * m;
            long c = num / l;
            float[] h = phases[(int) (num % l)];
            double acc = 0;
            for (int j = -half + 1; j <= half; j++) {
                long k = c + j;
                if (k < bufStart || k >= inCount) continue;          // before the start (or after the end): zeros
                acc += buf[(int) (k - bufStart)] * h[j + half - 1];
            }
            out[i] = (float) acc;
        }
        // drop input no later output needs
        long needFrom = (nextOut * m) / l - half + 1;
        if (needFrom > bufStart) {
            int drop = (int) Math.min(needFrom - bufStart, buf.length);
            float[] nb = new float[buf.length - drop];
            System.arraycopy(buf, drop, nb, 0, nb.length);
            buf = nb;
            bufStart += drop;
        }
        return out;
    }
}
