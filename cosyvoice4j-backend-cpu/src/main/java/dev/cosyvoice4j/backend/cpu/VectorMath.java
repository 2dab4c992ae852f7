package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.FloatMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static dev.cosyvoice4j.backend.FloatMath.*;

/**
 * Vector loops computing {@link FloatMath}'s functions: the same IEEE operations in the same order on every lane, so
 * each element is bit-identical to the scalar function's, in the interpreter, C1 and C2 alike (tested element by
 * element by {@code VectorMathTest}). They replace the Vector API's EXP/SIN/TANH, whose intrinsic (SVML) and fallback
 * ({@code Math.*}) round differently.
 *
 * <p>Why loops over arrays and not functions of a vector: the polynomials are 160-280 bytecodes, and a call of such
 * a function that C2 does not inline boxes its vectors. It does not inline it once the function was compiled on its
 * own into more than {@code InlineSmallCode} bytes (which warm-up makes happen), or when the caller ran out of node
 * budget; measured: 4.6 GB of vector garbage and +50% DiT attention time per call when the softmax's exp was such a
 * function. So each transcendental has ONE loop here ({@link #expShiftedSum}, {@link #tanhInPlace},
 * {@link #sinInPlace}, and {@link #cosSin} for RoPE), with no vector crossing a method boundary, and the composite
 * activations run block by block through a small per-thread scratch (prepare the argument, one transcendental loop,
 * combine). Tails shorter than a vector go through {@link FloatMath} itself.
 */
public final class VectorMath {
    private VectorMath() {}

    private static final VectorSpecies<Float> P = FloatVector.SPECIES_PREFERRED;
    private static final int L = P.length();
    /** Elements per scratch block of the composite activations: a few KB, in L1. */
    private static final int BLOCK = 1024;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[BLOCK]);

    // ---- exp ------------------------------------------------------------------------------------------------

    /**
     * In place {@code x[i] = e^(x[i] - shift)} over {@code [from, to)}; returns their sum (whole vectors lane-wise in
     * order, then {@link Lanes#sum}, then the tail's values one by one).
     */
    public static float expShiftedSum(float[] x, int from, int to, float shift) {
        FloatVector sum = FloatVector.zero(P);
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(P, x, i).sub(shift);
            // FloatMath.exp, lane-wise
            FloatVector xc = atMost(atLeast(v, EXP_CLAMP_LO), EXP_CLAMP_HI);
            FloatVector t = xc.fma(LOG2E, MAGIC);
            FloatVector n = t.sub(MAGIC);
            FloatVector r = n.fma(n.broadcast(-LN2_HI), xc);
            r = n.fma(n.broadcast(-LN2_LO), r);
            FloatVector p = r.fma(EXP_C5, EXP_C4);             // EXP_C5 * r + EXP_C4 (the product commutes exactly)
            p = p.fma(r, r.broadcast(EXP_C3));
            p = p.fma(r, r.broadcast(EXP_C2));
            p = p.fma(r, r.broadcast(EXP_C1));
            p = p.fma(r, r.broadcast(EXP_C0));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
            IntVector h = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = y.mul(s1).mul(s2);
            e = e.blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, EXP_OVER));
            e = e.blend(0f, v.compare(VectorOperators.LT, EXP_UNDER));
            e.intoArray(x, i);
            sum = e.add(sum);
        }
        float s = Lanes.sum(sum);
        for (; i < to; i++) {
            x[i] = FloatMath.exp(x[i] - shift);
            s += x[i];
        }
        return s;
    }

    /**
     * The largest of {@code x[from, to)}, -inf if none, NaN skipped (a caller that must see NaN sees it in what it
     * computes next from the row). Two compare-and-blend chains: a running lane-wise {@code max} waits ~8 cycles per
     * vector on Java's NaN and signed-zero rules (see {@link #atLeast}).
     */
    public static float maxSkippingNaN(float[] x, int from, int to) {
        FloatVector m0 = FloatVector.broadcast(P, Float.NEGATIVE_INFINITY), m1 = m0;
        int j = from;
        for (; j <= to - 2 * L; j += 2 * L) {
            FloatVector a = FloatVector.fromArray(P, x, j), c = FloatVector.fromArray(P, x, j + L);
            m0 = m0.blend(a, a.compare(VectorOperators.GT, m0));
            m1 = m1.blend(c, c.compare(VectorOperators.GT, m1));
        }
        if (j <= to - L) {                  // a last whole vector as a vector: see performance.md on scalar tails
            FloatVector a = FloatVector.fromArray(P, x, j);
            m0 = m0.blend(a, a.compare(VectorOperators.GT, m0));
            j += L;
        }
        float max = m0.blend(m1, m1.compare(VectorOperators.GT, m0)).reduceLanes(VectorOperators.MAX);
        for (; j < to; j++) if (x[j] > max) max = x[j];
        return max;
    }

    /**
     * {@code max(v, c)} in every lane for a constant {@code c != 0}, as a compare and a blend: Java's lane-wise max compiles
     * to several instructions (its NaN and signed-zero rules; a third of a bf16 softmax row's time), while against a
     * non-zero bound both give the same lanes, NaN included.
     */
    public static FloatVector atLeast(FloatVector v, float c) { return v.blend(c, v.compare(VectorOperators.LT, c)); }

    /** {@code min(v, c)} in every lane for a constant {@code c != 0} (see {@link #atLeast}). */
    public static FloatVector atMost(FloatVector v, float c) { return v.blend(c, v.compare(VectorOperators.GT, c)); }

    /**
     * In place {@code x[j] = FloatMath.expForBf16(fma(x[j], scale, shift))} over {@code [0, n)}; returns their sum (as
     * {@link #expShiftedSum}). The unnormalised probabilities of the bf16 attention.
     */
    public static float expForBf16ScaledSum(float[] x, int n, float scale, float shift) {
        FloatVector sum = FloatVector.zero(P);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector v = FloatVector.fromArray(P, x, j);
            FloatVector xc = atMost(atLeast(v.fma(v.broadcast(scale), v.broadcast(shift)), EXP_BF16_LO), EXP_BF16_HI);
            FloatVector t = xc.fma(LOG2E, MAGIC);
            FloatVector k = t.sub(MAGIC);
            FloatVector r = k.fma(k.broadcast(-LN2_HI), xc);
            r = k.fma(k.broadcast(-LN2_LO), r);
            FloatVector p = r.fma(EXP_C3, EXP_C2);
            p = p.fma(r, r.broadcast(EXP_C1));
            p = p.fma(r, r.broadcast(EXP_C0));
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            FloatVector s = t.reinterpretAsInts().sub(MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = y.mul(s);
            e.intoArray(x, j);
            sum = e.add(sum);
        }
        float s = Lanes.sum(sum);
        for (; j < n; j++) {
            x[j] = FloatMath.expForBf16(Math.fma(x[j], scale, shift));
            s += x[j];
        }
        return s;
    }

    // ---- tanh -----------------------------------------------------------------------------------------------

    /** In place {@code x[i] = tanh(x[i])} over {@code [from, to)} ({@link FloatMath#tanh}). */
    public static void tanhInPlace(float[] x, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(P, x, i);
            FloatVector a = v.abs();
            FloatVector z = v.mul(v);
            FloatVector p = z.fma(TANH_T4, TANH_T3);
            p = p.fma(z, z.broadcast(TANH_T2));
            p = p.fma(z, z.broadcast(TANH_T1));
            p = p.fma(z, z.broadcast(TANH_T0));
            FloatVector small = p.mul(z).fma(v, v);
            // 1 - 2 / (e^(2 min(|x|, clamp)) + 1), with FloatMath.exp lane-wise
            FloatVector ac = atMost(a, TANH_CLAMP);
            FloatVector w = ac.add(ac);
            FloatVector xc = atMost(atLeast(w, EXP_CLAMP_LO), EXP_CLAMP_HI);
            FloatVector t = xc.fma(LOG2E, MAGIC);
            FloatVector n = t.sub(MAGIC);
            FloatVector r = n.fma(n.broadcast(-LN2_HI), xc);
            r = n.fma(n.broadcast(-LN2_LO), r);
            FloatVector q = r.fma(EXP_C5, EXP_C4);
            q = q.fma(r, r.broadcast(EXP_C3));
            q = q.fma(r, r.broadcast(EXP_C2));
            q = q.fma(r, r.broadcast(EXP_C1));
            q = q.fma(r, r.broadcast(EXP_C0));
            FloatVector y = q.fma(r.mul(r), r).add(1f);
            IntVector ni = t.reinterpretAsInts().sub(MAGIC_BITS);
            IntVector h = ni.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = h.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = ni.sub(h).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = y.mul(s1).mul(s2);
            e = e.blend(Float.POSITIVE_INFINITY, w.compare(VectorOperators.GT, EXP_OVER));
            e = e.blend(0f, w.compare(VectorOperators.LT, EXP_UNDER));
            FloatVector e1 = e.add(1f);
            FloatVector large = e1.mul(0f).add(2f).div(e1).neg().add(1f);   // 1 - 2 / e1; 0 * e1 + 2 = 2 (e1 finite)
            IntVector sign = v.reinterpretAsInts().and(0x80000000);          // copySign(large, x): large >= 0
            large = large.reinterpretAsInts().or(sign).reinterpretAsFloats();
            large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL)).intoArray(x, i);
        }
        for (; i < to; i++) x[i] = FloatMath.tanh(x[i]);
    }

    // ---- sin / cos ------------------------------------------------------------------------------------------

    /** In place {@code x[i] = sin(x[i])} over {@code [from, to)} ({@link FloatMath#sin}). */
    public static void sinInPlace(float[] x, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(P, x, i);
            FloatVector t = v.fma(TWO_OVER_PI, MAGIC);
            FloatVector k = t.sub(MAGIC);
            FloatVector r = k.fma(k.broadcast(-PIO2_1), v);
            r = k.fma(k.broadcast(-PIO2_2), r);
            r = k.fma(k.broadcast(-PIO2_3), r);
            IntVector q = t.reinterpretAsInts().sub(MAGIC_BITS);
            FloatVector z = r.mul(r);
            FloatVector sp = z.fma(SIN_S3, SIN_S2).fma(z, z.broadcast(SIN_S1));
            FloatVector sv = sp.mul(z).fma(r, r);
            FloatVector cp = z.fma(COS_C3, COS_C2).fma(z, z.broadcast(COS_C1));
            FloatVector cv = cp.fma(z.mul(z), z.fma(-0.5f, 1f));
            VectorMask<Float> odd = q.and(1).compare(VectorOperators.NE, 0).cast(P);
            VectorMask<Float> neg = q.and(2).compare(VectorOperators.NE, 0).cast(P);
            FloatVector y = sv.blend(cv, odd);
            y = y.blend(y.neg(), neg);
            VectorMask<Float> big = v.abs().compare(VectorOperators.GT, SIN_MAX).or(v.compare(VectorOperators.NE, v));
            y.intoArray(x, i);
            if (big.anyTrue()) {                                   // never in the networks; NaN also lands here
                for (int j = 0; j < L; j++) if (big.laneIsSet(j)) x[i + j] = FloatMath.sin(v.lane(j));
            }
        }
        for (; i < to; i++) x[i] = FloatMath.sin(x[i]);
    }

    /**
     * {@code cos[i] = cos(pos * invFreq[i])}, {@code sin[i] = sin(pos * invFreq[i])} for {@code i < n} (the angle
     * rounded to float32, as HF computes it): one range reduction for both, each bit-identical to
     * {@link FloatMath#cos}/{@link FloatMath#sin}. The RoPE tables of one position.
     */
    public static void cosSin(float[] invFreq, float pos, int n, float[] cos, float[] sin) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector x = FloatVector.fromArray(P, invFreq, i).mul(pos);
            FloatVector t = x.fma(TWO_OVER_PI, MAGIC);
            FloatVector k = t.sub(MAGIC);
            FloatVector r = k.fma(k.broadcast(-PIO2_1), x);
            r = k.fma(k.broadcast(-PIO2_2), r);
            r = k.fma(k.broadcast(-PIO2_3), r);
            IntVector q = t.reinterpretAsInts().sub(MAGIC_BITS);
            FloatVector z = r.mul(r);
            FloatVector sp = z.fma(SIN_S3, SIN_S2).fma(z, z.broadcast(SIN_S1));
            FloatVector sv = sp.mul(z).fma(r, r);
            FloatVector cp = z.fma(COS_C3, COS_C2).fma(z, z.broadcast(COS_C1));
            FloatVector cv = cp.fma(z.mul(z), z.fma(-0.5f, 1f));
            VectorMask<Float> odd = q.and(1).compare(VectorOperators.NE, 0).cast(P);
            VectorMask<Float> sinNeg = q.and(2).compare(VectorOperators.NE, 0).cast(P);
            VectorMask<Float> cosNeg = q.add(1).and(2).compare(VectorOperators.NE, 0).cast(P);
            FloatVector sinV = sv.blend(cv, odd);                  // quadrant q for sin, q + 1 for cos
            FloatVector cosV = cv.blend(sv, odd);
            sinV.blend(sinV.neg(), sinNeg).intoArray(sin, i);
            cosV.blend(cosV.neg(), cosNeg).intoArray(cos, i);
            VectorMask<Float> big = x.abs().compare(VectorOperators.GT, SIN_MAX).or(x.compare(VectorOperators.NE, x));
            if (big.anyTrue()) {
                for (int j = 0; j < L; j++) {
                    if (big.laneIsSet(j)) {
                        sin[i + j] = FloatMath.sin(x.lane(j));
                        cos[i + j] = FloatMath.cos(x.lane(j));
                    }
                }
            }
        }
        for (; i < n; i++) {
            float a = invFreq[i] * pos;
            cos[i] = FloatMath.cos(a);
            sin[i] = FloatMath.sin(a);
        }
    }

    // ---- composite activations: block by block, one transcendental loop each -----------------------------------

    /** In place SiLU {@code x / (e^-x + 1)} over {@code [from, to)} ({@link FloatMath#silu}). */
    public static void silu(float[] x, int from, int to) {
        siluMul(x, 0, x, 0, null, 0, from, to);
    }

    /**
     * {@code out[oo + i] = silu(gate[go + i]) * up[uo + i]} for i in {@code [from, to)}; without {@code up} (null)
     * just the SiLU.
     */
    public static void siluMul(float[] out, int oo, float[] gate, int go, float[] up, int uo, int from, int to) {
        float[] e = SCRATCH.get();
        for (int b = from; b < to; b += BLOCK) {
            int n = Math.min(BLOCK, to - b), i = 0;
            for (; i <= n - L; i += L) FloatVector.fromArray(P, gate, go + b + i).neg().intoArray(e, i);
            for (; i < n; i++) e[i] = -gate[go + b + i];
            expShiftedSum(e, 0, n, 0f);                            // e^-x
            i = 0;
            for (; i <= n - L; i += L) {
                FloatVector g = FloatVector.fromArray(P, gate, go + b + i);
                FloatVector y = g.div(FloatVector.fromArray(P, e, i).add(1f));
                if (up != null) y = y.mul(FloatVector.fromArray(P, up, uo + b + i));
                y.intoArray(out, oo + b + i);
            }
            for (; i < n; i++) {
                float y = gate[go + b + i] / (e[i] + 1f);
                out[oo + b + i] = up != null ? y * up[uo + b + i] : y;
            }
        }
    }

    /** In place tanh-GELU over {@code [from, to)} ({@link FloatMath#geluTanh}). */
    public static void geluTanh(float[] x, int from, int to) {
        float[] th = SCRATCH.get();
        for (int b = from; b < to; b += BLOCK) {
            int n = Math.min(BLOCK, to - b), i = 0;
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(P, x, b + i);
                v.mul(0.044715f).mul(v).mul(v).add(v).mul(GELU_C).intoArray(th, i);
            }
            for (; i < n; i++) th[i] = (x[b + i] * 0.044715f * x[b + i] * x[b + i] + x[b + i]) * GELU_C;
            tanhInPlace(th, 0, n);
            i = 0;
            for (; i <= n - L; i += L) {
                FloatVector v = FloatVector.fromArray(P, x, b + i);
                v.mul(0.5f).mul(FloatVector.fromArray(P, th, i).add(1f)).intoArray(x, b + i);
            }
            for (; i < n; i++) x[b + i] = x[b + i] * 0.5f * (th[i] + 1f);
        }
    }

    /** In place exact-erf GELU over {@code [from, to)}: the lane-wise twin of {@link FloatMath#geluErf} (same FMA steps). */
    public static void geluErf(float[] x, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(P, x, i);
            FloatVector a = atMost(atLeast(v.mul(SQRT1_2), -4f), 4f), x2 = a.mul(a);
            FloatVector p = x2.fma(ERF_A13, ERF_A11);
            p = x2.fma(p, FloatVector.broadcast(P, ERF_A9));
            p = x2.fma(p, FloatVector.broadcast(P, ERF_A7));
            p = x2.fma(p, FloatVector.broadcast(P, ERF_A5));
            p = x2.fma(p, FloatVector.broadcast(P, ERF_A3));
            p = x2.fma(p, FloatVector.broadcast(P, ERF_A1));
            p = a.mul(p);
            FloatVector q = x2.fma(ERF_B8, ERF_B6);
            q = x2.fma(q, FloatVector.broadcast(P, ERF_B4));
            q = x2.fma(q, FloatVector.broadcast(P, ERF_B2));
            q = x2.fma(q, FloatVector.broadcast(P, ERF_B0));
            v.mul(0.5f).mul(p.div(q).add(1f)).intoArray(x, i);
        }
        for (; i < to; i++) x[i] = FloatMath.geluErf(x[i]);
    }

    /** In place Mish {@code x * n(n+2) / (n(n+2) + 2)}, {@code n = e^min(x, 20)} over {@code [from, to)} ({@link FloatMath#mish}). */
    public static void mish(float[] x, int from, int to) {
        float[] e = SCRATCH.get();
        for (int b = from; b < to; b += BLOCK) {
            int n = Math.min(BLOCK, to - b), i = 0;
            for (; i <= n - L; i += L) atMost(FloatVector.fromArray(P, x, b + i), 20f).intoArray(e, i);
            for (; i < n; i++) e[i] = Math.min(x[b + i], 20f);
            expShiftedSum(e, 0, n, 0f);
            i = 0;
            for (; i <= n - L; i += L) {
                FloatVector nn = FloatVector.fromArray(P, e, i);
                FloatVector m = nn.add(2f).mul(nn);
                FloatVector v = FloatVector.fromArray(P, x, b + i);
                v.mul(m.div(m.add(2f))).intoArray(x, b + i);
            }
            for (; i < n; i++) {
                float m = e[i] * (e[i] + 2f);
                x[b + i] = x[b + i] * (m / (m + 2f));
            }
        }
    }

    /** In place Snake {@code x + inv * sin(alpha x)^2} over one channel's {@code [from, to)} ({@link FloatMath#snake}). */
    public static void snake(float[] x, int from, int to, float alpha, float inv) {
        float[] s = SCRATCH.get();
        for (int b = from; b < to; b += BLOCK) {
            int n = Math.min(BLOCK, to - b), i = 0;
            for (; i <= n - L; i += L) FloatVector.fromArray(P, x, b + i).mul(alpha).intoArray(s, i);
            for (; i < n; i++) s[i] = x[b + i] * alpha;
            sinInPlace(s, 0, n);
            i = 0;
            for (; i <= n - L; i += L) {
                FloatVector sv = FloatVector.fromArray(P, s, i);
                sv.mul(sv).mul(inv).add(FloatVector.fromArray(P, x, b + i)).intoArray(x, b + i);
            }
            for (; i < n; i++) x[b + i] = s[i] * s[i] * inv + x[b + i];
        }
    }
}
