package dev.cosyvoice4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised element-wise activations, normalisations and softmax. Transcendentals use the Vector API's
 * lanewise EXP / TANH / SIN / LOG1P, which HotSpot on x86 compiles to SVML's high-accuracy ("_ha") routines
 * (measured here: max error 0.6 ulp against Math.*, ~0.3-0.5 ns per value); the operators must be literal
 * constants at the call site to be intrinsified. Tails shorter than a vector use masked loads/stores.
 */
final class Elementwise {
    private Elementwise() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Element counts below this run on the caller alone (dispatch costs ~1-5 us). */
    static final int PARALLEL_MIN = 1 << 15;

    /** Runs {@code range(from, to)} over [off, off+n) in vector-aligned chunks, in parallel when large. */
    interface Range {
        void run(int from, int to);
    }

    static void split(KernelPool pool, int off, int n, Range range) {
        if (n < PARALLEL_MIN || pool.threads() == 1) {
            range.run(off, off + n);
            return;
        }
        int chunks = 4 * pool.threads();
        int per = ((n + chunks - 1) / chunks + L - 1) / L * L;
        int count = (n + per - 1) / per;
        pool.parallelFor(count, c -> range.run(off + c * per, off + Math.min(n, (c + 1) * per)));
    }

    static void silu(float[] x, int from, int to) {
        int i = from;
        for (; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            FloatVector e = v.neg().lanewise(VectorOperators.EXP);
            v.div(e.add(1f)).intoArray(x, i, m);
        }
    }

    static void siluMul(float[] out, float[] gate, float[] up, int from, int to) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector g = FloatVector.fromArray(F, gate, i, m);
            FloatVector e = g.neg().lanewise(VectorOperators.EXP);
            g.div(e.add(1f)).mul(FloatVector.fromArray(F, up, i, m)).intoArray(out, i, m);
        }
    }

    static void geluTanh(float[] x, int from, int to) {
        final float c = (float) Math.sqrt(2.0 / Math.PI);
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            FloatVector inner = v.mul(0.044715f).mul(v).mul(v).add(v).mul(c);
            FloatVector t = inner.lanewise(VectorOperators.TANH);
            v.mul(0.5f).mul(t.add(1f)).intoArray(x, i, m);
        }
    }

    static void mish(float[] x, int from, int to) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            // softplus with PyTorch's threshold 20: x itself above it (exp would overflow past ~88 anyway)
            FloatVector sp = v.min(20f).lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P);
            sp = sp.blend(v, v.compare(VectorOperators.GT, 20f));
            v.mul(sp.lanewise(VectorOperators.TANH)).intoArray(x, i, m);
        }
    }

    static void leakyRelu(float[] x, int from, int to, float slope) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            v.blend(v.mul(slope), v.compare(VectorOperators.LT, 0f)).intoArray(x, i, m);
        }
    }

    static void add(float[] out, float[] a, float[] b, int from, int to) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector.fromArray(F, a, i, m).add(FloatVector.fromArray(F, b, i, m)).intoArray(out, i, m);
        }
    }

    /** Snake on one channel's values [from, to): {@code x + inv * sin(alpha * x)^2}. */
    static void snake(float[] x, int from, int to, float alpha, float inv) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            FloatVector s = v.mul(alpha).lanewise(VectorOperators.SIN);
            s.mul(s).mul(inv).add(v).intoArray(x, i, m);
        }
    }

    // ---- rows -------------------------------------------------------------------------------------------------

    static void rmsNormRow(float[] out, float[] x, int o, int dim, float[] weight, float eps) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < dim; i += L) {
            VectorMask<Float> m = F.indexInRange(i, dim);
            FloatVector v = FloatVector.fromArray(F, x, o + i, m);
            acc = v.fma(v, acc);
        }
        float ss = acc.reduceLanes(VectorOperators.ADD);
        float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
        for (int i = 0; i < dim; i += L) {
            VectorMask<Float> m = F.indexInRange(i, dim);
            FloatVector v = FloatVector.fromArray(F, x, o + i, m).mul(inv);
            FloatVector.fromArray(F, weight, i, m).mul(v).intoArray(out, o + i, m);
        }
    }

    static void layerNormRow(float[] out, float[] x, int o, int dim, float[] weight, float[] bias, float eps) {
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < dim; i += L) {
            acc = acc.add(FloatVector.fromArray(F, x, o + i, F.indexInRange(i, dim)));
        }
        float mean = acc.reduceLanes(VectorOperators.ADD) / dim;
        acc = FloatVector.zero(F);
        for (int i = 0; i < dim; i += L) {
            VectorMask<Float> m = F.indexInRange(i, dim);
            FloatVector d = FloatVector.fromArray(F, x, o + i, m).sub(mean);
            acc = acc.add(d.mul(d), m);
        }
        float var = acc.reduceLanes(VectorOperators.ADD) / dim;
        float inv = (float) (1.0 / Math.sqrt(var + eps));
        for (int i = 0; i < dim; i += L) {
            VectorMask<Float> m = F.indexInRange(i, dim);
            FloatVector y = FloatVector.fromArray(F, x, o + i, m).sub(mean).mul(inv);
            if (weight != null) y = y.mul(FloatVector.fromArray(F, weight, i, m));
            if (bias != null) y = y.add(FloatVector.fromArray(F, bias, i, m));
            y.intoArray(out, o + i, m);
        }
    }

    /** In-place softmax of x[o, o+cols): max-subtracted, float32; all -inf gives zeros. */
    static void softmaxRow(float[] x, int o, int cols) {
        FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < cols; i += L) {
            VectorMask<Float> m = F.indexInRange(i, cols);
            mx = mx.max(FloatVector.fromArray(F, x, o + i, m).blend(Float.NEGATIVE_INFINITY, m.not()));
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(x, o, o + cols, 0f);
            return;
        }
        FloatVector sum = FloatVector.zero(F);
        for (int i = 0; i < cols; i += L) {
            VectorMask<Float> m = F.indexInRange(i, cols);
            FloatVector e = FloatVector.fromArray(F, x, o + i, m).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(x, o + i, m);
            sum = sum.add(e, m);
        }
        float s = sum.reduceLanes(VectorOperators.ADD);
        for (int i = 0; i < cols; i += L) {
            VectorMask<Float> m = F.indexInRange(i, cols);
            FloatVector.fromArray(F, x, o + i, m).div(s).intoArray(x, o + i, m);
        }
    }
}
