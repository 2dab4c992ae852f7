package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.FloatMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each {@link VectorMath} function gives, on every lane, exactly the bits of its {@link FloatMath} twin: random
 * inputs over several magnitudes, the special values, and the ranges where each function switches branches
 * (exp's overflow/underflow edges, tanh's polynomial/exp switch, sin's large-argument fallback), on every vector
 * species this JVM offers. (In which JIT state the two run does not matter: both are IEEE operations only; the
 * end-to-end proof across a cold and a warm JIT is {@code DeterministicAudioTest}.)
 */
class VectorMathTest {
    interface Scalar { float at(float x); }

    static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.72283f, 88.72284f, 88.7229f,
            89f, 89.5f, -87.33f, -87.34f, -103.97f, -103.98f, -104f, -150f, 0.625f, -0.625f, 0.62499994f, 9.01f, 9.5f,
            20f, 20.000002f, 65536f, 65536.01f, -65536.01f, 1e5f, 1e10f, (float) Math.PI, (float) (Math.PI / 4)};

    static float[] inputs() {
        SplittableRandom r = new SplittableRandom(42);
        float[] x = new float[SPECIAL.length + 60_000];
        System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
        for (int i = SPECIAL.length; i < x.length; i++) {
            double range = switch (i % 6) { case 0 -> 1; case 1 -> 10; case 2 -> 100; case 3 -> 1e4; case 4 -> 1e6; default -> 1e-3; };
            x[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return x;
    }

    static void bitwise(String what, UnaryOperator<FloatVector> vector, Scalar scalar) {
        float[] x = inputs();
        for (VectorSpecies<Float> s : new VectorSpecies[] {FloatVector.SPECIES_64, FloatVector.SPECIES_128,
                FloatVector.SPECIES_256, FloatVector.SPECIES_512, FloatVector.SPECIES_PREFERRED}) {
            float[] out = new float[x.length];
            int i = 0;
            for (; i <= x.length - s.length(); i += s.length()) vector.apply(FloatVector.fromArray(s, x, i)).intoArray(out, i);
            for (; i < x.length; i++) out[i] = scalar.at(x[i]);
            for (int j = 0; j < x.length; j++) {
                int expected = Float.floatToIntBits(scalar.at(x[j])), actual = Float.floatToIntBits(out[j]);
                if (expected != actual) {
                    assertEquals(expected, actual, what + "(" + x[j] + ") on " + s + ": scalar " + scalar.at(x[j]) + ", vector " + out[j]);
                }
            }
        }
    }

    @Test
    void expIsItsScalarTwin() { bitwise("exp", VectorMath::exp, FloatMath::exp); }

    @Test
    void sinAndCosAreTheirScalarTwins() {
        bitwise("sin", VectorMath::sin, FloatMath::sin);
        bitwise("cos", VectorMath::cos, FloatMath::cos);
    }

    @Test
    void tanhIsItsScalarTwin() { bitwise("tanh", VectorMath::tanh, FloatMath::tanh); }

    @Test
    void activationsAreTheirScalarTwins() {
        bitwise("silu", VectorMath::silu, FloatMath::silu);
        bitwise("mish", VectorMath::mish, FloatMath::mish);
        bitwise("gelu", VectorMath::geluTanh, FloatMath::geluTanh);
        bitwise("snake", v -> VectorMath.snake(v, 1.25f, 1f / 1.25f), x -> FloatMath.snake(x, 1.25f, 1f / 1.25f));
    }
}
