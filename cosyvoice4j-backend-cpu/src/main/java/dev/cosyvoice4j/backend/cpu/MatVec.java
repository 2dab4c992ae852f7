package dev.cosyvoice4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * {@code linear} for few rows (LLM decode: 1 row; small batches), where the weight is read from memory exactly
 * once and the cost is memory bandwidth: dot products along k of x rows against W rows, both contiguous, so
 * nothing is packed. Four W rows are streamed at once (four prefetch streams, four independent FMA chains);
 * threads split the output rows. With more x rows, a 4 x 4 block of dot products reuses each loaded vector 4 times.
 */
final class MatVec {
    private MatVec() {}

    private static final VectorSpecies<Float> F = Gemm.F;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * {@code out[oo + r*n + j] = bias[j] + sum_p x[xo + r*k + p] * w[j, p]} for {@code r < rows}; {@code w} is a
     * row-major [n, k] float32 segment, bias null or length n; {@code oo}, {@code xo} are the arrays' base offsets.
     */
    static void linear(KernelPool pool, float[] out, int oo, float[] x, int xo, int rows, MemorySegment w, int n, int k, float[] bias) {
        int threads = pool.threads();
        // blocks of W rows: a multiple of 4, at least 16, about 4 per thread for balance
        int blk = Math.max(16, ((n + 4 * threads - 1) / (4 * threads) + 3) & ~3);
        int blocks = (n + blk - 1) / blk;
        // separate loop bodies, so that the DiT's few-row calls do not shape the code C2 compiles for LLM decode
        if (rows == 1) {
            pool.parallelFor(blocks, q -> range1(out, oo, x, xo, w, k, bias, q * blk, Math.min(n, (q + 1) * blk)));
        } else {
            pool.parallelFor(blocks, q -> range(out, oo, x, xo, rows, w, n, k, bias, q * blk, Math.min(n, (q + 1) * blk)));
        }
    }

    /** One x row (LLM decode) against W rows [j0, j1). */
    static void range1(float[] out, int oo, float[] x, int xo, MemorySegment w, int k, float[] bias, int j0, int j1) {
        int j = j0;
        for (; j + 4 <= j1; j += 4) dot1x4(out, oo, x, xo, w, k, bias, j);
        for (; j < j1; j++) out[oo + j] = dot1(x, xo, w, (long) j * k * Float.BYTES, k) + (bias == null ? 0f : bias[j]);
    }

    static void range(float[] out, int oo, float[] x, int xo, int rows, MemorySegment w, int n, int k, float[] bias, int j0, int j1) {
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            if (rows == 1) {
                dot1x4(out, oo, x, xo, w, k, bias, j);
            } else {
                for (int r = 0; r < rows; r += 4) dot4x4(out, oo, x, xo, rows, r, w, n, k, bias, j);
            }
        }
        for (; j < j1; j++) {
            for (int r = 0; r < rows; r++) out[oo + r * n + j] = dot1(x, xo + r * k, w, (long) j * k * Float.BYTES, k) + (bias == null ? 0f : bias[j]);
        }
    }

    private static float dot1(float[] x, int xo, MemorySegment w, long wo, int k) {
        FloatVector acc = FloatVector.zero(F);
        int kv = k - k % L, p = 0;
        for (; p < kv; p += L) {
            acc = FloatVector.fromMemorySegment(F, w, wo + (long) p * Float.BYTES, LE).fma(FloatVector.fromArray(F, x, xo + p), acc);
        }
        float s = Lanes.sum(acc);
        for (; p < k; p++) s += x[xo + p] * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, wo + (long) p * Float.BYTES);
        return s;
    }

    /** One x row (from {@code xo}) against W rows j..j+3, into {@code out[oo + j ..]}. */
    private static void dot1x4(float[] out, int oo, float[] x, int xo, MemorySegment w, int k, float[] bias, int j) {
        long rb = (long) k * Float.BYTES, w0 = j * rb, w1 = w0 + rb, w2 = w1 + rb, w3 = w2 + rb;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int kv = k - k % L, p = 0;
        for (; p < kv; p += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + p);
            long o = (long) p * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(F, w, w0 + o, LE).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, w, w1 + o, LE).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, w, w2 + o, LE).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, w, w3 + o, LE).fma(xv, a3);
        }
        float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1);
        float s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
        for (; p < k; p++) {
            float xv = x[xo + p];
            long o = (long) p * Float.BYTES;
            s0 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w0 + o);
            s1 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w1 + o);
            s2 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w2 + o);
            s3 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w3 + o);
        }
        if (bias != null) {
            s0 += bias[j];
            s1 += bias[j + 1];
            s2 += bias[j + 2];
            s3 += bias[j + 3];
        }
        out[oo + j] = s0;
        out[oo + j + 1] = s1;
        out[oo + j + 2] = s2;
        out[oo + j + 3] = s3;
    }

    /** x rows r..r+3 (clamped to rows-1; the duplicates are computed and dropped) against W rows j..j+3. */
    private static void dot4x4(float[] out, int oo, float[] x, int xo, int rows, int r, MemorySegment w, int n, int k, float[] bias, int j) {
        int x0 = xo + r * k, x1 = xo + Math.min(r + 1, rows - 1) * k, x2 = xo + Math.min(r + 2, rows - 1) * k, x3 = xo + Math.min(r + 3, rows - 1) * k;
        long rb = (long) k * Float.BYTES, w0 = j * rb, w1 = w0 + rb, w2 = w1 + rb, w3 = w2 + rb;
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int kv = k - k % L, p = 0;
        for (; p < kv; p += L) {
            long o = (long) p * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(F, w, w0 + o, LE);
            FloatVector v1 = FloatVector.fromMemorySegment(F, w, w1 + o, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(F, w, w2 + o, LE);
            FloatVector v3 = FloatVector.fromMemorySegment(F, w, w3 + o, LE);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + p);
            a00 = v0.fma(xv, a00); a01 = v1.fma(xv, a01); a02 = v2.fma(xv, a02); a03 = v3.fma(xv, a03);
            xv = FloatVector.fromArray(F, x, x1 + p);
            a10 = v0.fma(xv, a10); a11 = v1.fma(xv, a11); a12 = v2.fma(xv, a12); a13 = v3.fma(xv, a13);
            xv = FloatVector.fromArray(F, x, x2 + p);
            a20 = v0.fma(xv, a20); a21 = v1.fma(xv, a21); a22 = v2.fma(xv, a22); a23 = v3.fma(xv, a23);
            xv = FloatVector.fromArray(F, x, x3 + p);
            a30 = v0.fma(xv, a30); a31 = v1.fma(xv, a31); a32 = v2.fma(xv, a32); a33 = v3.fma(xv, a33);
        }
        // results straight to out (arrays here would be allocated per block)
        store(out, oo, x, x0, w, w0, rb, k, p, bias, n, r, j, rows, Lanes.sum(a00), Lanes.sum(a01), Lanes.sum(a02), Lanes.sum(a03));
        if (r + 1 < rows) store(out, oo, x, x1, w, w0, rb, k, p, bias, n, r + 1, j, rows, Lanes.sum(a10), Lanes.sum(a11), Lanes.sum(a12), Lanes.sum(a13));
        if (r + 2 < rows) store(out, oo, x, x2, w, w0, rb, k, p, bias, n, r + 2, j, rows, Lanes.sum(a20), Lanes.sum(a21), Lanes.sum(a22), Lanes.sum(a23));
        if (r + 3 < rows) store(out, oo, x, x3, w, w0, rb, k, p, bias, n, r + 3, j, rows, Lanes.sum(a30), Lanes.sum(a31), Lanes.sum(a32), Lanes.sum(a33));
    }

    /** out[row, j..j+3] = partial sums + the k tail (p..k) + bias. */
    private static void store(float[] out, int oo, float[] x, int xo, MemorySegment w, long w0, long rb, int k, int p, float[] bias,
                              int n, int row, int j, int rows, float s0, float s1, float s2, float s3) {
        for (int q = p; q < k; q++) {
            float xv = x[xo + q];
            long o = (long) q * Float.BYTES;
            s0 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w0 + o);
            s1 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w0 + rb + o);
            s2 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w0 + 2 * rb + o);
            s3 += xv * w.get(dev.cosyvoice4j.tensor.Tensor.F32_LE, w0 + 3 * rb + o);
        }
        int o = oo + row * n + j;
        out[o] = s0 + (bias == null ? 0f : bias[j]);
        out[o + 1] = s1 + (bias == null ? 0f : bias[j + 1]);
        out[o + 2] = s2 + (bias == null ? 0f : bias[j + 2]);
        out[o + 3] = s3 + (bias == null ? 0f : bias[j + 3]);
    }
}
