package dev.cosyvoice4j.backend;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Error bounds of the deterministic float32 functions against {@link StrictMath} in double (the exact value
 * rounded once), over dense sweeps of each function's working range and random samples: exp within 2 ulp for normal
 * results; sin/cos within 2.5e-7 absolute (range reduction in float) and 2 ulp on [-pi/4, pi/4]; tanh within 3 ulp;
 * the composite activations within a few ulp of their double-precision definitions (GELU for x < 0 absolutely:
 * its 1 + tanh cancels in float32, PyTorch's formula included). Special values as IEEE says.
 */
class FloatMathTest {
    interface F { float at(float x); }

    /** Largest error in units of the float ulp of the exact result. */
    static double maxUlps(F f, DoubleUnaryOperator exact, float from, float to, int n, double minMagnitude) {
        double worst = 0;
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i <= 2 * n; i++) {
            float x = i <= n ? from + (to - from) * i / n : (float) (from + (to - from) * r.nextDouble());
            double e = exact.applyAsDouble(x);
            if (Math.abs(e) < minMagnitude || Double.isInfinite(e)) continue;
            double ulps = Math.abs(f.at(x) - e) / Math.ulp((float) e);
            worst = Math.max(worst, ulps);
        }
        return worst;
    }

    static double maxAbs(F f, DoubleUnaryOperator exact, float from, float to, int n) {
        double worst = 0;
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i <= 2 * n; i++) {
            float x = i <= n ? from + (to - from) * i / n : (float) (from + (to - from) * r.nextDouble());
            worst = Math.max(worst, Math.abs(f.at(x) - exact.applyAsDouble(x)));
        }
        return worst;
    }

    @Test
    void expWithinTwoUlpForNormalResults() {
        double ulps = maxUlps(FloatMath::exp, StrictMath::exp, -87.3f, 88.72f, 2_000_000, Float.MIN_NORMAL);
        System.out.println("exp max ulp " + ulps);
        assertTrue(ulps <= 2, "exp: " + ulps + " ulp");
        assertTrue(maxAbs(FloatMath::exp, StrictMath::exp, -110f, -87.3f, 100_000) <= Float.MIN_NORMAL * 0.01);
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatMath.exp(-1e6f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(88.73f));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
    }

    @Test
    void expForBf16WithinFourMillionthsFarBelowTheBf16Rounding() {
        double worst = 0;
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i <= 4_000_000; i++) {
            float x = i <= 2_000_000 ? -87.3f + (88f - -87.3f) * i / 2_000_000 : (float) (-87.3 + 175.3 * r.nextDouble());
            double exact = StrictMath.exp(x);
            worst = Math.max(worst, Math.abs(FloatMath.expForBf16(x) - exact) / exact);
        }
        System.out.println("expForBf16 max relative error " + worst);
        assertTrue(worst <= 4e-6, "expForBf16: " + worst);
        assertEquals(1f, FloatMath.expForBf16(0f));
        assertEquals(FloatMath.expForBf16(-87.3f), FloatMath.expForBf16(Float.NEGATIVE_INFINITY));  // clamped, not 0
        assertTrue(FloatMath.expForBf16(-1e6f) < 1.3e-38f && Float.isFinite(FloatMath.expForBf16(Float.POSITIVE_INFINITY)));
        assertTrue(Float.isNaN(FloatMath.expForBf16(Float.NaN)));
    }

    @Test
    void sinCosWithinBounds() {
        double s = maxAbs(FloatMath::sin, StrictMath::sin, -70000f, 70000f, 2_000_000);
        double c = maxAbs(FloatMath::cos, StrictMath::cos, -70000f, 70000f, 2_000_000);
        double sSmall = maxUlps(FloatMath::sin, StrictMath::sin, (float) -Math.PI / 4, (float) Math.PI / 4, 1_000_000, 1e-30);
        double cSmall = maxUlps(FloatMath::cos, StrictMath::cos, (float) -Math.PI / 4, (float) Math.PI / 4, 1_000_000, 1e-30);
        System.out.println("sin abs " + s + " cos abs " + c + " sin ulp(|x|<pi/4) " + sSmall + " cos " + cSmall);
        assertTrue(s <= 2.5e-7 && c <= 2.5e-7, "sin " + s + " cos " + c);
        assertTrue(sSmall <= 2 && cSmall <= 2, "sin " + sSmall + " cos " + cSmall);
        assertEquals(0f, FloatMath.sin(0f));
        assertEquals(0f, FloatMath.sin(-0f));                    // the sign of a zero result is not kept
        assertEquals(1f, FloatMath.cos(0f));
        assertTrue(Float.isNaN(FloatMath.sin(Float.POSITIVE_INFINITY)) && Float.isNaN(FloatMath.cos(Float.NaN)));
    }

    @Test
    void tanhWithinThreeUlp() {
        double u = maxUlps(FloatMath::tanh, StrictMath::tanh, -12f, 12f, 2_000_000, 1e-30);
        System.out.println("tanh max ulp " + u);
        assertTrue(u <= 3, "tanh: " + u + " ulp");
        assertEquals(1f, FloatMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FloatMath.tanh(-1000f));
        assertEquals(0f, FloatMath.tanh(-0f));
        assertTrue(Float.isNaN(FloatMath.tanh(Float.NaN)));
    }

    @Test
    void activationsNearTheirDefinitions() {
        DoubleUnaryOperator mish = x -> x * StrictMath.tanh(x > 20 ? x : StrictMath.log1p(StrictMath.exp(x)));
        DoubleUnaryOperator silu = x -> x / (1 + StrictMath.exp(-x));
        double c = Math.sqrt(2 / Math.PI);
        DoubleUnaryOperator gelu = x -> 0.5 * x * (1 + StrictMath.tanh(c * (x + 0.044715 * x * x * x)));
        double m = maxUlps(FloatMath::mish, mish, -30f, 30f, 1_000_000, 1e-30);
        double s = maxUlps(FloatMath::silu, silu, -80f, 80f, 1_000_000, 1e-30);
        double g = maxUlps(FloatMath::geluTanh, gelu, 0f, 10f, 1_000_000, 1e-30);
        double gAbs = maxAbs(FloatMath::geluTanh, gelu, -10f, 10f, 1_000_000);
        System.out.println("mish ulp " + m + " silu ulp " + s + " gelu ulp(x>0) " + g + " gelu abs " + gAbs);
        assertTrue(m <= 6, "mish " + m);
        assertTrue(s <= 4, "silu " + s);
        // for x < 0, 1 + tanh cancels (in PyTorch's float32 formula too): bound it absolutely
        assertTrue(g <= 4 && gAbs <= 6e-7, "gelu " + g + " / " + gAbs);
    }

    /** erf in double: its Maclaurin series below |x| = 3 (cancellation costs ~4 of 16 digits), the erfc continued fraction above. */
    static double erfExact(double x) {
        double a = Math.abs(x), r;
        if (a < 3) {
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = a;                                  // erfc(a) = e^-a^2 / sqrt(pi) / (a + 1/2 / (a + 1 / (a + 3/2 / ...)))
            for (int n = 60; n >= 1; n--) f = a + n / 2.0 / f;
            r = 1 - StrictMath.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return Math.copySign(r, x);
    }

    @Test
    void erfAndExactGeluNearTheirDefinitions() {
        double e = maxAbs(FloatMath::erf, FloatMathTest::erfExact, -6f, 6f, 1_000_000);
        DoubleUnaryOperator gelu = x -> 0.5 * x * (1 + erfExact(x / Math.sqrt(2)));
        double g = maxAbs(FloatMath::geluErf, gelu, -10f, 10f, 1_000_000);
        System.out.println("erf abs " + e + " geluErf abs " + g);
        assertTrue(e <= 5e-7, "erf " + e);
        assertTrue(g <= 2e-6, "geluErf " + g);
        assertEquals(1f, FloatMath.erf(Float.POSITIVE_INFINITY), 5e-7f);
        assertEquals(-1f, FloatMath.erf(-100f), 5e-7f);
    }
}
