package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.FloatMath;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every {@link VectorMath} loop gives, element by element, exactly the bits of its {@link FloatMath} function: random
 * inputs over several magnitudes, the special values, the ranges where each function switches branches (exp's
 * overflow/underflow edges, tanh's polynomial/exp switch, sin's large-argument fallback), at odd lengths and offsets
 * (vector bodies, scalar tails, several scratch blocks), and only inside the range given. (In which JIT state they
 * run does not matter: both sides are IEEE operations only; the end-to-end proof across a cold and a warm JIT is
 * {@code DeterministicAudioTest}.)
 */
class VectorMathTest {
    interface Scalar { float at(float x); }

    interface Loop { void run(float[] x, int from, int to); }

    static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.72283f, 88.72284f, 88.7229f,
            89f, 89.5f, -87.33f, -87.34f, -103.97f, -103.98f, -104f, -150f, 0.625f, -0.625f, 0.62499994f, 9.01f, 9.5f,
            20f, 20.000002f, 65536f, 65536.01f, -65536.01f, 1e5f, 1e10f, (float) Math.PI, (float) (Math.PI / 4)};

    static float[] inputs() {
        SplittableRandom r = new SplittableRandom(42);
        float[] x = new float[SPECIAL.length + 6000];
        System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
        for (int i = SPECIAL.length; i < x.length; i++) {
            double range = switch (i % 6) { case 0 -> 1; case 1 -> 10; case 2 -> 100; case 3 -> 1e4; case 4 -> 1e6; default -> 1e-3; };
            x[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return x;
    }

    /** Runs {@code loop} over [from, to) of a copy for several ranges; each element must equal {@code f}'s bits. */
    static void elementwise(String what, Loop loop, Scalar f) {
        float[] x = inputs();
        for (int[] range : new int[][] {{0, x.length}, {3, 3 + 17}, {5, 5 + 1}, {1, 2049}, {7, x.length - 3}}) {
            float[] a = x.clone();
            loop.run(a, range[0], range[1]);
            for (int i = 0; i < a.length; i++) {
                float expected = i >= range[0] && i < range[1] ? f.at(x[i]) : x[i];
                if (Float.floatToIntBits(expected) != Float.floatToIntBits(a[i])) {
                    assertEquals(expected, a[i], what + "(" + x[i] + ") at " + i + " of range " + Arrays.toString(range));
                }
            }
        }
    }

    @Test
    void expIsFloatMathExp() {
        elementwise("exp", (x, f, t) -> VectorMath.expShiftedSum(x, f, t, 0f), FloatMath::exp);
        elementwise("exp(x - 3)", (x, f, t) -> VectorMath.expShiftedSum(x, f, t, 3f), v -> FloatMath.exp(v - 3f));
    }

    @Test
    void expSumsAreTheValuesSummed() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 15, 16, 17, 1000}) {
            float[] e = new float[n];
            for (int i = 0; i < n; i++) e[i] = (float) (r.nextDouble() * 40 - 30);
            float sum = VectorMath.expShiftedSum(e, 0, n, 1f);
            double exact = 0;
            for (float v : e) exact += v;
            assertEquals(exact, sum, 1e-5 * exact);
        }
    }

    @Test
    void expForBf16IsFloatMathExpForBf16OfTheAffineArgument() {
        float[] x = inputs();
        for (int n : new int[] {x.length, 1, 15, 16, 17, 250}) {
            float[] e = x.clone();
            float sum = VectorMath.expForBf16ScaledSum(e, n, 0.125f, -3f);
            double exact = 0;
            for (int i = 0; i < x.length; i++) {
                float expected = i < n ? FloatMath.expForBf16(Math.fma(x[i], 0.125f, -3f)) : x[i];
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(e[i]), "expForBf16 at " + i + " of " + n);
                if (i < n && Float.isFinite(e[i])) exact += e[i];
            }
            if (Double.isFinite(exact) && Float.isFinite(sum)) assertEquals(exact, sum, 1e-5 * Math.abs(exact));
        }
    }

    @Test
    void maxSkippingNaNIsTheLargestValueOfTheRange() {
        float[] x = inputs();
        // ranges ending in no vector, one vector (208 = 6 pairs + 1: an attention row of 200 keys) and one vector + scalars
        for (int[] r : new int[][] {{0, x.length}, {3, 3}, {5, 6}, {7, 40}, {16, 48}, {100, 1133}, {0, 208}, {5, 29}, {9, 60}}) {
            float expected = Float.NEGATIVE_INFINITY;
            for (int i = r[0]; i < r[1]; i++) if (!Float.isNaN(x[i])) expected = Math.max(expected, x[i]);
            assertEquals(expected, VectorMath.maxSkippingNaN(x, r[0], r[1]), "max of [" + r[0] + ", " + r[1] + ")");
        }
        float[] row = new float[208];
        for (int at = 0; at < row.length; at++) {                 // the largest value in every position, the last vector's too
            java.util.Arrays.fill(row, -1f);
            row[at] = 2f;
            assertEquals(2f, VectorMath.maxSkippingNaN(row, 0, row.length), "max at " + at);
        }
    }

    @Test
    void atLeastAndAtMostAreMaxAndMinAgainstNonZeroBounds() {
        var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float[] x = inputs(), lo = new float[species.length()], hi = new float[species.length()];
        for (int j = 0; j + lo.length <= x.length; j += lo.length) {
            var v = jdk.incubator.vector.FloatVector.fromArray(species, x, j);
            VectorMath.atLeast(v, -4f).intoArray(lo, 0);
            VectorMath.atMost(v, 20f).intoArray(hi, 0);
            for (int i = 0; i < lo.length; i++) {
                assertEquals(Float.floatToIntBits(Math.max(x[j + i], -4f)), Float.floatToIntBits(lo[i]), "atLeast at " + (j + i));
                assertEquals(Float.floatToIntBits(Math.min(x[j + i], 20f)), Float.floatToIntBits(hi[i]), "atMost at " + (j + i));
            }
        }
    }

    @Test
    void tanhAndSinAreTheirFloatMathFunctions() {
        elementwise("tanh", VectorMath::tanhInPlace, FloatMath::tanh);
        elementwise("sin", VectorMath::sinInPlace, FloatMath::sin);
    }

    @Test
    void ropeTablesAreFloatMathCosAndSin() {
        float[] x = inputs();
        for (float pos : new float[] {1f, 0f, 7f, 300f, 32767f}) {
            for (int n : new int[] {x.length, 32, 37, 7}) {
                float[] cos = new float[n], sin = new float[n];
                VectorMath.cosSin(x, pos, n, cos, sin);
                for (int i = 0; i < n; i++) {
                    float a = x[i] * pos;
                    assertEquals(Float.floatToIntBits(FloatMath.cos(a)), Float.floatToIntBits(cos[i]), "cos(" + a + ")");
                    assertEquals(Float.floatToIntBits(FloatMath.sin(a)), Float.floatToIntBits(sin[i]), "sin(" + a + ")");
                }
            }
        }
    }

    @Test
    void activationsAreTheirFloatMathFunctions() {
        elementwise("silu", VectorMath::silu, FloatMath::silu);
        elementwise("mish", VectorMath::mish, FloatMath::mish);
        elementwise("gelu", VectorMath::geluTanh, FloatMath::geluTanh);
        elementwise("geluErf", VectorMath::geluErf, FloatMath::geluErf);
        elementwise("snake", (x, f, t) -> VectorMath.snake(x, f, t, 1.25f, 1f / 1.25f), v -> FloatMath.snake(v, 1.25f, 1f / 1.25f));
        float[] x = inputs(), up = inputs();
        for (int i = 0; i < up.length; i++) up[i] = up[(i * 7) % up.length] * 0.5f;
        float[] out = new float[x.length + 9];
        VectorMath.siluMul(out, 9, x, 0, up, 0, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(FloatMath.silu(x[i]) * up[i]), Float.floatToIntBits(out[9 + i]), "siluMul at " + i);
        }
    }
}
