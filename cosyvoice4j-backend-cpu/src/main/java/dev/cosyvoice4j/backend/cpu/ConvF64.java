package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code Backend.conv1dF64}: the vocoder's float64 F0-predictor convolution (k = 3), register-blocked. Per block of
 * 4 output channels (weights folded to float64 into a small buffer by the specification's fold)
 * and 3 vectors of output frames, 12 accumulators stay in registers over all input channels: per input channel 9
 * loads and 36 FMAs. The JIT-vectorised axpy loops it replaces kept the accumulators in memory (5 GMAC/s per core).
 * Other kernel sizes and channel counts that are not whole groups of 4 run the specification's loop ({@link #rows}).
 */
final class ConvF64 {
    private ConvF64() {}

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int L = D.length();
    private static final int GROUP = 4;

    /** Folded weights of one channel group and their float32 source rows, per thread (reused across calls). */
    private static final class Scratch {
        double[] w = new double[0];
        float[] vRows = new float[0];

        Scratch fit(int n) {
            if (w.length < n) {
                w = new double[n];
                vRows = new float[n];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void conv(KernelPool pool, double[] out, double[] xp, int cin, int tp, Tensor v, double[] scale,
                     double[] bias, int cout, int k) {
        conv(pool, out, 0, xp, 0, cin, tp, v, scale, bias, cout, k);
    }

    /** {@code Backend.conv1dF64} with {@code xp [cin, tp]} from {@code xp[xo]} and {@code out} from {@code out[oo]}. */
    static void conv(KernelPool pool, double[] out, int oo, double[] xp, int xo, int cin, int tp, Tensor v, double[] scale,
                     double[] bias, int cout, int k) {
        int tOut = tp - k + 1;
        int groups = (cout + GROUP - 1) / GROUP;
        pool.parallelFor(groups, g -> {
            int co = g * GROUP, rows = Math.min(GROUP, cout - co), rowLen = cin * k;
            Scratch s = SCRATCH.get().fit(GROUP * rowLen);
            double[] w = s.w;
            foldWeightNorm(v, scale, co, rows, rowLen, s.vRows, w);
            int t = 0;
            if (rows == GROUP && k == 3) t = blocked(out, oo, xp, xo, cin, tp, w, bias, co, tOut);
            rows(out, oo, xp, xo, cin, tp, w, bias, co, rows, k, tOut, t);
        });
    }

    /** All frames of output channels co..co+3 for k = 3: blocks of 3 vectors, then single (the last masked) ones. */
    private static int blocked(double[] out, int oo, double[] xp, int xo, int cin, int tp, double[] w, double[] bias, int co, int tOut) {
        int rowLen = cin * 3, block = 3 * L, t0 = 0;
        for (; t0 + block <= tOut; t0 += block) {
            DoubleVector a0 = DoubleVector.broadcast(D, bias[co]), a1 = a0, a2 = a0;
            DoubleVector b0 = DoubleVector.broadcast(D, bias[co + 1]), b1 = b0, b2 = b0;
            DoubleVector c0 = DoubleVector.broadcast(D, bias[co + 2]), c1 = c0, c2 = c0;
            DoubleVector d0 = DoubleVector.broadcast(D, bias[co + 3]), d1 = d0, d2 = d0;
            for (int ci = 0, xs = xo + t0, q = 0; ci < cin; ci++, xs += tp, q += 3) {
                DoubleVector x00 = DoubleVector.fromArray(D, xp, xs), x01 = DoubleVector.fromArray(D, xp, xs + 1);
                DoubleVector x02 = DoubleVector.fromArray(D, xp, xs + 2);
                DoubleVector x10 = DoubleVector.fromArray(D, xp, xs + L), x11 = DoubleVector.fromArray(D, xp, xs + L + 1);
                DoubleVector x12 = DoubleVector.fromArray(D, xp, xs + L + 2);
                DoubleVector x20 = DoubleVector.fromArray(D, xp, xs + 2 * L), x21 = DoubleVector.fromArray(D, xp, xs + 2 * L + 1);
                DoubleVector x22 = DoubleVector.fromArray(D, xp, xs + 2 * L + 2);
                DoubleVector w0 = DoubleVector.broadcast(D, w[q]), w1 = DoubleVector.broadcast(D, w[q + 1]);
                DoubleVector w2 = DoubleVector.broadcast(D, w[q + 2]);
                a0 = x02.fma(w2, x01.fma(w1, x00.fma(w0, a0)));
                a1 = x12.fma(w2, x11.fma(w1, x10.fma(w0, a1)));
                a2 = x22.fma(w2, x21.fma(w1, x20.fma(w0, a2)));
                w0 = DoubleVector.broadcast(D, w[rowLen + q]);
                w1 = DoubleVector.broadcast(D, w[rowLen + q + 1]);
                w2 = DoubleVector.broadcast(D, w[rowLen + q + 2]);
                b0 = x02.fma(w2, x01.fma(w1, x00.fma(w0, b0)));
                b1 = x12.fma(w2, x11.fma(w1, x10.fma(w0, b1)));
                b2 = x22.fma(w2, x21.fma(w1, x20.fma(w0, b2)));
                w0 = DoubleVector.broadcast(D, w[2 * rowLen + q]);
                w1 = DoubleVector.broadcast(D, w[2 * rowLen + q + 1]);
                w2 = DoubleVector.broadcast(D, w[2 * rowLen + q + 2]);
                c0 = x02.fma(w2, x01.fma(w1, x00.fma(w0, c0)));
                c1 = x12.fma(w2, x11.fma(w1, x10.fma(w0, c1)));
                c2 = x22.fma(w2, x21.fma(w1, x20.fma(w0, c2)));
                w0 = DoubleVector.broadcast(D, w[3 * rowLen + q]);
                w1 = DoubleVector.broadcast(D, w[3 * rowLen + q + 1]);
                w2 = DoubleVector.broadcast(D, w[3 * rowLen + q + 2]);
                d0 = x02.fma(w2, x01.fma(w1, x00.fma(w0, d0)));
                d1 = x12.fma(w2, x11.fma(w1, x10.fma(w0, d1)));
                d2 = x22.fma(w2, x21.fma(w1, x20.fma(w0, d2)));
            }
            int o = oo + co * tOut + t0;
            a0.intoArray(out, o); a1.intoArray(out, o + L); a2.intoArray(out, o + 2 * L);
            o += tOut;
            b0.intoArray(out, o); b1.intoArray(out, o + L); b2.intoArray(out, o + 2 * L);
            o += tOut;
            c0.intoArray(out, o); c1.intoArray(out, o + L); c2.intoArray(out, o + 2 * L);
            o += tOut;
            d0.intoArray(out, o); d1.intoArray(out, o + L); d2.intoArray(out, o + 2 * L);
        }
        // the frames left over: one vector at a time, the last one masked
        for (; t0 < tOut; t0 += L) {
            VectorMask<Double> m = D.indexInRange(t0, tOut);
            DoubleVector a = DoubleVector.broadcast(D, bias[co]), b = DoubleVector.broadcast(D, bias[co + 1]);
            DoubleVector c = DoubleVector.broadcast(D, bias[co + 2]), d = DoubleVector.broadcast(D, bias[co + 3]);
            for (int ci = 0, xs = xo + t0, q = 0; ci < cin; ci++, xs += tp, q += 3) {
                DoubleVector x0 = DoubleVector.fromArray(D, xp, xs, m), x1 = DoubleVector.fromArray(D, xp, xs + 1, m);
                DoubleVector x2 = DoubleVector.fromArray(D, xp, xs + 2, m);
                a = x2.fma(DoubleVector.broadcast(D, w[q + 2]), x1.fma(DoubleVector.broadcast(D, w[q + 1]), x0.fma(DoubleVector.broadcast(D, w[q]), a)));
                b = x2.fma(DoubleVector.broadcast(D, w[rowLen + q + 2]), x1.fma(DoubleVector.broadcast(D, w[rowLen + q + 1]), x0.fma(DoubleVector.broadcast(D, w[rowLen + q]), b)));
                c = x2.fma(DoubleVector.broadcast(D, w[2 * rowLen + q + 2]), x1.fma(DoubleVector.broadcast(D, w[2 * rowLen + q + 1]), x0.fma(DoubleVector.broadcast(D, w[2 * rowLen + q]), c)));
                d = x2.fma(DoubleVector.broadcast(D, w[3 * rowLen + q + 2]), x1.fma(DoubleVector.broadcast(D, w[3 * rowLen + q + 1]), x0.fma(DoubleVector.broadcast(D, w[3 * rowLen + q]), d)));
            }
            int o = oo + co * tOut + t0;
            a.intoArray(out, o, m);
            b.intoArray(out, o + tOut, m);
            c.intoArray(out, o + 2 * tOut, m);
            d.intoArray(out, o + 3 * tOut, m);
        }
        return tOut;
    }

    /**
     * {@code w[r * rowLen + i] = (double) v[co + r, i] * scale[co + r]} for {@code r < rows}: torch's weight-norm fold
     * ({@code vRows}: scratch of at least {@code rows * rowLen} floats).
     */
    static void foldWeightNorm(Tensor v, double[] scale, int co, int rows, int rowLen, float[] vRows, double[] w) {
        java.lang.foreign.MemorySegment.copy(v.data(), Tensor.F32_LE, (long) co * rowLen * Float.BYTES, vRows, 0, rows * rowLen);
        for (int r = 0; r < rows; r++) {
            double s = scale[co + r];
            for (int i = r * rowLen; i < (r + 1) * rowLen; i++) w[i] = vRows[i] * s;
        }
    }

    /**
     * The specification's loop for frames {@code [tFrom, tOut)} of output channels {@code co .. co + rows - 1}, folded
     * weights {@code w [rows][cin * k]}: {@code out[c, t] = bias[c] + sum over ci, j (in order) of w * xp[ci, t + j]}.
     */
    static void rows(double[] out, int oo, double[] xp, int xo, int cin, int tp, double[] w, double[] bias, int co,
                     int rows, int k, int tOut, int tFrom) {
        int rowLen = cin * k;
        for (int r = 0; r < rows; r++) {
            for (int t = tFrom; t < tOut; t++) {
                double s = bias[co + r];
                for (int ci = 0; ci < cin; ci++) {
                    for (int j = 0; j < k; j++) s += w[r * rowLen + ci * k + j] * xp[xo + ci * tp + t + j];
                }
                out[oo + (co + r) * tOut + t] = s;
            }
        }
    }
}
