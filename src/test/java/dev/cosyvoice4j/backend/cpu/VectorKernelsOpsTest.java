package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every non-linear {@link VectorKernels} op against {@link ScalarKernels} on odd shapes, 1 and 2 threads.
 *
 * <p>Bounds, from the math (u = 2^-24): element-wise ops compute {@code FloatMath}'s functions lane by lane, so they
 * are bit-identical to the scalar specification; sums of n terms in
 * another order differ by at most ~2n u times the sum of magnitudes; attention adds the softmax's exp/sum
 * error, bounded by (headDim + tk + 8) u relative to max|v|.
 */
class VectorKernelsOpsTest {
    static final double U = Math.scalb(1.0, -24);
    static final VectorKernels K1 = new VectorKernels(new CpuOptions(1));
    static final VectorKernels K2 = new VectorKernels(new CpuOptions(2));
    static final VectorKernels[] FAST = {K1, K2};
    static final ScalarKernels SCALAR = new ScalarKernels();

    @AfterAll
    static void close() {
        K1.close();
        K2.close();
    }

    static float[] random(SplittableRandom r, int n, double range) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        return a;
    }

    static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Math.abs(a[i]);
        return b;
    }

    interface Bound {
        double at(int i);
    }

    static void near(String what, float[] expected, float[] actual, Bound bound) {
        for (int i = 0; i < expected.length; i++) {
            double b = bound.at(i);
            if (!(Math.abs(expected[i] - actual[i]) <= b) && !(expected[i] == actual[i]) && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                fail(what + ": [" + i + "] scalar " + expected[i] + " vector " + actual[i] + " bound " + b);
            }
        }
    }

    static Bound ulps(float[] expected, int ulps, double absSlack) {
        return i -> ulps * Math.ulp(Math.abs(expected[i])) + absSlack;
    }

    /** Applies an in-place op to copies of x (scalar and vector) and compares within {@code ulps} ulp. */
    static void elementwise(String what, float[] x, int off, int n, int ulps, double slack,
                            java.util.function.BiConsumer<dev.cosyvoice4j.backend.Kernels, float[]> op) {
        elementwise(what, x, off, n, ulps, slack, 0, op);
    }

    /**
     * As above, plus {@code perX * |x_i|}: for results that cancel, e.g. GELU {@code 0.5 x (1 + tanh z)} with
     * tanh near -1, one ulp of tanh (2^-23 near 1, in either implementation) is worth {@code 0.5 |x| 2^-23}.
     */
    static void elementwise(String what, float[] x, int off, int n, int ulps, double slack, double perX,
                            java.util.function.BiConsumer<dev.cosyvoice4j.backend.Kernels, float[]> op) {
        float[] expected = x.clone();
        op.accept(SCALAR, expected);
        for (VectorKernels k : FAST) {
            float[] actual = x.clone();
            op.accept(k, actual);
            Bound b = ulps(expected, ulps, slack);
            near(what + " n " + n + " threads " + k.threads(), expected, actual, i -> b.at(i) + perX * Math.abs(x[i]));
        }
    }

    @Test
    void activationsMatchScalar() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : new int[]{1, 15, 16, 17, 100, 40_001}) {
            for (double range : new double[]{3, 30}) {
                float[] x = random(r, n + 5, range);
                int off = 3, len = n;
                // the transcendental activations are FloatMath's on both sides (VectorMath lanes): bit-identical
                elementwise("silu", x, off, len, 0, 0, (k, a) -> k.silu(a, off, len));
                elementwise("gelu", x, off, len, 0, 0, (k, a) -> k.geluTanh(a, off, len));
                elementwise("mish", x, off, len, 0, 0, (k, a) -> k.mish(a, off, len));
                elementwise("leakyRelu", x, off, len, 0, 0, (k, a) -> k.leakyRelu(a, off, len, 0.1f));
                float[] up = random(r, n, 2);
                elementwise("siluMul", x, 0, n, 0, 0, (k, a) -> k.siluMul(a, a, up, n));
                elementwise("add", x, 0, n, 0, 0, (k, a) -> k.add(a, a, up, n));
            }
        }
        // mish around the softplus threshold and extremes
        float[] edge = {-100f, -20.5f, -1e-3f, 0f, 1e-3f, 19.99f, 20f, 20.01f, 50f, 88f, 89f, 1e10f, Float.NEGATIVE_INFINITY};
        elementwise("mish edges", edge, 0, edge.length, 0, 0, (k, a) -> k.mish(a, 0, edge.length));
    }

    @Test
    void snakeMatchesScalar() {
        SplittableRandom r = new SplittableRandom(2);
        for (int[] s : new int[][]{{1, 1}, {3, 17}, {5, 1000}, {64, 700}}) {
            int c = s[0], t = s[1];
            float[] x = random(r, c * t, 8), alpha = random(r, c, 0.5);
            for (int i = 0; i < c; i++) alpha[i] += 1f; // U(0.5, 1.5) as the fixtures
            Tensor al = Tensor.of(alpha, c);
            float[] expected = x.clone();
            SCALAR.snake(expected, c, t, al);
            for (VectorKernels k : FAST) {
                float[] actual = x.clone();
                k.snake(actual, c, t, al);
                near("snake " + c + "x" + t, expected, actual, i -> 0);       // FloatMath.snake on both sides
            }
        }
    }

    @Test
    void normsAndSoftmaxMatchScalar() {
        SplittableRandom r = new SplittableRandom(3);
        for (int rows : new int[]{1, 7, 33}) {
            for (int dim : new int[]{1, 14, 17, 64, 1025}) {
                float[] x = random(r, rows * dim, 4), w = random(r, dim, 1.5), b = random(r, dim, 1);
                Tensor wt = Tensor.of(w, dim), bt = Tensor.of(b, dim);
                double rel = 4 * (dim + 8) * U;
                float[] e1 = new float[rows * dim];
                SCALAR.rmsNorm(e1, x, rows, dim, wt, 1e-6f);
                float[] e2 = x.clone();
                SCALAR.layerNorm(e2, e2, rows, dim, wt, bt, 1e-5f);
                float[] e3 = new float[rows * dim];
                SCALAR.layerNorm(e3, x, rows, dim, null, null, 1e-5f);
                float[] e4 = x.clone();
                SCALAR.softmaxRows(e4, 0, rows, dim);
                for (VectorKernels k : FAST) {
                    String what = rows + "x" + dim + " threads " + k.threads();
                    float[] a1 = new float[rows * dim];
                    k.rmsNorm(a1, x, rows, dim, wt, 1e-6f);
                    near("rmsNorm " + what, e1, a1, i -> rel * (Math.abs(e1[i]) + 1e-3));
                    float[] a2 = x.clone();
                    k.layerNorm(a2, a2, rows, dim, wt, bt, 1e-5f);
                    // (x - mean) * inv * w + b: the normalised value's error is ~rel, times |w| <= 1.5
                    near("layerNorm " + what, e2, a2, i -> rel * 8 * (Math.abs(e2[i]) + 2));
                    float[] a3 = new float[rows * dim];
                    k.layerNorm(a3, x, rows, dim, null, null, 1e-5f);
                    near("layerNorm no affine " + what, e3, a3, i -> rel * 8 * (Math.abs(e3[i]) + 1));
                    float[] a4 = x.clone();
                    k.softmaxRows(a4, 0, rows, dim);
                    near("softmax " + what, e4, a4, i -> rel * 4 * (Math.abs(e4[i]) + 1e-7));
                }
            }
        }
        float[] inf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, Float.NEGATIVE_INFINITY};
        float[] e = inf.clone();
        SCALAR.softmaxRows(e, 0, 2, 2);
        for (VectorKernels k : FAST) {
            float[] a = inf.clone();
            k.softmaxRows(a, 0, 2, 2);
            assertArrayEquals(e, a, "softmax of a fully masked row is zeros");
        }
    }

    @Test
    void attentionMatchesScalarForMasksAndGroups() {
        SplittableRandom r = new SplittableRandom(4);
        int[][] headConfigs = {{2, 2}, {4, 2}, {3, 1}, {14, 2}};
        for (int[] hc : headConfigs) {
            for (int hd : new int[]{14, 16, 64}) {
                for (int[] t : new int[][]{{1, 1}, {1, 37}, {7, 7}, {33, 40}, {70, 70}}) {
                    int tq = t[0], tk = t[1], heads = hc[0], kvHeads = hc[1];
                    AttentionMask[] masks = {AttentionMask.causal(tk - tq), AttentionMask.causal(0), AttentionMask.full(tk),
                            AttentionMask.full(Math.max(0, tk - 3)), AttentionMask.chunk(5, tk), AttentionMask.chunk(16, tk - 1)};
                    float[] q = random(r, tq * heads * hd, 2), k = random(r, tk * kvHeads * hd, 2), v = random(r, tk * kvHeads * hd, 3);
                    float scale = (float) (1 / Math.sqrt(hd));
                    for (AttentionMask mask : masks) {
                        float[] expected = new float[tq * heads * hd];
                        SCALAR.attention(expected, q, k, v, tq, tk, heads, kvHeads, hd, scale, mask);
                        double bound = 8 * (hd + tk + 8) * U * 3 + 1e-30;
                        for (VectorKernels kk : FAST) {
                            float[] actual = new float[tq * heads * hd];
                            Arrays.fill(actual, Float.NaN);
                            kk.attention(actual, q, k, v, tq, tk, heads, kvHeads, hd, scale, mask);
                            near("attention heads " + heads + "/" + kvHeads + " hd " + hd + " tq " + tq + " tk " + tk + " " + mask
                                    + " threads " + kk.threads(), expected, actual, i -> bound);
                        }
                    }
                }
            }
        }
    }

    @Test
    void ropeMatchesScalar() {
        SplittableRandom r = new SplittableRandom(5);
        for (int hd : new int[]{14, 16, 64}) {
            float[] invFreq = new float[hd / 2];
            for (int i = 0; i < hd / 2; i++) invFreq[i] = (float) Math.pow(10000, -2.0 * i / hd);
            int rows = 9, heads = 3;
            float[] x = random(r, rows * heads * hd, 2);
            for (int start : new int[]{0, 5, 600}) {
                float[] e = x.clone();
                SCALAR.ropeNeox(e, rows, heads, hd, start, invFreq);
                for (VectorKernels k : FAST) {
                    float[] a = x.clone();
                    k.ropeNeox(a, rows, heads, hd, start, invFreq);
                    near("ropeNeox hd " + hd + " start " + start, e, a, i -> 8 * U * 4);
                }
            }
            int stride = heads * hd + 3;
            float[] y = random(r, rows * stride, 2);
            float[] e = y.clone();
            SCALAR.ropeInterleaved(e, rows, stride, hd, invFreq);
            for (VectorKernels k : FAST) {
                float[] a = y.clone();
                k.ropeInterleaved(a, rows, stride, hd, invFreq);
                near("ropeInterleaved hd " + hd, e, a, i -> 8 * U * 4);
            }
        }
    }

    @Test
    void conv1dF64MatchesScalar() {
        SplittableRandom r = new SplittableRandom(16);
        // cin, cout, k, tp: whole 4-channel groups and 3-vector frame blocks, ragged channels and frames, k != 3
        int[][] cases = {{8, 8, 3, 2 + 48}, {80, 12, 3, 143}, {5, 7, 3, 30}, {6, 4, 5, 40}, {3, 9, 1, 26}, {512, 8, 3, 142}};
        for (int[] c : cases) {
            int cin = c[0], cout = c[1], kw = c[2], tp = c[3], tOut = tp - kw + 1;
            double[] x = new double[cin * tp], scale = new double[cout], bias = new double[cout];
            for (int i = 0; i < x.length; i++) x[i] = 4 * r.nextDouble() - 2;
            for (int i = 0; i < cout; i++) { scale[i] = r.nextDouble() + 0.5; bias[i] = r.nextDouble() - 0.5; }
            Tensor v = VectorLinearTest.nativeTensor(random(r, cout * cin * kw, 1), cout, cin, kw);
            double[] expected = new double[cout * tOut];
            SCALAR.conv1dF64(expected, x, cin, tp, v, scale, bias, cout, kw);
            for (VectorKernels k : FAST) {
                double[] actual = new double[cout * tOut];
                k.conv1dF64(actual, x, cin, tp, v, scale, bias, cout, kw);
                for (int i = 0; i < expected.length; i++) {
                    // float64 sums of cin * k products in another order: within a few ulps of the terms' magnitude
                    assertEquals(expected[i], actual[i], 1e-13 * cin * kw * 4, Arrays.toString(c) + " threads " + k.threads() + " at " + i);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> K1.conv1dF64(new double[4], new double[12], 3, 4,
                VectorLinearTest.nativeTensor(new float[12], 2, 2, 3), new double[2], new double[2], 2, 3));
    }

    @Test
    void conv1dMatchesScalar() {
        SplittableRandom r = new SplittableRandom(6);
        // cin, cout, k, t, stride, padL, padR, dilation, groups
        int[][] cases = {
                {1, 1, 1, 1, 1, 0, 0, 1, 1}, {3, 5, 3, 17, 1, 1, 1, 1, 1}, {4, 13, 7, 100, 1, 3, 3, 3, 1},
                {16, 16, 31, 50, 1, 15, 15, 1, 16}, {32, 32, 31, 70, 1, 15, 15, 1, 16}, {8, 12, 5, 41, 2, 2, 2, 1, 2},
                {6, 9, 3, 33, 3, 0, 2, 2, 3}, {24, 20, 11, 300, 1, 15, 15, 3, 1}, {64, 40, 3, 129, 1, 2, 0, 1, 1},
                {5, 7, 4, 9, 1, 3, 0, 1, 1}, {2, 4, 9, 5, 1, 0, 0, 1, 2},
                // grouped, stride 1 (GroupedConv): DiT-like causal 64-channel groups, ragged 13-channel groups with
                // dilation and right padding, no padding
                {128, 128, 31, 100, 1, 30, 0, 1, 2}, {24, 26, 5, 37, 1, 2, 3, 2, 2}, {8, 8, 3, 40, 1, 0, 0, 1, 4}};
        for (int[] c : cases) {
            int cin = c[0], cout = c[1], kw = c[2], t = c[3];
            ConvSpec spec = ConvSpec.of(c[4], c[5], c[6], c[7], c[8]);
            int tOut = spec.outLength(t, kw);
            if (tOut <= 0) continue;
            float[] x = random(r, cin * t, 2), w = random(r, cout * (cin / spec.groups()) * kw, 1), b = random(r, cout, 1);
            Tensor wt = VectorLinearTest.nativeTensor(w, cout, cin / spec.groups(), kw), bt = Tensor.of(b, cout);
            float[] expected = new float[cout * tOut], mag = new float[cout * tOut];
            SCALAR.conv1d(expected, x, cin, t, wt, bt, spec);
            SCALAR.conv1d(mag, abs(x), cin, t, Tensor.of(abs(w), cout, cin / spec.groups(), kw), Tensor.of(abs(b), cout), spec);
            int kDim = cin / spec.groups() * kw;
            for (VectorKernels k : FAST) {
                float[] actual = new float[cout * tOut];
                k.conv1d(actual, x, cin, t, wt, bt, spec);
                near("conv1d " + Arrays.toString(c) + " threads " + k.threads(), expected, actual, i -> 2 * (kDim + 4) * U * mag[i] * 1.01);
            }
        }
    }

    @Test
    void convTranspose1dMatchesScalar() {
        SplittableRandom r = new SplittableRandom(7);
        // cin, cout, k, t, stride, padding
        // the last case spans several chunks of the bounded scratch (2^20 floats / (64 x 7) = 2340 frames)
        int[][] cases = {{1, 1, 1, 1, 1, 0}, {3, 5, 16, 7, 8, 4}, {16, 8, 11, 33, 5, 3}, {8, 4, 7, 50, 3, 2}, {40, 20, 4, 13, 2, 1}, {5, 3, 3, 9, 1, 1}, {2, 64, 7, 5000, 3, 2}};
        for (int[] c : cases) {
            int cin = c[0], cout = c[1], kw = c[2], t = c[3], stride = c[4], pad = c[5];
            int tOut = (t - 1) * stride - 2 * pad + kw;
            float[] x = random(r, cin * t, 2), w = random(r, cin * cout * kw, 1), b = random(r, cout, 1);
            Tensor wt = VectorLinearTest.nativeTensor(w, cin, cout, kw), bt = Tensor.of(b, cout);
            float[] expected = new float[cout * tOut], mag = new float[cout * tOut];
            SCALAR.convTranspose1d(expected, x, cin, t, wt, bt, stride, pad);
            SCALAR.convTranspose1d(mag, abs(x), cin, t, Tensor.of(abs(w), cin, cout, kw), Tensor.of(abs(b), cout), stride, pad);
            int terms = cin * ((kw + stride - 1) / stride) + 1;
            for (VectorKernels k : FAST) {
                float[] actual = new float[cout * tOut];
                k.convTranspose1d(actual, x, cin, t, wt, bt, stride, pad);
                near("convTranspose1d " + Arrays.toString(c) + " threads " + k.threads(), expected, actual, i -> 2 * (terms + 4) * U * mag[i] * 1.01);
            }
        }
    }

    @Test
    void concurrentCallersGetTheSameResults() throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        int rows = 40, n = 96, kd = 200, tq = 20, heads = 4, hd = 64;
        float[] x = random(r, rows * kd, 1), w = random(r, n * kd, 1);
        Tensor wt = VectorLinearTest.nativeTensor(w, n, kd);
        float[] q = random(r, tq * heads * hd, 1), kv = random(r, tq * 2 * hd, 1);
        float[] refLinear = new float[rows * n], refAttn = new float[tq * heads * hd], refVec = new float[n];
        K1.linear(refLinear, x, rows, wt, null);
        K1.linear(refVec, x, 1, wt, null);
        K1.attention(refAttn, q, kv, kv, tq, tq, heads, 2, hd, 0.125f, AttentionMask.causal(0));
        // summation order does not depend on the thread split: results are bitwise equal
        Consumer<VectorKernels> work = k -> {
            for (int it = 0; it < 15; it++) {
                float[] o = new float[rows * n], a = new float[tq * heads * hd], v = new float[n];
                k.linear(o, x, rows, wt, null);
                k.linear(v, x, 1, wt, null);
                k.attention(a, q, kv, kv, tq, tq, heads, 2, hd, 0.125f, AttentionMask.causal(0));
                assertArrayEquals(refLinear, o);
                assertArrayEquals(refVec, v);
                assertArrayEquals(refAttn, a);
            }
        };
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try {
                    work.accept(K2);
                } catch (Throwable t) {
                    synchronized (failure) {
                        failure[0] = t;
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) t.join();
        if (failure[0] != null) throw new AssertionError("concurrent caller failed", failure[0]);
    }
}
