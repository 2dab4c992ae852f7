package dev.cosyvoice4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Deterministic horizontal sums. {@code FloatVector.reduceLanes(ADD)} leaves the order of the additions to the
 * implementation, and the interpreter's fallback and C2's intrinsic do use different orders — so the same request
 * gave results differing in the last bits before and after the JIT compiled a kernel. This sums with a fixed
 * pairwise tree of lane-wise operations (fold the upper half onto the lower, repeat), whose result is defined by
 * IEEE arithmetic alone, whatever executes it.
 */
final class Lanes {
    private static final ConcurrentHashMap<VectorSpecies<Float>, VectorShuffle<Float>[]> FOLDS = new ConcurrentHashMap<>();

    private Lanes() {}

    /** Sum of all lanes: ((v0 + v8) + (v4 + v12)) + ... in a fixed tree. */
    static float sum(FloatVector v) {
        VectorShuffle<Float>[] folds = folds(v.species());
        for (VectorShuffle<Float> f : folds) v = v.add(v.rearrange(f));
        return v.lane(0);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds(VectorSpecies<Float> s) {
        VectorShuffle<Float>[] f = FOLDS.get(s);
        if (f != null) return f;
        int steps = Integer.numberOfTrailingZeros(s.length());
        f = new VectorShuffle[steps];
        for (int i = 0, half = s.length() / 2; i < steps; i++, half /= 2) {
            f[i] = VectorShuffle.iota(s, half, 1, true);   // lane j takes lane (j + half) mod length
        }
        FOLDS.putIfAbsent(s, f);
        return f;
    }
}
