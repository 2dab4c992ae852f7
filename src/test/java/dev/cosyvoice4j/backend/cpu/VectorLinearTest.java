package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * linear / matmul of {@link VectorKernels} against {@link ScalarKernels} on ragged shapes.
 *
 * <p>Error bound (from the math, not tuned): a float32 sum of K products computed in any order is within
 * {@code gamma_K * sum|x_i w_i|} of the exact value, {@code gamma_K ~ K * 2^-24}; both implementations obey it, so
 * they differ by at most {@code 2 * (K + 2) * 2^-24 * (sum|x_i w_i| + |bias|)} per element.
 */
class VectorLinearTest {
    static final double U = Math.scalb(1.0, -24);
    static final VectorKernels K1 = new VectorKernels(new CpuOptions(1));
    static final VectorKernels K2 = new VectorKernels(new CpuOptions(2));
    static final ScalarKernels SCALAR = new ScalarKernels();

    @AfterAll
    static void close() {
        K1.close();
        K2.close();
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** A float32 [n, k] tensor in native memory (as a memory-mapped checkpoint). */
    static Tensor nativeTensor(float[] v, long... shape) {
        MemorySegment seg = Arena.ofAuto().allocate((long) v.length * 4, 64);
        MemorySegment.copy(v, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, v.length);
        return new Tensor(DType.F32, shape, seg);
    }

    /** Per-element bound sum_i |x_i w_i| + |b| for out[m, j]. */
    static double magnitude(float[] x, int m, float[] w, int j, int k, float[] b) {
        double s = b == null ? 0 : Math.abs(b[j]);
        for (int i = 0; i < k; i++) s += Math.abs((double) x[m * k + i] * w[j * k + i]);
        return s;
    }

    static void check(String what, float[] expected, float[] actual, int rows, int n, int k, float[] x, float[] w, float[] b) {
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < n; j++) {
                double bound = 2 * (k + 2) * U * magnitude(x, m, w, j, k, b) + 1e-30;
                float e = expected[m * n + j], a = actual[m * n + j];
                if (!(Math.abs(e - a) <= bound)) {
                    fail(what + ": out[" + m + ", " + j + "] scalar " + e + " vector " + a + " bound " + bound);
                }
            }
        }
    }

    @Test
    void linearMatchesScalarOnRaggedShapes() {
        SplittableRandom r = new SplittableRandom(7);
        int[] rowsList = {1, 2, 7, 15, 16, 17, 33, 40};
        int[][] nk = {{1, 1}, {5, 3}, {17, 16}, {33, 31}, {64, 48}, {70, 100}, {31, 400}, {96, 385}, {40, 17}};
        for (int rows : rowsList) {
            for (int[] s : nk) {
                int n = s[0], k = s[1];
                float[] x = random(r, rows * k), w = random(r, n * k), b = random(r, n);
                for (boolean withBias : new boolean[]{false, true}) {
                    Tensor wt = r.nextBoolean() ? nativeTensor(w, n, k) : Tensor.of(w, n, k);
                    Tensor bt = withBias ? Tensor.of(b, n) : null;
                    float[] expected = new float[rows * n];
                    SCALAR.linear(expected, x, rows, wt, bt);
                    for (VectorKernels vk : new VectorKernels[]{K1, K2}) {
                        float[] actual = new float[rows * n + 3];
                        java.util.Arrays.fill(actual, Float.NaN);
                        vk.linear(actual, x, rows, wt, bt);
                        String what = "linear rows " + rows + " n " + n + " k " + k + " bias " + withBias + " threads " + vk.threads();
                        check(what, expected, actual, rows, n, k, x, w, withBias ? b : null);
                        for (int i = rows * n; i < actual.length; i++) assertEquals(Float.NaN, actual[i], what + ": wrote past the output");
                    }
                }
            }
        }
    }

    @Test
    void tailRowsOfTheGemmEqualTheSameRowsInAFullPanel() {
        // rows past the last whole 12-row panel go through the 4-row (1..4 rows), 8-row (5..8) or padded 12-row kernel:
        // each value must be the same FMA chain as when that row sits inside a full panel
        SplittableRandom r = new SplittableRandom(11);
        int n = 96, k = 300;
        float[] w = random(r, n * k), b = random(r, n), x = random(r, 48 * k);
        Gemm.SegmentNK wt = new Gemm.SegmentNK(nativeTensor(w, n, k).data(), n, k);
        try (KernelPool one = new KernelPool(1, 100); KernelPool two = new KernelPool(2, 100)) {
            float[] full = new float[48 * n];
            Gemm.gemm(one, full, 0, new Gemm.ArrayA(x, 0), 48, n, k, wt, b);
            for (int rows = 36; rows <= 47; rows++) {
                for (KernelPool pool : new KernelPool[] {one, two}) {
                    float[] part = new float[rows * n];
                    Gemm.gemm(pool, part, 0, new Gemm.ArrayA(x, 0), rows, n, k, wt, b);
                    assertArrayEquals(java.util.Arrays.copyOf(full, rows * n), part, rows + " rows, " + pool.threads() + " threads");
                }
            }
        }
    }

    @Test
    void matmulMatchesScalarBothLayouts() {
        SplittableRandom r = new SplittableRandom(11);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {12, 32, 16}, {13, 33, 17}, {40, 70, 64}, {25, 314, 64}, {7, 64, 314}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean transB : new boolean[]{false, true}) {
                int aOff = 3, bOff = 5, cOff = 2;
                float[] a = random(r, aOff + m * k), b = random(r, bOff + n * k);
                float[] expected = new float[cOff + m * n];
                SCALAR.matmul(expected, cOff, a, aOff, b, bOff, m, n, k, transB);
                // magnitude with w[j, i] = b'(i, j) laid out as [n, k]
                float[] x = java.util.Arrays.copyOfRange(a, aOff, aOff + m * k), w = new float[n * k];
                for (int j = 0; j < n; j++) for (int i = 0; i < k; i++) w[j * k + i] = transB ? b[bOff + j * k + i] : b[bOff + i * n + j];
                for (VectorKernels vk : new VectorKernels[]{K1, K2}) {
                    float[] actual = new float[cOff + m * n];
                    java.util.Arrays.fill(actual, Float.NaN);
                    vk.matmul(actual, cOff, a, aOff, b, bOff, m, n, k, transB);
                    check("matmul " + m + "x" + n + "x" + k + " transB " + transB + " threads " + vk.threads(),
                            java.util.Arrays.copyOfRange(expected, cOff, expected.length),
                            java.util.Arrays.copyOfRange(actual, cOff, actual.length), m, n, k, x, w, null);
                    for (int i = 0; i < cOff; i++) assertEquals(Float.NaN, actual[i], "wrote before cOff");
                }
            }
        }
    }
}
