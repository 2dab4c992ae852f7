package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Vectorised element-wise activations, normalisations and softmax. Transcendentals are {@link VectorMath}'s
 * deterministic polynomials (bit-identical to {@link dev.cosyvoice4j.backend.FloatMath} in every JIT state), not
 * the Vector API's EXP/SIN/TANH, whose SVML intrinsic and interpreted fallback round differently. Tails shorter
 * than a vector use masked loads/stores.
 *
 * <p>C2 rule followed throughout the package: the receiver of every vector operation must have a statically
 * exact class (a {@code fromArray}/{@code fromMemorySegment} result or an operation on one). Vectors from
 * {@code broadcast}, {@code zero} or {@code convertShape} are late-inlined intrinsics whose class C2 learns too
 * late, so calls on them stay virtual and box every vector (measured: 3x slower, megabytes of garbage per call);
 * they are only ever passed as arguments.
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

    // Each op: an unmasked main loop, then one masked step for the tail (a mask per step costs ~2x on short rows).

    static void silu(float[] x, int from, int to) { VectorMath.silu(x, from, to); }

    static void siluMul(float[] out, float[] gate, float[] up, int from, int to) {
        siluMul(out, 0, gate, 0, up, 0, from, to);
    }

    /** {@code out[oo + i] = silu(gate[go + i]) * up[uo + i]} for i in [from, to). */
    static void siluMul(float[] out, int oo, float[] gate, int go, float[] up, int uo, int from, int to) {
        VectorMath.siluMul(out, oo, gate, go, up, uo, from, to);
    }

    static void geluTanh(float[] x, int from, int to) { VectorMath.geluTanh(x, from, to); }

    static void mish(float[] x, int from, int to) { VectorMath.mish(x, from, to); }

    static void geluErf(float[] x, int from, int to) { VectorMath.geluErf(x, from, to); }

    static void leakyRelu(float[] x, int from, int to, float slope) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.blend(v.mul(slope), v.compare(VectorOperators.LT, 0f)).intoArray(x, i);
        }
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            v.blend(v.mul(slope), v.compare(VectorOperators.LT, 0f)).intoArray(x, i, m);
        }
    }

    static void add(float[] out, float[] a, float[] b, int from, int to) {
        add(out, 0, a, 0, b, 0, from, to);
    }

    /** {@code out[oo + i] = a[ao + i] + b[bo + i]} for i in [from, to). */
    static void add(float[] out, int oo, float[] a, int ao, float[] b, int bo, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) FloatVector.fromArray(F, a, ao + i).add(FloatVector.fromArray(F, b, bo + i)).intoArray(out, oo + i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector.fromArray(F, a, ao + i, m).add(FloatVector.fromArray(F, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    // The ops below must equal HostOps bit for bit: the same float operations per element in the same order, with
    // mul and add kept separate (never fma). Commuted operands are fine (IEEE add and multiply are commutative).

    /** {@code out[oo + i] = x[xo + i] / d} for i in [from, to) (a division, as the specification; not times 1/d). */
    static void div(float[] out, int oo, float[] x, int xo, float d, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) FloatVector.fromArray(F, x, xo + i).div(d).intoArray(out, oo + i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector.fromArray(F, x, xo + i, m).div(d).intoArray(out, oo + i, m);
        }
    }

    /** {@code x[i] = x[i] * s + b} for i in [from, to) (one row of affineRows). */
    static void affine(float[] x, int from, int to, float s, float b) {
        int i = from;
        for (; i <= to - L; i += L) FloatVector.fromArray(F, x, i).mul(s).add(b).intoArray(x, i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector.fromArray(F, x, i, m).mul(s).add(b).intoArray(x, i, m);
        }
    }

    /** {@code x[xo + c] = x[xo + c] * (1 + mod[scaleO + c]) + mod[shiftO + c]} for c < n (adaLN modulation of one row). */
    static void modulate(float[] x, int xo, float[] mod, int shiftO, int scaleO, int n) {
        int c = 0;
        for (; c <= n - L; c += L) {
            FloatVector onePlusScale = FloatVector.fromArray(F, mod, scaleO + c).add(1f);
            FloatVector.fromArray(F, x, xo + c).mul(onePlusScale).add(FloatVector.fromArray(F, mod, shiftO + c)).intoArray(x, xo + c);
        }
        if (c < n) {
            VectorMask<Float> m = F.indexInRange(c, n);
            FloatVector onePlusScale = FloatVector.fromArray(F, mod, scaleO + c, m).add(1f);
            FloatVector.fromArray(F, x, xo + c, m).mul(onePlusScale).add(FloatVector.fromArray(F, mod, shiftO + c, m)).intoArray(x, xo + c, m);
        }
    }

    /** {@code x[xo + c] += mod[gateO + c] * y[yo + c]} for c < n (gated residual of one row). */
    static void addGated(float[] x, int xo, float[] mod, int gateO, float[] y, int yo, int n) {
        int c = 0;
        for (; c <= n - L; c += L) {
            FloatVector.fromArray(F, mod, gateO + c).mul(FloatVector.fromArray(F, y, yo + c)).add(FloatVector.fromArray(F, x, xo + c)).intoArray(x, xo + c);
        }
        if (c < n) {
            VectorMask<Float> m = F.indexInRange(c, n);
            FloatVector.fromArray(F, mod, gateO + c, m).mul(FloatVector.fromArray(F, y, yo + c, m)).add(FloatVector.fromArray(F, x, xo + c, m)).intoArray(x, xo + c, m);
        }
    }

    /** {@code x[xo + i] += dt * (cc * vc[co + i] - cu * vu[uo + i])} for i in [from, to) (CFG Euler step). */
    static void cfgEuler(float[] x, int xo, float[] vc, int co, float[] vu, int uo, float dt, float cc, float cu, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(F, vc, co + i).mul(cc).sub(FloatVector.fromArray(F, vu, uo + i).mul(cu)).mul(dt)
                    .add(FloatVector.fromArray(F, x, xo + i)).intoArray(x, xo + i);
        }
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector.fromArray(F, vc, co + i, m).mul(cc).sub(FloatVector.fromArray(F, vu, uo + i, m).mul(cu)).mul(dt)
                    .add(FloatVector.fromArray(F, x, xo + i, m)).intoArray(x, xo + i, m);
        }
    }

    /** Snake on one channel's values [from, to): {@code x + inv * sin(alpha * x)^2}. */
    static void snake(float[] x, int from, int to, float alpha, float inv) { VectorMath.snake(x, from, to, alpha, inv); }

    // ---- rows -------------------------------------------------------------------------------------------------

    private static final java.nio.ByteOrder LE = java.nio.ByteOrder.LITTLE_ENDIAN;

    private static FloatVector w(MemorySegment w, int i) {
        return FloatVector.fromMemorySegment(F, w, (long) i * Float.BYTES, LE);
    }

    private static float wAt(MemorySegment w, int i) {
        return w.getAtIndex(Tensor.F32_LE, i);
    }

    /** RMSNorm of one row at {@code o} of both arrays; {@code weight} is a float32 segment (read in place, no copy per call). */
    static void rmsNormRow(float[] out, float[] x, int o, int dim, MemorySegment weight, float eps) {
        rmsNormRow(out, o, x, o, dim, weight, eps);
    }

    /** RMSNorm of the row {@code x[o ..]} into {@code out[oo ..]}. */
    static void rmsNormRow(float[] out, int oo, float[] x, int o, int dim, MemorySegment weight, float eps) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= dim - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, o + i);
            acc = v.fma(v, acc);
        }
        float ss = Lanes.sum(acc);
        for (; i < dim; i++) ss += x[o + i] * x[o + i];
        float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
        for (i = 0; i <= dim - L; i += L) {
            w(weight, i).mul(FloatVector.fromArray(F, x, o + i).mul(inv)).intoArray(out, oo + i);
        }
        for (; i < dim; i++) out[oo + i] = wAt(weight, i) * (x[o + i] * inv);
    }

    /** LayerNorm of one row at {@code o} of both arrays; weight / bias are float32 segments or null. */
    static void layerNormRow(float[] out, float[] x, int o, int dim, MemorySegment weight, MemorySegment bias, float eps) {
        layerNormRow(out, o, x, o, dim, weight, bias, eps);
    }

    /** LayerNorm of the row {@code x[o ..]} into {@code out[oo ..]}. */
    static void layerNormRow(float[] out, int oo, float[] x, int o, int dim, MemorySegment weight, MemorySegment bias, float eps) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= dim - L; i += L) acc = FloatVector.fromArray(F, x, o + i).add(acc);
        float sum = Lanes.sum(acc);
        for (; i < dim; i++) sum += x[o + i];
        float mean = sum / dim;
        acc = FloatVector.zero(F);
        for (i = 0; i <= dim - L; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, o + i).sub(mean);
            acc = d.fma(d, acc);
        }
        float var = Lanes.sum(acc);
        for (; i < dim; i++) var += (x[o + i] - mean) * (x[o + i] - mean);
        var /= dim;
        float inv = (float) (1.0 / Math.sqrt(var + eps));
        for (i = 0; i <= dim - L; i += L) {
            FloatVector y = FloatVector.fromArray(F, x, o + i).sub(mean).mul(inv);
            if (weight != null) y = y.mul(w(weight, i));
            if (bias != null) y = y.add(w(bias, i));
            y.intoArray(out, oo + i);
        }
        for (; i < dim; i++) {
            float y = (x[o + i] - mean) * inv;
            if (weight != null) y *= wAt(weight, i);
            if (bias != null) y += wAt(bias, i);
            out[oo + i] = y;
        }
    }

    /**
     * In place {@code softmax(scale * x)} over {@code cols} values, {@code cols} a multiple of the vector length and at
     * least one value finite (masked entries are -inf and come out 0): no tail handling, the scaling fused into the
     * max pass. The same float32 operations as scaling first and {@link #softmaxRow}.
     */
    static void softmaxScaledPaddedRow(float[] x, int o, int cols, float scale) {
        FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < cols; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, o + i).mul(scale);
            v.intoArray(x, o + i);
            mx = mx.blend(v, v.compare(VectorOperators.GT, mx));   // not max(): see VectorMath.atLeast; NaN ends as NaN
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        float s = VectorMath.expShiftedSum(x, o, o + cols, max);
        for (int i = 0; i < cols; i += L) FloatVector.fromArray(F, x, o + i).div(s).intoArray(x, o + i);
    }

    private static boolean anyNaN(float[] x, int o, int cols) {
        for (int i = 0; i < cols; i++) if (Float.isNaN(x[o + i])) return true;
        return false;
    }

    /** In-place softmax of x[o, o+cols): max-subtracted, float32; all -inf gives zeros. */
    static void softmaxRow(float[] x, int o, int cols) {
        float max = VectorMath.maxSkippingNaN(x, o, o + cols);
        if (max == Float.NEGATIVE_INFINITY && !anyNaN(x, o, cols)) {      // the max skipped NaN: they stay NaN
            java.util.Arrays.fill(x, o, o + cols, 0f);
            return;
        }
        float s = VectorMath.expShiftedSum(x, o, o + cols, max);
        int i = 0;
        for (; i <= cols - L; i += L) FloatVector.fromArray(F, x, o + i).div(s).intoArray(x, o + i);
        for (; i < cols; i++) x[o + i] = x[o + i] / s;
    }
}
