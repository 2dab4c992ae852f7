package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.cosyvoice4j.backend.TestArrays.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The GEMM's internal invariant (its agreement with the specification is the conformance suite's). */
class GemmTest {

    @Test
    void tailRowsOfTheGemmEqualTheSameRowsInAFullPanel() {
        // rows past the last whole 12-row panel go through the 4-row (1..4 rows), 8-row (5..8) or padded 12-row kernel:
        // each value must be the same FMA chain as when that row sits inside a full panel
        SplittableRandom r = new SplittableRandom(11);
        int n = 96, k = 300;
        float[] w = random(r, n * k), b = random(r, n), x = random(r, 48 * k);
        Gemm.SegmentNK wt = new Gemm.SegmentNK(Tensor.of(w, n, k).data(), n, k);
        try (KernelPool one = new KernelPool(1, 100); KernelPool two = new KernelPool(2, 100)) {
            float[] full = new float[48 * n];
            Gemm.gemm(one, full, 0, new Gemm.ArrayA(x, 0), 48, n, k, wt, b);
            for (int rows = 36; rows <= 47; rows++) {
                for (KernelPool pool : new KernelPool[] {one, two}) {
                    float[] part = new float[rows * n];
                    Gemm.gemm(pool, part, 0, new Gemm.ArrayA(x, 0), rows, n, k, wt, b);
                    assertArrayEquals(Arrays.copyOf(full, rows * n), part, rows + " rows, " + pool.threads() + " threads");
                }
            }
        }
    }
}
