package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.FloatMath;
import dev.cosyvoice4j.backend.host.HostBuf;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@code Backend.relPositionAttention} (the CosyVoice2 flow encoder's ESPnet relative-position attention): one task
 * per (head, block of queries); per query the two score terms {@code (q + u) . k_j} and {@code (q + v) . p_(t-1-i+j)}
 * are vector dot products, then the masked softmax and the probability-weighted sum of V rows. It runs once per
 * flow call (not per solver step), so plain dot products over the rel-shifted rows are enough.
 */
final class RelPositionAttention {
    private RelPositionAttention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int QUERIES_PER_TASK = 16;

    private static final class Scratch {
        float[] scores = new float[0], qu = new float[0], qv = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void attention(KernelPool pool, HostBuf out, HostBuf q, HostBuf k, HostBuf v, HostBuf p, float[] posBiasU,
                          float[] posBiasV, int heads, int hd, float divisor, AttentionMask mask) {
        int t = q.rows(), blocks = (t + QUERIES_PER_TASK - 1) / QUERIES_PER_TASK;
        pool.parallelFor(heads * blocks, task -> {
            int h = task / blocks, i0 = (task % blocks) * QUERIES_PER_TASK, i1 = Math.min(t, i0 + QUERIES_PER_TASK);
            Scratch s = SCRATCH.get();
            if (s.scores.length < t) s.scores = new float[t];
            if (s.qu.length < hd) {
                s.qu = new float[hd];
                s.qv = new float[hd];
            }
            float[] sc = s.scores, qu = s.qu, qv = s.qv;
            for (int i = i0; i < i1; i++) {
                int visible = mask.visibleKeys(i, t), oo = out.at(i, h * hd), qo = q.at(i, h * hd);
                Arrays.fill(out.data, oo, oo + hd, 0f);
                if (visible <= 0) continue;                                   // a query that sees no key gets zeros
                for (int d = 0; d < hd; d++) {
                    qu[d] = q.data[qo + d] + posBiasU[h * hd + d];
                    qv[d] = q.data[qo + d] + posBiasV[h * hd + d];
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    float ac = dot(qu, k.data, k.at(j, h * hd), hd);
                    float bd = dot(qv, p.data, p.at(t - 1 - i + j, h * hd), hd);   // rel_shift: relative position i - j
                    sc[j] = (ac + bd) / divisor;
                    max = Math.max(max, sc[j]);
                }
                float sum = 0;
                for (int j = 0; j < visible; j++) {
                    sc[j] = FloatMath.exp(sc[j] - max);
                    sum += sc[j];
                }
                for (int j = 0; j < visible; j++) axpy(sc[j] / sum, v.data, v.at(j, h * hd), out.data, oo, hd);
            }
        });
    }

    private static float dot(float[] a, float[] b, int bo, int n) {
        int d = 0;
        FloatVector acc = FloatVector.zero(F);
        for (; d <= n - L; d += L) acc = FloatVector.fromArray(F, a, d).fma(FloatVector.fromArray(F, b, bo + d), acc);
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; d < n; d++) s += a[d] * b[bo + d];
        return s;
    }

    /** {@code y[yo ..] += a * x[xo ..]} over n values. */
    private static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int d = 0;
        FloatVector av = FloatVector.broadcast(F, a);
        for (; d <= n - L; d += L) {
            FloatVector.fromArray(F, x, xo + d).fma(av, FloatVector.fromArray(F, y, yo + d)).intoArray(y, yo + d);
        }
        for (; d < n; d++) y[yo + d] += a * x[xo + d];
    }
}
