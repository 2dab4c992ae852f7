package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.backend.scalar.ScalarBackend;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.SplittableRandom;

/** Random test data and the scalar specification on plain arrays, for the backend tests of every package. */
public final class TestArrays {
    /** float32 unit roundoff. */
    public static final double U = 0x1p-24;

    private static final ScalarBackend SCALAR = new ScalarBackend();

    private TestArrays() {}

    /** n values uniform in (-range, range). */
    public static float[] random(SplittableRandom r, int n, double range) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        return a;
    }

    /** n values uniform in (-1, 1). */
    public static float[] random(SplittableRandom r, int n) { return random(r, n, 1); }

    /** n normal values with standard deviation sigma. */
    public static float[] gaussian(SplittableRandom r, int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (sigma * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return a;
    }

    public static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Math.abs(a[i]);
        return b;
    }

    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** {@code sum_i |x[m, i] w[j, i]| + |b[j]|} in double: the scale of the rounding error of out[m, j] of a linear. */
    public static double magnitude(float[] x, int m, float[] w, int j, int k, float[] b) {
        double s = b == null ? 0 : Math.abs(b[j]);
        for (int i = 0; i < k; i++) s += Math.abs((double) x[m * k + i] * w[j * k + i]);
        return s;
    }

    /** The scalar specification of {@link Backend#linear} on arrays: {@code out [rows, N] = x [rows, K] w^T + bias}. */
    public static void scalarLinear(float[] out, float[] x, int rows, Tensor w, Tensor bias) {
        int n = w.dim(0), k = w.dim(1);
        SCALAR.linear(HostBuf.wrap(out, 0, rows, n), HostBuf.wrap(x, 0, rows, k), w, bias);
    }

    /** The scalar specification of {@link Backend#attention} on arrays. */
    public static void scalarAttention(float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads, int kvHeads,
                                       int headDim, float scale, AttentionMask mask) {
        SCALAR.attention(HostBuf.wrap(out, 0, tq, heads * headDim), HostBuf.wrap(q, 0, tq, heads * headDim),
                HostBuf.wrap(k, 0, tk, kvHeads * headDim), HostBuf.wrap(v, 0, tk, kvHeads * headDim), heads, kvHeads, scale,
                mask, Precision.F32);
    }
}
