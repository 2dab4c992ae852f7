package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.host.GgmlQuant;
import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static dev.cosyvoice4j.backend.TestArrays.magnitude;
import static dev.cosyvoice4j.backend.TestArrays.random;
import static dev.cosyvoice4j.backend.TestArrays.scalarLinear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Q8_0 / Q4_0: ggml byte layout (the same bytes as {@link GgmlQuant}), dequantisation error bounds versus float32,
 * and the cpu backend's quantised linear kernels against the scalar specification (which dequantises through
 * {@link Tensor#getFloat}); a float32 sum of K products in another order differs by at most
 * {@code 2 (K + 2) u sum|x_i w_i|}.
 *
 * <p>Per-weight error versus float32, with {@code amax} the block's largest |x| and {@code e16 = 2^-11} the
 * float16 relative rounding of the scale: Q8_0 {@code <= amax/254 + 127 * (amax/127) * e16}; Q4_0
 * {@code <= amax/16 + 8 * (amax/8) * e16} (q - 8 is at most 8 in magnitude). A linear output's error is then at
 * most {@code sum_i |x_i| * err_i}.
 */
class QuantizedWeightsTest {
    static final double U = Math.scalb(1.0, -24), E16 = Math.scalb(1.0, -11);
    static final CpuBackend K1 = new CpuBackend(BackendOptions.defaults().withThreads(1));
    static final CpuBackend K2 = new CpuBackend(BackendOptions.defaults().withThreads(2));

    @AfterAll
    static void close() {
        K1.close();
        K2.close();
    }

    @Test
    void q8BlockMatchesGgmlLayout() {
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = i - 12.5f; // amax 18.5 at i = 31
        Tensor q = QuantizedWeights.quantize(Tensor.of(x, 1, 32), DType.Q8_0);
        assertEquals(34, q.data().byteSize());
        float d = 18.5f / 127f;
        assertEquals(Float.floatToFloat16(d), q.data().get(Tensor.I16_LE, 0), "fp16 scale first, little-endian");
        for (int i = 0; i < 32; i++) {
            float v = x[i] / d;
            int expected = (int) Math.signum(v) * Math.round(Math.abs(v)); // roundf: halves away from zero
            assertEquals(expected, q.data().get(ValueLayout.JAVA_BYTE, 2 + i), "q[" + i + "]");
        }
        assertEquals(127, q.data().get(ValueLayout.JAVA_BYTE, 2 + 31));
    }

    @Test
    void q4BlockMatchesGgmlLayout() {
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = (i % 7) - 3f;
        x[20] = -9f; // signed extreme: d = -9 / -8 > 0, x[20] -> q 0
        Tensor q = QuantizedWeights.quantize(Tensor.of(x, 1, 32), DType.Q4_0);
        assertEquals(18, q.data().byteSize());
        float d = -9f / -8f, id = 1f / d;
        assertEquals(Float.floatToFloat16(d), q.data().get(Tensor.I16_LE, 0));
        for (int j = 0; j < 16; j++) {
            int b = q.data().get(ValueLayout.JAVA_BYTE, 2 + j) & 0xff;
            assertEquals(Math.min(15, (int) (x[j] * id + 8.5f)), b & 15, "low nibble " + j);
            assertEquals(Math.min(15, (int) (x[j + 16] * id + 8.5f)), b >>> 4, "high nibble " + (j + 16));
        }
        assertEquals(0, (q.data().get(ValueLayout.JAVA_BYTE, 2 + 4) & 0xff) >>> 4);
        assertEquals(-9f * Float.float16ToFloat(Float.floatToFloat16(d)) / d, q.getFloat(20), 0f);
    }

    @Test
    void dequantisationErrorWithinBound() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 7, k = 96;
        float[] w = random(r, n * k);
        w[5] = 0; // a zero among values; and an all-zero block:
        for (int i = 32; i < 64; i++) w[k + i] = 0;
        for (DType type : new DType[]{DType.Q8_0, DType.Q4_0}) {
            Tensor q = QuantizedWeights.quantize(Tensor.of(w, n, k), type);
            assertEquals(type.storageBytes((long) n * k), q.data().byteSize());
            float[] deq = q.toFloatArray();
            for (int b = 0; b < n * k / 32; b++) {
                double amax = 0;
                for (int i = b * 32; i < b * 32 + 32; i++) amax = Math.max(amax, Math.abs(w[i]));
                double bound = type == DType.Q8_0 ? amax / 254 + amax * E16 : amax / 8 + amax * E16;
                for (int i = b * 32; i < b * 32 + 32; i++) {
                    if (!(Math.abs(deq[i] - w[i]) <= bound * (1 + 1e-6))) fail(type + " [" + i + "] " + w[i] + " -> " + deq[i] + " bound " + bound);
                }
            }
            Tensor row = q.select(1);
            assertEquals(deq[k + 3], row.getFloat(3), 0f, "select keeps block layout");
        }
    }

    @Test
    void quantisedLinearMatchesScalarAndFloat32WithinBounds() {
        SplittableRandom r = new SplittableRandom(2);
        int[][] shapes = {{1, 5, 32}, {1, 37, 96}, {1, 130, 896}, {3, 33, 64}, {17, 70, 256}, {20, 64, 544}};
        for (int[] s : shapes) {
            int rows = s[0], n = s[1], k = s[2];
            float[] x = random(r, rows * k), w = random(r, n * k), b = random(r, n);
            float[] f32 = new float[rows * n];
            scalarLinear(f32, x, rows, Tensor.of(w, n, k), Tensor.of(b, n));
            for (DType type : new DType[]{DType.Q8_0, DType.Q4_0}) {
                Tensor q = QuantizedWeights.quantize(Tensor.of(w, n, k), type);
                float[] deq = q.toFloatArray();
                float[] expected = new float[rows * n];
                scalarLinear(expected, x, rows, q, Tensor.of(b, n));
                for (CpuBackend kk : new CpuBackend[]{K1, K2}) {
                    float[] actual = new float[rows * n];
                    kk.linear(HostBuf.wrap(actual, 0, rows, n), HostBuf.wrap(x, 0, rows, k), q, Tensor.of(b, n));
                    String what = type + " " + rows + "x" + n + "x" + k + " threads " + kk.threads();
                    for (int m = 0; m < rows; m++) {
                        for (int j = 0; j < n; j++) {
                            double bound = 2 * (k + 2) * U * magnitude(x, m, deq, j, k, b);
                            if (!(Math.abs(actual[m * n + j] - expected[m * n + j]) <= bound)) {
                                fail(what + " vs scalar out[" + m + ", " + j + "] " + actual[m * n + j] + " vs "
                                        + expected[m * n + j] + " bound " + bound);
                            }
                        }
                    }
                    for (int m = 0; m < rows; m++) {
                        for (int j = 0; j < n; j++) {
                            double bound = 0;
                            for (int blk = 0; blk < k / 32; blk++) {
                                double amax = 0, sx = 0;
                                for (int i = blk * 32; i < blk * 32 + 32; i++) {
                                    amax = Math.max(amax, Math.abs(w[j * k + i]));
                                    sx += Math.abs(x[m * k + i]);
                                }
                                bound += sx * (type == DType.Q8_0 ? amax / 254 + amax * E16 : amax / 8 + amax * E16);
                            }
                            bound += 4 * (k + 2) * U * magnitude(x, m, w, j, k, b);
                            double err = Math.abs(actual[m * n + j] - f32[m * n + j]);
                            if (!(err <= bound)) fail(what + " vs f32 out[" + m + ", " + j + "] err " + err + " bound " + bound);
                        }
                    }
                }
            }
        }
    }

    @Test
    void quantisedBytesEqualTheSharedGgmlQuantiser() {
        float[] w = random(new SplittableRandom(3), 5 * 96);
        w[7] = 0;
        for (int i = 96; i < 128; i++) w[i] = 0;                     // an all-zero block
        for (DType type : new DType[]{DType.Q8_0, DType.Q4_0}) {
            Tensor mine = QuantizedWeights.quantize(Tensor.of(w, 5, 96), type), shared = GgmlQuant.quantize(Tensor.of(w, 5, 96), type);
            assertArrayEquals(shared.data().toArray(ValueLayout.JAVA_BYTE), mine.data().toArray(ValueLayout.JAVA_BYTE), type.toString());
        }
    }

    @Test
    void bf16ProductsOfBlocksAreTheSameWithAPackedCopyOrWithout() {
        try (CpuBackend noCopy = new CpuBackend(BackendOptions.defaults().withThreads(2).withQuantizedBf16Copies(false))) {
            if (!K2.supports(dev.cosyvoice4j.backend.Precision.BF16)) return;          // no oneDNN here: nothing to compare
            SplittableRandom r = new SplittableRandom(9);
            for (DType type : new DType[] {DType.Q8_0, DType.Q4_0}) {
                int n = 70, k = 256, rows = 40;
                float[] w = random(r, n * k), x = random(r, rows * k), b = random(r, n);
                Tensor blocks = QuantizedWeights.quantize(Tensor.of(w, n, k), type);
                Tensor copied = K2.prepare(blocks, dev.cosyvoice4j.backend.WeightKind.LINEAR, dev.cosyvoice4j.backend.Precision.BF16, null);
                Tensor written = noCopy.prepare(blocks, dev.cosyvoice4j.backend.WeightKind.LINEAR, dev.cosyvoice4j.backend.Precision.BF16, null);
                assertEquals(type, copied.dtype(), "the blocks stay (decode steps read them)");
                float[] viaCopy = product(K2, copied, x, rows, b), viaBlocks = product(noCopy, written, x, rows, b);
                float[] deq = blocks.toFloatArray();
                for (int i = 0; i < viaCopy.length; i++) {
                    // the same bf16 operands; the two layouts may sum in another order
                    double bound = 2 * (k + 2) * U * magnitude(x, i / n, deq, i % n, k, b) + Float.MIN_VALUE;
                    assertEquals(viaBlocks[i], viaCopy[i], bound, type + " output " + i);
                }
                assertArrayEquals(product(K2, blocks, x, 1, b), product(K2, copied, x, 1, b), "one row: the blocks' own kernel");
            }
        }
    }

    private static float[] product(CpuBackend be, Tensor w, float[] x, int rows, float[] b) {
        int n = w.dim(0), k = w.dim(1);
        var out = be.alloc(rows, n);
        be.linear(out, be.upload(java.util.Arrays.copyOf(x, rows * k), rows, k), w, Tensor.of(b, n));
        return be.read(out);
    }

    @Test
    void rejectsBadShapesAndTypes() {
        assertThrows(IllegalArgumentException.class, () -> QuantizedWeights.quantize(Tensor.of(new float[40], 1, 40), DType.Q8_0));
        assertThrows(IllegalArgumentException.class, () -> QuantizedWeights.quantize(Tensor.of(new float[32], 1, 32), DType.F16));
        assertThrows(IllegalStateException.class, DType.Q4_0::byteSize);
    }
}
