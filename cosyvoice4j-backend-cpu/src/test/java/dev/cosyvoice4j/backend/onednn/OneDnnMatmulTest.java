package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.backend.cpu.CpuBackend;
import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link OneDnnMatmul} against the scalar backend's {@code linear} on odd shapes. Error bounds, per output element with
 * {@code S = sum_k |x_k w_k| + |bias|} and {@code u = 2^-24} (f32 unit roundoff):
 * <ul>
 *   <li>BF16: rounding x and w to bf16 (8-bit significand, round to nearest even) perturbs each product by a
 *       relative {@code (1 + 2^-9)^2 - 1 <= 2^-8 + 2^-18}; bf16 x bf16 products are exact in f32, and both
 *       oneDNN's and the scalar reference's f32 sums of K+1 terms add at most {@code (K+1) u S} each:
 *       {@code |err| <= (2^-8 + 2^-18 + 2.02 (K+1) u) S}.</li>
 *   <li>F32: only the two summation orders differ: {@code |err| <= 2.02 (K+1) u S} (a relative ~1e-5 of S for
 *       the K here).</li>
 *   <li>BF16 is also checked against the exact product of the bf16-ROUNDED operands (double sums): that error is
 *       only the f32 summation, {@code 1.01 (K+1) u S}, which proves both operands really are rounded to
 *       nearest-even bf16 and nothing else.</li>
 * </ul>
 */
class OneDnnMatmulTest {
    private static final double U = 0x1p-24;
    private static final int[] ROWS = {1, 7, 33, 300};
    private static final int[][] KN = {{37, 19}, {100, 67}, {1000, 333}};

    private OneDnn lib;

    /** Per test (not per class), so that each test is reported as skipped when the library is absent. */
    @BeforeEach
    void load() {
        lib = OneDnnTestSupport.library();
    }

    @Test
    void bf16MatchesScalarWithinTheBf16RoundingBound() {
        checkShapes(Precision.BF16, false);
    }

    @Test
    void f32MatchesScalarWithinTheSummationBound() {
        checkShapes(Precision.F32, false);
    }

    @Test
    void nativeWeightsLikeMappedCheckpoints() {
        checkShapes(Precision.BF16, true);
        checkShapes(Precision.F32, true);
    }

    private void checkShapes(Precision p, boolean nativeWeights) {
        // Heap runs use the default row bucket (padded rows), native runs exact row counts.
        OneDnnMatmul mm = nativeWeights ? new OneDnnMatmul(lib, p, 2, 1) : new OneDnnMatmul(lib, p, 2);
        SplittableRandom rnd = new SplittableRandom(p.ordinal() * 31L + (nativeWeights ? 7 : 0));
        try (Arena arena = Arena.ofConfined()) {
            // The scalar oracle is slow on native memory: the large shape runs once per precision, on the heap.
            for (int[] kn : nativeWeights ? Arrays.copyOf(KN, KN.length - 1) : KN) {
                int k = kn[0], n = kn[1];
                Tensor w = weights(random(rnd, n * k, 1), n, k, nativeWeights ? arena : null);
                for (int rows : ROWS) {
                    Tensor bias = rows % 2 == 1 ? Tensor.of(random(rnd, n, 1), n) : null;
                    float[] x = random(rnd, rows * k, 2);
                    check(mm, x, rows, w, bias, p, "rows=" + rows + " k=" + k + " n=" + n);
                }
            }
        }
    }

    @Test
    void eachWeightIsReportedOnceWhenItsConvertedCopyExists() {
        List<Tensor> packed = new ArrayList<>();
        OneDnnMatmul mm = new OneDnnMatmul(lib, Precision.BF16, 2, 16, packed::add);
        SplittableRandom rnd = new SplittableRandom(9);
        Tensor a = Tensor.of(random(rnd, 24 * 64, 1), 24, 64), b = Tensor.of(random(rnd, 40 * 64, 1), 40, 64);
        float[] x = random(rnd, 20 * 64, 1), out = new float[20 * 40];
        mm.linear(out, x, 20, a, null);
        mm.linear(out, x, 20, a, null);
        mm.linear(out, x, 17, a, null);
        assertEquals(List.of(a), packed);
        mm.linear(out, x, 20, b, null);
        assertEquals(List.of(a, b), packed);
    }

    @Test
    void bf16RoundsBothOperandsToNearestEven() {
        OneDnnMatmul mm = new OneDnnMatmul(lib, Precision.BF16, 2);
        SplittableRandom rnd = new SplittableRandom(5);
        int rows = 33, k = 517, n = 45;
        float[] wv = random(rnd, n * k, 1), x = random(rnd, rows * k, 3);
        float[] out = new float[rows * n];
        mm.linear(out, x, rows, Tensor.of(wv, n, k), null);
        double worst = 0;
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < n; j++) {
                double exact = 0, s = 0;
                for (int i = 0; i < k; i++) {
                    double prod = (double) Bf16.toFloat(Bf16.fromFloat(x[m * k + i]))
                            * Bf16.toFloat(Bf16.fromFloat(wv[j * k + i]));
                    exact += prod;
                    s += Math.abs(prod);
                }
                double err = Math.abs(out[m * n + j] - exact), bound = 1.01 * (k + 1) * U * s;
                if (err > bound) fail("element " + m + "," + j + ": " + out[m * n + j] + " vs " + exact + " bound " + bound);
                worst = Math.max(worst, err / bound);
            }
        }
        assertTrue(worst <= 1, "worst error/bound " + worst);
    }

    @Test
    void bf16WeightTensorsAreAccepted() {
        SplittableRandom rnd = new SplittableRandom(9);
        int rows = 20, k = 70, n = 30;
        short[] bits = new short[n * k];
        for (int i = 0; i < bits.length; i++) bits[i] = Bf16.fromFloat((float) (rnd.nextDouble() * 2 - 1));
        Tensor w = new Tensor(DType.BF16, new long[] {n, k}, MemorySegment.ofArray(bits));
        float[] x = random(rnd, rows * k, 1);
        Tensor bias = Tensor.of(random(rnd, n, 1), n);
        for (Precision p : Precision.values()) check(new OneDnnMatmul(lib, p, 1), x, rows, w, bias, p, "bf16 weights " + p);
    }

    @Test
    void oneWeightIsConvertedOnceForAllRowCounts() {
        OneDnnMatmul mm = new OneDnnMatmul(lib, Precision.BF16, 2);
        SplittableRandom rnd = new SplittableRandom(11);
        int k = 256, n = 384;
        Tensor w = Tensor.of(random(rnd, n * k, 1), n, k);
        long afterFirst = -1;
        for (int rows : new int[] {16, 33, 300, 33}) {
            check(mm, random(rnd, rows * k, 1), rows, w, null, Precision.BF16, "rows=" + rows);
            if (afterFirst < 0) afterFirst = mm.packedBytes();
            assertEquals(afterFirst, mm.packedBytes(), "weight converted again for rows=" + rows);
        }
        assertTrue(afterFirst >= (long) n * k * 2, "packed bytes " + afterFirst);
    }

    @Test
    void unmappedWeightMemoryIsNeverServedStale() {
        // A model reloaded after close may get its weights at the same address: the cache must notice.
        OneDnnMatmul mm = new OneDnnMatmul(lib, Precision.F32, 2);
        SplittableRandom rnd = new SplittableRandom(13);
        int rows = 24, k = 64, n = 48;
        for (int round = 0; round < 3; round++) {
            try (Arena arena = Arena.ofShared()) {
                Tensor w = weights(random(rnd, n * k, 1), n, k, arena);
                check(mm, random(rnd, rows * k, 1), rows, w, null, Precision.F32, "round " + round);
            }
        }
    }

    @Test
    void twoThreadsAtOnceGiveCorrectResults() throws Exception {
        OneDnnMatmul mm = new OneDnnMatmul(lib, Precision.BF16, 2);
        SplittableRandom rnd = new SplittableRandom(17);
        int k = 192, n = 160;
        Tensor shared = Tensor.of(random(rnd, n * k, 1), n, k); // first use races between the threads
        Tensor own0 = Tensor.of(random(rnd, n * k, 1), n, k), own1 = Tensor.of(random(rnd, n * k, 1), n, k);
        Tensor bias = Tensor.of(random(rnd, n, 1), n);
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int rows = t == 0 ? 40 : 57;
                Tensor own = t == 0 ? own0 : own1;
                SplittableRandom r = rnd.split();
                done.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    for (int it = 0; it < 12; it++) {
                        check(mm, random(r, rows * k, 1), rows, it % 2 == 0 ? shared : own, bias, Precision.BF16,
                                "thread rows=" + rows + " it=" + it);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void argumentsAreChecked() {
        OneDnnMatmul mm = new OneDnnMatmul(lib, Precision.BF16, 1);
        Tensor w = Tensor.of(new float[6], 2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> mm.linear(new float[4], new float[5], 2, w, null));
        assertTrue(e.getMessage().contains("x has 5 values"), e.getMessage());
        mm.linear(new float[0], new float[0], 0, w, null); // no rows: nothing to do
        assertThrows(IllegalArgumentException.class, () -> new OneDnnMatmul(lib, Precision.F32, 0));
        assertThrows(IllegalArgumentException.class, () -> new OneDnnMatmul(lib, Precision.F32, 1, 0));
    }

    @Test
    void cpuBackendRunsBf16PreparedWeightsInOneDnnFromSixteenRowsAndFewerInJava() {
        SplittableRandom rnd = new SplittableRandom(19);
        int k = 96, n = 40;
        Tensor w = Tensor.of(random(rnd, n * k, 1), n, k), bias = Tensor.of(random(rnd, n, 1), n);
        OneDnnMatmul direct = new OneDnnMatmul(lib, Precision.BF16, 2);
        try (CpuBackend cpu = new CpuBackend(BackendOptions.defaults().withThreads(2))) {
            Tensor prepared = cpu.prepare(w, WeightKind.LINEAR, dev.cosyvoice4j.backend.Precision.BF16, null);
            for (int rows : new int[] {1, 15, CpuBackend.ONEDNN_MIN_ROWS, 33}) {
                float[] x = random(rnd, rows * k, 1), viaBackend = new float[rows * n], expected = new float[rows * n];
                cpu.linear(HostBuf.wrap(viaBackend, 0, rows, n), HostBuf.wrap(x, 0, rows, k), prepared, bias);
                if (rows >= CpuBackend.ONEDNN_MIN_ROWS) direct.linear(expected, x, rows, w, bias);
                else cpu.linear(HostBuf.wrap(expected, 0, rows, n), HostBuf.wrap(x, 0, rows, k), w, bias);   // float32 Java kernel
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected, viaBackend, rows + " rows");
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    static void check(OneDnnMatmul mm, float[] x, int rows, Tensor w, Tensor bias, Precision p, String what) {
        int n = w.dim(0), k = w.dim(1);
        float[] out = new float[rows * n + 3], expected = new float[rows * n];
        out[rows * n] = 42f; // beyond rows*n: must stay untouched
        mm.linear(out, x, rows, w, bias);
        dev.cosyvoice4j.backend.TestArrays.scalarLinear(expected, x, rows, w, bias);
        assertEquals(42f, out[rows * n], what + ": wrote past rows*n");
        float[] wv = w.toFloatArray();
        double rel = p == Precision.BF16 ? 0x1p-8 + 0x1p-18 + 2.02 * (k + 1) * U : 2.02 * (k + 1) * U;
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : Math.abs(bias.getFloat(j));
                for (int i = 0; i < k; i++) s += Math.abs((double) x[m * k + i] * wv[j * k + i]);
                double err = Math.abs((double) out[m * n + j] - expected[m * n + j]);
                if (!(err <= rel * s)) {
                    fail(what + " " + p + ": element [" + m + "," + j + "] = " + out[m * n + j] + ", scalar "
                            + expected[m * n + j] + ", |err| " + err + " > bound " + rel * s);
                }
            }
        }
    }

    static float[] random(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return a;
    }

    /** A weight tensor on the heap, or in native memory like a memory-mapped checkpoint. */
    static Tensor weights(float[] values, int n, int k, Arena arena) {
        if (arena == null) return Tensor.of(values, n, k);
        MemorySegment seg = arena.allocate((long) values.length * 4, 64);
        MemorySegment.copy(values, 0, seg, Tensor.F32_LE, 0, values.length);
        return new Tensor(DType.F32, new long[] {n, k}, seg);
    }
}
