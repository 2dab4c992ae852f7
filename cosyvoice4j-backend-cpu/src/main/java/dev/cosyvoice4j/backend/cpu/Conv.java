package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * 1-d convolutions as GEMMs on {@link Gemm}.
 *
 * <p>{@code conv1d}: per group, {@code out[co, to] = W[co, (ci, kk)] * im2col[(ci, kk), to]}: the weight
 * {@code [cout, cin/groups, k]} already is the row-major A operand (read in place from the checkpoint), and the
 * im2col matrix is never built: its B micro-panels (32 output times x KC taps) are packed straight from x, two
 * vector loads per tap when the stride is 1. Output columns are split across threads; grouped convolutions with
 * many groups run groups in parallel instead.
 *
 * <p>{@code convTranspose1d}: {@code Y[(co, kk), ti] = sum_ci w[ci, co, kk] x[ci, ti]} (A is w read transposed,
 * B is x), then the col2im scatter-add {@code out[co, ti*stride - pad + kk] += Y[(co, kk), ti]}.
 */
final class Conv {
    private Conv() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int NR = Gemm.NR;

    private static final ThreadLocal<float[][]> Y = ThreadLocal.withInitial(() -> new float[1][0]);

    /** B = im2col of channels [c0, c0 + cinG) of x [*, t] (starting at {@code x[xOff]}): row (ci, kk), column to. */
    record Im2col(float[] x, int xOff, int c0, int t, int kw, int tOut, ConvSpec spec) implements Gemm.BSource {
        @Override
        public void pack(float[] dst, int off, int n0, int k0, int kc) {
            int stride = spec.stride(), dil = spec.dilation(), pad = spec.padLeft();
            for (int p = 0; p < kc; p++) {
                int row = k0 + p, ci = row / kw, kk = row % kw;
                int xo = xOff + (c0 + ci) * t, d = off + p * NR;
                int start = n0 * stride - pad + kk * dil;
                if (stride == 1 && NR == 2 * L && start >= 0 && start + NR <= t) {
                    FloatVector.fromArray(F, x, xo + start).intoArray(dst, d);
                    FloatVector.fromArray(F, x, xo + start + L).intoArray(dst, d + L);
                } else {
                    for (int j = 0, ti = start; j < NR; j++, ti += stride) {
                        dst[d + j] = ti >= 0 && ti < t ? x[xo + ti] : 0f;
                    }
                }
            }
        }
    }

    static void conv1d(KernelPool pool, GroupedConv.Weights weights, float[] out, float[] x, int cin, int t, Tensor w, float[] bias,
                       ConvSpec spec) {
        conv1d(pool, weights, out, 0, x, 0, cin, t, w, bias, spec);
    }

    /** {@code Backend.conv1d} with {@code x [cin, t]} from {@code x[xOff]} and {@code out} from {@code out[oOff]}. */
    static void conv1d(KernelPool pool, GroupedConv.Weights weights, float[] out, int oOff, float[] x, int xOff, int cin, int t,
                       Tensor w, float[] bias, ConvSpec spec) {
        int cout = w.dim(0), cinG = w.dim(1), kw = w.dim(2), groups = spec.groups();
        if (cinG * groups != cin || cout % groups != 0) {
            throw new IllegalArgumentException("conv1d: weight " + w + " does not fit cin " + cin + " groups " + groups);
        }
        int coutG = cout / groups, tOut = spec.outLength(t, kw), kDim = cinG * kw;
        if (tOut <= 0) return;
        if (GroupedConv.applies(spec)) {
            GroupedConv.conv1d(pool, weights, out, oOff, x, xOff, t, w, spec, tOut);
            if (bias != null) addRowBias(pool, out, oOff, bias, cout, tOut);
            return;
        }
        MemorySegment ws = w.data();
        Body g = gi -> {
            Gemm.gemm(pool, out, oOff + gi * coutG * tOut, new Gemm.RowMajorA(ws, (long) gi * coutG * kDim * Float.BYTES), coutG, tOut, kDim,
                    new Im2col(x, xOff, gi * cinG, t, kw, tOut, spec), null);
        };
        if (groups >= 2 * pool.threads()) {
            pool.parallelFor(groups, g::run); // the inner GEMMs run on their own thread
        } else {
            for (int gi = 0; gi < groups; gi++) g.run(gi);
        }
        if (bias != null) addRowBias(pool, out, oOff, bias, cout, tOut);
    }

    private interface Body {
        void run(int index);
    }

    static void convTranspose1d(KernelPool pool, float[] out, float[] x, int cin, int t, Tensor w, float[] bias, int stride, int padding) {
        if (w.dim(0) != cin) throw new IllegalArgumentException("convTranspose1d: weight " + w + " for cin " + cin);
        int cout = w.dim(1), kw = w.dim(2), m = cout * kw;
        int tOut = (t - 1) * stride - 2 * padding + kw;
        if (tOut <= 0) return;
        initRows(out, bias, cout, tOut);
        // Y = w^T x in chunks of input frames, so the scratch stays bounded (HiFT: 64 x 7 x 22400 would be 40 MB)
        int chunkT = Math.max(1, Math.min(t, Y_CHUNK_FLOATS / Math.max(1, m)));
        float[][] holder = Y.get();
        if (holder[0].length < m * chunkT) holder[0] = new float[m * chunkT];
        float[] y = holder[0];
        for (int t0 = 0; t0 < t; t0 += chunkT) {
            int tc = Math.min(chunkT, t - t0), from = t0;
            Gemm.gemm(pool, y, 0, new Gemm.TransposedA(w.data(), 0), m, tc, cin, new Gemm.ArrayKN(x, t0, tc, cin, t), null);
            int per = Math.max(1, cout / (4 * pool.threads()));
            pool.parallelFor((cout + per - 1) / per, q -> {
                for (int co = q * per; co < Math.min(cout, (q + 1) * per); co++) {
                    int o = co * tOut;
                    for (int kk = 0; kk < kw; kk++) {
                        int yo = (co * kw + kk) * tc;
                        // frames ti of this chunk with 0 <= ti*stride - padding + kk < tOut
                        int tiMin = Math.max(from, ceilDiv(padding - kk, stride));
                        int tiMax = Math.min(from + tc - 1, Math.floorDiv(tOut - 1 + padding - kk, stride));
                        for (int ti = tiMin, to = ti * stride - padding + kk; ti <= tiMax; ti++, to += stride) out[o + to] += y[yo + ti - from];
                    }
                }
            });
        }
    }

    /** Largest Y scratch (floats) of convTranspose1d per thread. */
    private static final int Y_CHUNK_FLOATS = 1 << 20;

    private static void initRows(float[] out, float[] bias, int rows, int cols) {
        if (bias == null) {
            java.util.Arrays.fill(out, 0, rows * cols, 0f);
        } else {
            for (int r = 0; r < rows; r++) java.util.Arrays.fill(out, r * cols, (r + 1) * cols, bias[r]);
        }
    }

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }

    private static void addRowBias(KernelPool pool, float[] out, int oOff, float[] bias, int rows, int cols) {
        int per = Math.max(1, Elementwise.PARALLEL_MIN / Math.max(1, cols));
        pool.parallelFor((rows + per - 1) / per, q -> {
            for (int r = q * per; r < Math.min(rows, (q + 1) * per); r++) {
                int o = oOff + r * cols;
                float b = bias[r];
                for (int i = 0; i < cols; i += L) {
                    var m = F.indexInRange(i, cols);
                    FloatVector.fromArray(F, out, o + i, m).add(b).intoArray(out, o + i, m);
                }
            }
        });
    }
}
