package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.FloatMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static dev.cosyvoice4j.backend.FloatMath.*;

/**
 * Lane-wise twins of {@link FloatMath}: the same IEEE operations in the same order on every lane, so each lane's
 * result is bit-identical to the scalar function's, in the interpreter, C1 and C2 alike (tested bitwise by
 * {@code VectorMathTest}). Replaces the Vector API's EXP/SIN/TANH, whose intrinsic (SVML) and fallback
 * ({@code Math.*}) round differently. Constants are passed as scalar arguments (see {@link Elementwise}'s C2 rule).
 */
public final class VectorMath {
    private VectorMath() {}

    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_CLAMP_LO).min(EXP_CLAMP_HI);
        FloatVector t = xc.fma(LOG2E, MAGIC);
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(n.broadcast(-LN2_HI), xc);
        r = n.fma(n.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(EXP_C5, EXP_C4);            // EXP_C5 * r + EXP_C4 (multiplication commutes exactly)
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
        e = e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_OVER));
        return e.blend(0f, x.compare(VectorOperators.LT, EXP_UNDER));
    }

    /** SiLU {@code x / (e^-x + 1)}. */
    public static FloatVector silu(FloatVector x) {
        return x.div(exp(x.neg()).add(1f));
    }

    public static FloatVector sin(FloatVector x) { return sinCos(x, 0); }

    public static FloatVector cos(FloatVector x) { return sinCos(x, 1); }

    private static FloatVector sinCos(FloatVector x, int quadrantShift) {
        FloatVector t = x.fma(TWO_OVER_PI, MAGIC);
        FloatVector k = t.sub(MAGIC);
        FloatVector r = k.fma(k.broadcast(-PIO2_1), x);
        r = k.fma(k.broadcast(-PIO2_2), r);
        r = k.fma(k.broadcast(-PIO2_3), r);
        IntVector q = t.reinterpretAsInts().sub(MAGIC_BITS - quadrantShift);
        FloatVector z = r.mul(r);
        FloatVector sp = z.fma(SIN_S3, SIN_S2).fma(z, z.broadcast(SIN_S1));
        FloatVector s = sp.mul(z).fma(r, r);
        FloatVector cp = z.fma(COS_C3, COS_C2).fma(z, z.broadcast(COS_C1));
        FloatVector c = cp.fma(z.mul(z), z.fma(-0.5f, 1f));
        VectorMask<Float> odd = q.and(1).compare(VectorOperators.NE, 0).cast(x.species());
        VectorMask<Float> neg = q.and(2).compare(VectorOperators.NE, 0).cast(x.species());
        FloatVector y = s.blend(c, odd);
        y = y.blend(y.neg(), neg);
        VectorMask<Float> big = x.abs().compare(VectorOperators.GT, SIN_MAX).or(x.compare(VectorOperators.NE, x));
        if (big.anyTrue()) y = scalarLanes(x, y, big, quadrantShift);   // never in the networks; NaN also lands here
        return y;
    }

    private static FloatVector scalarLanes(FloatVector x, FloatVector y, VectorMask<Float> lanes, int quadrantShift) {
        float[] xs = x.toArray(), ys = y.toArray();
        for (int i = 0; i < xs.length; i++) {
            if (lanes.laneIsSet(i)) ys[i] = quadrantShift == 0 ? FloatMath.sin(xs[i]) : FloatMath.cos(xs[i]);
        }
        return FloatVector.fromArray(x.species(), ys, 0);
    }

    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(TANH_T4, TANH_T3);
        p = p.fma(z, z.broadcast(TANH_T2));
        p = p.fma(z, z.broadcast(TANH_T1));
        p = p.fma(z, z.broadcast(TANH_T0));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector ac = a.min(TANH_CLAMP);
        FloatVector e = exp(ac.add(ac)).add(1f);
        FloatVector large = e.mul(0f).add(2f).div(e).neg().add(1f);     // 1 - 2 / e; 0 * e + 2 = 2 (e is finite)
        // copySign(large, x): large >= 0, so take x's sign bit
        IntVector sign = x.reinterpretAsInts().and(0x80000000);
        large = large.reinterpretAsInts().or(sign).reinterpretAsFloats();
        return large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL));
    }

    /** Mish via {@code n(n+2) / (n(n+2) + 2)}, {@code n = e^min(x, 20)} ({@link FloatMath#mish}). */
    public static FloatVector mish(FloatVector x) {
        FloatVector n = exp(x.min(20f));
        FloatVector m = n.add(2f).mul(n);
        return x.mul(m.div(m.add(2f)));
    }

    public static FloatVector geluTanh(FloatVector x) {
        FloatVector inner = x.mul(0.044715f).mul(x).mul(x).add(x).mul(GELU_C);
        return x.mul(0.5f).mul(tanh(inner).add(1f));
    }

    public static FloatVector snake(FloatVector x, float alpha, float inv) {
        FloatVector s = sin(x.mul(alpha));
        return s.mul(s).mul(inv).add(x);
    }
}
