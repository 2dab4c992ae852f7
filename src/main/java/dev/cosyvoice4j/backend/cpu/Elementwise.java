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

    static void silu(float[] x, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) silu(FloatVector.fromArray(F, x, i)).intoArray(x, i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            silu(FloatVector.fromArray(F, x, i, m)).intoArray(x, i, m);
        }
    }

    private static FloatVector silu(FloatVector v) { return VectorMath.silu(v); }

    static void siluMul(float[] out, float[] gate, float[] up, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) silu(FloatVector.fromArray(F, gate, i)).mul(FloatVector.fromArray(F, up, i)).intoArray(out, i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            silu(FloatVector.fromArray(F, gate, i, m)).mul(FloatVector.fromArray(F, up, i, m)).intoArray(out, i, m);
        }
    }

    static void geluTanh(float[] x, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) gelu(FloatVector.fromArray(F, x, i)).intoArray(x, i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            gelu(FloatVector.fromArray(F, x, i, m)).intoArray(x, i, m);
        }
    }

    private static FloatVector gelu(FloatVector v) { return VectorMath.geluTanh(v); }

    static void mish(float[] x, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) mish(FloatVector.fromArray(F, x, i)).intoArray(x, i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            mish(FloatVector.fromArray(F, x, i, m)).intoArray(x, i, m);
        }
    }

    private static FloatVector mish(FloatVector v) { return VectorMath.mish(v); }

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
        int i = from;
        for (; i <= to - L; i += L) FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(out, i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector.fromArray(F, a, i, m).add(FloatVector.fromArray(F, b, i, m)).intoArray(out, i, m);
        }
    }

    /** Snake on one channel's values [from, to): {@code x + inv * sin(alpha * x)^2}. */
    static void snake(float[] x, int from, int to, float alpha, float inv) {
        int i = from;
        for (; i <= to - L; i += L) snake(FloatVector.fromArray(F, x, i), alpha, inv).intoArray(x, i);
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            snake(FloatVector.fromArray(F, x, i, m), alpha, inv).intoArray(x, i, m);
        }
    }

    private static FloatVector snake(FloatVector v, float alpha, float inv) { return VectorMath.snake(v, alpha, inv); }

    // ---- rows -------------------------------------------------------------------------------------------------

    private static final java.nio.ByteOrder LE = java.nio.ByteOrder.LITTLE_ENDIAN;

    private static FloatVector w(MemorySegment w, int i) {
        return FloatVector.fromMemorySegment(F, w, (long) i * Float.BYTES, LE);
    }

    private static float wAt(MemorySegment w, int i) {
        return w.getAtIndex(Tensor.F32_LE, i);
    }

    /** RMSNorm of one row; {@code weight} is a float32 segment (read in place, no copy per call). */
    static void rmsNormRow(float[] out, float[] x, int o, int dim, MemorySegment weight, float eps) {
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
            w(weight, i).mul(FloatVector.fromArray(F, x, o + i).mul(inv)).intoArray(out, o + i);
        }
        for (; i < dim; i++) out[o + i] = wAt(weight, i) * (x[o + i] * inv);
    }

    /** LayerNorm of one row; weight / bias are float32 segments or null. */
    static void layerNormRow(float[] out, float[] x, int o, int dim, MemorySegment weight, MemorySegment bias, float eps) {
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
            y.intoArray(out, o + i);
        }
        for (; i < dim; i++) {
            float y = (x[o + i] - mean) * inv;
            if (weight != null) y *= wAt(weight, i);
            if (bias != null) y += wAt(bias, i);
            out[o + i] = y;
        }
    }

    /** In-place softmax of x[o, o+cols): max-subtracted, float32; all -inf gives zeros. */
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
            mx = v.max(mx);
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        FloatVector sum = FloatVector.zero(F);
        for (int i = 0; i < cols; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, o + i).sub(max));
            e.intoArray(x, o + i);
            sum = e.add(sum);
        }
        float s = Lanes.sum(sum);
        for (int i = 0; i < cols; i += L) FloatVector.fromArray(F, x, o + i).div(s).intoArray(x, o + i);
    }

    static void softmaxRow(float[] x, int o, int cols) {
        FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= cols - L; i += L) mx = FloatVector.fromArray(F, x, o + i).max(mx);
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (; i < cols; i++) max = Math.max(max, x[o + i]);
        if (max == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(x, o, o + cols, 0f);
            return;
        }
        FloatVector sum = FloatVector.zero(F);
        for (i = 0; i <= cols - L; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, o + i).sub(max));
            e.intoArray(x, o + i);
            sum = e.add(sum);
        }
        float s = Lanes.sum(sum);
        if (i < cols) {
            VectorMask<Float> m = F.indexInRange(i, cols);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, o + i, m).sub(max));
            e.intoArray(x, o + i, m);
            s += Lanes.sum(e.blend(0f, m.not()));
        }
        for (i = 0; i <= cols - L; i += L) FloatVector.fromArray(F, x, o + i).div(s).intoArray(x, o + i);
        for (; i < cols; i++) x[o + i] = x[o + i] / s;
    }
}
