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
public final class Lanes {
    private static final ConcurrentHashMap<VectorSpecies<Float>, VectorShuffle<Float>[]> FOLDS = new ConcurrentHashMap<>();

    /** The kernels' species: its fold shuffles are constants, so C2 emits permute + add with no lookup. */
    private static final VectorSpecies<Float> P = FloatVector.SPECIES_PREFERRED;
    private static final int STEPS = Integer.numberOfTrailingZeros(P.length());
    private static final VectorShuffle<Float> P0 = fold(P, 0), P1 = fold(P, 1), P2 = fold(P, 2), P3 = fold(P, 3), P4 = fold(P, 4);

    private Lanes() {}

    /** Sum of all lanes: ((v0 + v8) + (v4 + v12)) + ... in a fixed tree. */
    public static float sum(FloatVector v) {
        if (v.species() == P && STEPS <= 5) {
            // same tree as the generic path; STEPS is a constant, so the untaken steps fold away
            if (STEPS > 0) v = v.add(v.rearrange(P0));
            if (STEPS > 1) v = v.add(v.rearrange(P1));
            if (STEPS > 2) v = v.add(v.rearrange(P2));
            if (STEPS > 3) v = v.add(v.rearrange(P3));
            if (STEPS > 4) v = v.add(v.rearrange(P4));
            return v.lane(0);
        }
        VectorShuffle<Float>[] folds = folds(v.species());
        for (VectorShuffle<Float> f : folds) v = v.add(v.rearrange(f));
        return v.lane(0);
    }

    /** Fold step i of species s (lane j takes lane j + length / 2^(i+1)), or null past the last step. */
    private static VectorShuffle<Float> fold(VectorSpecies<Float> s, int i) {
        int steps = Integer.numberOfTrailingZeros(s.length());
        return i < steps ? VectorShuffle.iota(s, s.length() >> (i + 1), 1, true) : null;
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds(VectorSpecies<Float> s) {
        VectorShuffle<Float>[] f = FOLDS.get(s);
        if (f != null) return f;
        int steps = Integer.numberOfTrailingZeros(s.length());
        f = new VectorShuffle[steps];
        for (int i = 0; i < steps; i++) f[i] = fold(s, i);
        FOLDS.putIfAbsent(s, f);
        return f;
    }
}
