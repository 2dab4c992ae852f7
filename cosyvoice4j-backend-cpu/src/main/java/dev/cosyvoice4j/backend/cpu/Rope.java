package dev.cosyvoice4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Rotary embedding helpers: cos/sin of {@code pos * invFreq[i]} (float32 angle, as HF) and the NeoX rotation. */
final class Rope {
    private Rope() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    /** {@code cos[i] = cos(pos * invFreq[i])}, {@code sin[i] = sin(pos * invFreq[i])} for i < n (deterministic {@link VectorMath}). */
    static void cosSin(int pos, float[] invFreq, int n, float[] cos, float[] sin) {
        VectorMath.cosSin(invFreq, pos, n, cos, sin);
    }

    /** Rotates pairs (o+i, o+i+half) of x by (cos[i], sin[i]). */
    static void rotateHalf(float[] x, int o, int half, float[] cos, float[] sin) {
        for (int i = 0; i < half; i += L) {
            VectorMask<Float> m = F.indexInRange(i, half);
            FloatVector x1 = FloatVector.fromArray(F, x, o + i, m), x2 = FloatVector.fromArray(F, x, o + half + i, m);
            FloatVector c = FloatVector.fromArray(F, cos, i, m), s = FloatVector.fromArray(F, sin, i, m);
            x1.mul(c).sub(x2.mul(s)).intoArray(x, o + i, m);
            x2.mul(c).add(x1.mul(s)).intoArray(x, o + half + i, m);
        }
    }
}
