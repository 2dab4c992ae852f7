package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Grouped stride-1 {@code conv1d} computed directly, for convolutions whose groups are narrow (the DiT's
 * conv position embedding: 16 groups of 64 channels, 31 taps). The im2col GEMM repacks every input sample once per
 * tap for only 64 output channels, which cost as much as the arithmetic; here each output tile of 12 channels x 32
 * times accumulates {@code w[co, ci, kk] * x[ci, t - pad + kk * dil]} over (ci, kk) straight from a zero-padded copy
 * of the group's input rows (two unaligned vector loads per tap), the weights broadcast from a heap copy of them made once
 * per weight ({@link Weights}; nothing transposed). Sums run over (ci, kk) in the same order as {@link Gemm}'s, so results equal
 * the im2col path's bit for bit. Specification: {@code Backend.conv1d}.
 */
final class GroupedConv {
    private GroupedConv() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int MR = 12, NR = 2 * L;

    private static final class Scratch {
        float[] xp = new float[0];                      // padded input rows
        final float[] tile = new float[MR * NR];
    }

    /**
     * Weights as the kernel reads them, one heap copy per weight tensor (weights are immutable; entries die with their
     * tensor): per group its rows {@code [coutG][(ci, kk)]} then zero rows up to whole panels of MR channels. Copying
     * the group's rows on every call cost ~2 ms of a DiT call's 5 ms position conv at 100-160 frames (8 MB per conv).
     */
    static final class Weights {
        private final java.util.Map<Tensor, float[]> copies = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

        float[] of(Tensor w, int groups) {
            float[] c = copies.get(w);
            if (c != null) return c;
            int cout = w.dim(0), kDim = w.dim(1) * w.dim(2), coutG = cout / groups, rows = (coutG + MR - 1) / MR * MR;
            c = new float[Math.multiplyExact(groups, Math.multiplyExact(rows, kDim))];
            for (int gi = 0; gi < groups; gi++) {
                MemorySegment.copy(w.data(), Tensor.F32_LE, (long) gi * coutG * kDim * Float.BYTES, c, gi * rows * kDim, coutG * kDim);
            }
            copies.put(w, c);
            return c;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Whether {@link #conv1d} handles this convolution (grouped, stride 1, 16-lane vectors). */
    static boolean applies(ConvSpec spec) {
        return spec.groups() > 1 && spec.stride() == 1 && L == 16;
    }

    /** {@code out[oOff + (gi*coutG + co) * tOut + to]} for every group, x from {@code x[xOff]} (bias not added). */
    static void conv1d(KernelPool pool, Weights weights, float[] out, int oOff, float[] x, int xOff, int t, Tensor w, ConvSpec spec,
                       int tOut) {
        int groups = spec.groups();
        float[] wAll = weights.of(w, groups);
        pool.parallelFor(groups, gi -> group(out, oOff, x, xOff, t, w, wAll, spec, tOut, gi));
    }

    private static void group(float[] out, int oOff, float[] x, int xOff, int t, Tensor w, float[] wAll, ConvSpec spec, int tOut,
                              int gi) {
        int cout = w.dim(0), cinG = w.dim(1), kw = w.dim(2), coutG = cout / spec.groups();
        int pad = spec.padLeft(), dil = spec.dilation(), kDim = cinG * kw;
        int tBlocks = (tOut + NR - 1) / NR, xw = tBlocks * NR + (kw - 1) * dil;
        Scratch s = SCRATCH.get();
        // the group's input rows, zero-padded so that every tap of every (whole) time block is in bounds
        float[] xp = s.xp = s.xp.length >= cinG * xw ? s.xp : new float[cinG * xw];
        for (int ci = 0; ci < cinG; ci++) {
            int src = xOff + (gi * cinG + ci) * t, dst = ci * xw, from = Math.max(0, pad), to = Math.min(xw, t + pad);
            Arrays.fill(xp, dst, dst + xw, 0f);
            if (to > from) System.arraycopy(x, src + from - pad, xp, dst + from, to - from);
        }
        // the group's weights [coutG][(ci, kk)], zero rows up to whole panels of MR channels (Weights)
        int panels = (coutG + MR - 1) / MR, wg0 = gi * panels * MR * kDim;
        for (int panel = 0; panel < panels; panel++) {
            int co0 = panel * MR, rows = Math.min(MR, coutG - co0);
            for (int tb = 0; tb < tBlocks; tb++) {
                int t0 = tb * NR, cols = Math.min(NR, tOut - t0), o = oOff + (gi * coutG + co0) * tOut + t0;
                if (rows == MR && cols == NR) {
                    kernel(wAll, wg0 + co0 * kDim, kDim, xp, xw, cinG, kw, dil, t0, out, o, tOut);
                } else {
                    kernel(wAll, wg0 + co0 * kDim, kDim, xp, xw, cinG, kw, dil, t0, s.tile, 0, NR);
                    for (int i = 0; i < rows; i++) System.arraycopy(s.tile, i * NR, out, o + i * tOut, cols);
                }
            }
        }
    }

    /** c[MR x NR] = sum over p = (ci, kk) of a[row0 + i*kDim + p] (broadcast, row i) x xp[ci, t0 + kk*dil .. +NR]. */
    private static void kernel(float[] a, int row0, int kDim, float[] xp, int xw, int cinG, int kw, int dil, int t0, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        FloatVector c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z, c90 = z, c91 = z, c100 = z, c101 = z, c110 = z, c111 = z;
        int a0 = row0, a1 = a0 + kDim, a2 = a1 + kDim, a3 = a2 + kDim, a4 = a3 + kDim, a5 = a4 + kDim;
        int a6 = a5 + kDim, a7 = a6 + kDim, a8 = a7 + kDim, a9 = a8 + kDim, a10 = a9 + kDim, a11 = a10 + kDim;
        int p = 0;
        for (int ci = 0; ci < cinG; ci++) {
            for (int kk = 0, xo = ci * xw + t0; kk < kw; kk++, xo += dil, p++) {
                FloatVector b0 = FloatVector.fromArray(F, xp, xo), b1 = FloatVector.fromArray(F, xp, xo + L);
                FloatVector v;
                v = FloatVector.broadcast(F, a[a0 + p]); c00 = b0.fma(v, c00); c01 = b1.fma(v, c01);
                v = FloatVector.broadcast(F, a[a1 + p]); c10 = b0.fma(v, c10); c11 = b1.fma(v, c11);
                v = FloatVector.broadcast(F, a[a2 + p]); c20 = b0.fma(v, c20); c21 = b1.fma(v, c21);
                v = FloatVector.broadcast(F, a[a3 + p]); c30 = b0.fma(v, c30); c31 = b1.fma(v, c31);
                v = FloatVector.broadcast(F, a[a4 + p]); c40 = b0.fma(v, c40); c41 = b1.fma(v, c41);
                v = FloatVector.broadcast(F, a[a5 + p]); c50 = b0.fma(v, c50); c51 = b1.fma(v, c51);
                v = FloatVector.broadcast(F, a[a6 + p]); c60 = b0.fma(v, c60); c61 = b1.fma(v, c61);
                v = FloatVector.broadcast(F, a[a7 + p]); c70 = b0.fma(v, c70); c71 = b1.fma(v, c71);
                v = FloatVector.broadcast(F, a[a8 + p]); c80 = b0.fma(v, c80); c81 = b1.fma(v, c81);
                v = FloatVector.broadcast(F, a[a9 + p]); c90 = b0.fma(v, c90); c91 = b1.fma(v, c91);
                v = FloatVector.broadcast(F, a[a10 + p]); c100 = b0.fma(v, c100); c101 = b1.fma(v, c101);
                v = FloatVector.broadcast(F, a[a11 + p]); c110 = b0.fma(v, c110); c111 = b1.fma(v, c111);
            }
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L); co += ldc;
        c10.intoArray(c, co); c11.intoArray(c, co + L); co += ldc;
        c20.intoArray(c, co); c21.intoArray(c, co + L); co += ldc;
        c30.intoArray(c, co); c31.intoArray(c, co + L); co += ldc;
        c40.intoArray(c, co); c41.intoArray(c, co + L); co += ldc;
        c50.intoArray(c, co); c51.intoArray(c, co + L); co += ldc;
        c60.intoArray(c, co); c61.intoArray(c, co + L); co += ldc;
        c70.intoArray(c, co); c71.intoArray(c, co + L); co += ldc;
        c80.intoArray(c, co); c81.intoArray(c, co + L); co += ldc;
        c90.intoArray(c, co); c91.intoArray(c, co + L); co += ldc;
        c100.intoArray(c, co); c101.intoArray(c, co + L); co += ldc;
        c110.intoArray(c, co); c111.intoArray(c, co + L);
    }
}
