package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.AttentionMask;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Tiled scaled-dot-product attention with grouped KV heads. One task is (KV head g, block of queries): its rows are
 * every query head of the group times the block's queries (GQA: a decode step's 7 query heads of one KV head form
 * one 7-row tile instead of seven 1-row products). K^T (16 x 16 register transposes) and V of head g are packed
 * once per task and reused by all its query blocks. Per task: S = Q K^T (8 x 32 register tiles), scale + masked softmax per row over its visible prefix,
 * O = P V. Tasks run in parallel: one per KV head (DiT: 16; decode: 2), query ranges split further only when
 * there are fewer KV heads than 2 x threads.
 */
final class Attention {
    private Attention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int TR = 8, TC = 2 * L;
    /** Target rows (query heads x queries) per task. */
    private static final int TASK_ROWS = 64;

    private static final class Scratch {
        float[] qp = new float[0], kt = new float[0], vp = new float[0], s = new float[0], op = new float[0];
        /** One KV head's keys and values widened from bf16 storage, dense {@code [rows][hd]}. */
        float[] kw = new float[0], vw = new float[0];

        static float[] grow(float[] a, int n) { return a.length >= n ? a : new float[n]; }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void attention(KernelPool pool, float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads,
                          int kvHeads, int headDim, float scale, AttentionMask mask) {
        attention(pool, out, 0, q, 0, k, 0, v, 0, tq, tk, heads, kvHeads, headDim, scale, mask);
    }

    /**
     * {@code Backend.attention} over arrays whose matrices start at {@code oo, qo, ko, vo} ({@code q}, {@code out}
     * {@code [tq, heads * headDim]}, {@code k}, {@code v} {@code [tk, kvHeads * headDim]}, dense rows).
     */
    static void attention(KernelPool pool, float[] out, int oo, float[] q, int qo, float[] k, int ko, float[] v, int vo,
                          int tq, int tk, int heads, int kvHeads, int headDim, float scale, AttentionMask mask) {
        int kStride = kvHeads * headDim;
        run(pool, tq, heads, kvHeads, (g, i0, i1, qb) -> task(out, oo, q, qo, k, ko + g * headDim, v, vo + g * headDim, kStride,
                tk, heads, kvHeads, headDim, scale, mask, g, i0, i1, qb));
    }

    /**
     * The same with keys and values stored as bfloat16 bits (a bf16 DiT's streaming caches), read as their exact
     * float32 values: each task widens its KV head's visible rows into scratch (no float32 copy of the caches).
     */
    static void attention(KernelPool pool, float[] out, int oo, float[] q, int qo, short[] k, int ko, short[] v, int vo,
                          int tq, int tk, int heads, int kvHeads, int headDim, float scale, AttentionMask mask) {
        int kStride = kvHeads * headDim;
        run(pool, tq, heads, kvHeads, (g, i0, i1, qb) -> {
            int rows = 0;
            for (int i = i0; i < i1; i++) rows = Math.max(rows, Math.min(tk, mask.visibleKeys(i, tk)));
            Scratch s = SCRATCH.get();
            float[] kw = s.kw = Scratch.grow(s.kw, rows * headDim), vw = s.vw = Scratch.grow(s.vw, rows * headDim);
            for (int j = 0; j < rows; j++) {
                dev.cosyvoice4j.backend.onednn.Bf16.toFloats(k, ko + j * kStride + g * headDim, headDim, kw, j * headDim);
                dev.cosyvoice4j.backend.onednn.Bf16.toFloats(v, vo + j * kStride + g * headDim, headDim, vw, j * headDim);
            }
            task(out, oo, q, qo, kw, 0, vw, 0, headDim, tk, heads, kvHeads, headDim, scale, mask, g, i0, i1, qb);
        });
    }

    /** A task: KV head g, queries [i0, i1) in blocks of qb. */
    private interface Task {
        void run(int g, int i0, int i1, int qb);
    }

    private static void run(KernelPool pool, int tq, int heads, int kvHeads, Task task) {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: heads " + heads + " not a multiple of kvHeads " + kvHeads);
        }
        if (tq <= 0) return;
        int group = heads / kvHeads;
        int qb = Math.max(1, TASK_ROWS / group);
        int qBlocks = (tq + qb - 1) / qb;
        // one task per KV head packs its K^T and V once; split the queries only if there are too few KV heads
        int split = Math.min(qBlocks, Math.max(1, (2 * pool.threads() + kvHeads - 1) / kvHeads));
        int perTask = (qBlocks + split - 1) / split;
        int tasks = (qBlocks + perTask - 1) / perTask;
        pool.parallelFor(kvHeads * tasks, t -> {
            int g = t / tasks, b0 = (t % tasks) * perTask, b1 = Math.min(qBlocks, b0 + perTask);
            task.run(g, b0 * qb, Math.min(tq, b1 * qb), qb);
        });
    }

    /**
     * KV head g, queries [i0, i1) in blocks of qb; its key j at {@code k[kBase + j * kStride]} (hd values), its value
     * at {@code v[vBase + j * kStride]}.
     */
    private static void task(float[] out, int oo, float[] q, int qo, float[] k, int kBase, float[] v, int vBase, int kStride,
                             int tk, int heads, int kvHeads, int hd, float scale, AttentionMask mask, int g, int i0, int i1, int qb) {
        if (hd == 4 * L && (i1 - i0) * (heads / kvHeads) <= TR) {
            fewRows(out, oo, q, qo, k, kBase, v, vBase, kStride, tk, heads, kvHeads, scale, mask, g, i0, i1);
            return;
        }
        int visMax = 0;
        for (int i = i0; i < i1; i++) visMax = Math.max(visMax, mask.visibleKeys(i, tk));
        int tkPad = (Math.max(visMax, 1) + TC - 1) / TC * TC, hdPad = (hd + TC - 1) / TC * TC;
        Scratch s = SCRATCH.get();
        float[] kt = s.kt = Scratch.grow(s.kt, hd * tkPad);
        float[] vp = s.vp = Scratch.grow(s.vp, Math.max(visMax, 1) * hdPad);
        // K^T [hd][tkPad] (16 x 16 register transposes where whole), V [visMax][hdPad]
        int j16 = Transpose.SUPPORTED ? visMax / 16 * 16 : 0, d16 = Transpose.SUPPORTED ? hd / 16 * 16 : 0;
        for (int j = 0; j < j16; j += 16) {
            for (int d = 0; d < d16; d += 16) Transpose.fromArray(k, kBase + j * kStride + d, kStride, kt, d * tkPad + j, tkPad);
        }
        for (int d = 0; d < hd; d++) {
            int dst = d * tkPad;
            for (int j = d < d16 ? j16 : 0, src = kBase + j * kStride + d; j < visMax; j++, src += kStride) kt[dst + j] = k[src];
            java.util.Arrays.fill(kt, dst + visMax, dst + tkPad, 0f);
        }
        for (int j = 0; j < visMax; j++) {
            System.arraycopy(v, vBase + j * kStride, vp, j * hdPad, hd);
            java.util.Arrays.fill(vp, j * hdPad + hd, (j + 1) * hdPad, 0f);
        }
        for (int b = i0; b < i1; b += qb) block(out, oo, q, qo, tk, heads, hd, scale, mask, g, heads / kvHeads, b, Math.min(i1, b + qb), kt, tkPad, vp, hdPad, s);
    }

    private static void block(float[] out, int oo, float[] q, int qo, int tk, int heads, int hd, float scale, AttentionMask mask, int g,
                              int group, int i0, int i1, float[] kt, int ldk, float[] vp, int hdPad, Scratch s) {
        int nq = i1 - i0, rows = group * nq, qStride = heads * hd;
        int visMax = 0;
        for (int i = i0; i < i1; i++) visMax = Math.max(visMax, mask.visibleKeys(i, tk));
        if (visMax <= 0) {
            for (int r = 0; r < rows; r++) {
                int o = oo + (i0 + r % nq) * qStride + (g * group + r / nq) * hd;
                Arrays.fill(out, o, o + hd, 0f);
            }
            return;
        }
        int rowsPad = (rows + TR - 1) / TR * TR, tkPad = (visMax + TC - 1) / TC * TC;
        float[] qp = s.qp = Scratch.grow(s.qp, rowsPad * hd);
        float[] sc = s.s = Scratch.grow(s.s, rowsPad * tkPad);
        float[] op = s.op = Scratch.grow(s.op, rowsPad * hdPad);
        // rows: r = (head g*group + r / nq, query i0 + r % nq)
        for (int r = 0; r < rows; r++) {
            System.arraycopy(q, qo + (i0 + r % nq) * qStride + (g * group + r / nq) * hd, qp, r * hd, hd);
        }
        Arrays.fill(qp, rows * hd, rowsPad * hd, 0f);
        // S = Q K^T
        for (int r = 0; r < rowsPad; r += TR) {
            for (int c = 0; c < tkPad; c += TC) tile(qp, r * hd, hd, kt, c, ldk, hd, sc, r * tkPad + c, tkPad);
        }
        // P = softmax(scale * S) over each row's visible prefix, zero after it
        for (int r = 0; r < rows; r++) {
            int vis = mask.visibleKeys(i0 + r % nq, tk), o = r * tkPad;
            if (vis > 0 && tkPad % L == 0 && scale > 0f) {
                // masked keys as -inf over the padded row: whole vectors only, and exp turns them into exact zeros
                Arrays.fill(sc, o + vis, o + tkPad, Float.NEGATIVE_INFINITY);
                Elementwise.softmaxScaledPaddedRow(sc, o, tkPad, scale);
                continue;
            }
            if (vis > 0) {
                for (int j = 0; j < vis; j++) sc[o + j] *= scale;
                Elementwise.softmaxRow(sc, o, vis);
            }
            Arrays.fill(sc, o + Math.max(vis, 0), o + tkPad, 0f);
        }
        Arrays.fill(sc, rows * tkPad, rowsPad * tkPad, 0f);
        // O = P V
        for (int r = 0; r < rowsPad; r += TR) {
            for (int c = 0; c < hdPad; c += TC) tile(sc, r * tkPad, tkPad, vp, c, hdPad, visMax, op, r * hdPad + c, hdPad);
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(op, r * hdPad, out, oo + (i0 + r % nq) * qStride + (g * group + r / nq) * hd, hd);
        }
    }

    /**
     * Decode-sized tasks (at most 8 query rows, head dim 64 = 4 vectors): dot products straight from the KV cache
     * rows, no K^T packing (which would cost as much as the scores themselves at 1 query). Per row: scores
     * {@code q . k_j} (4 FMAs + one lane reduction per key), softmax, then {@code sum_j p_j v_j} with 4 independent
     * accumulators.
     */
    private static void fewRows(float[] out, int oo, float[] q, int qo, float[] k, int kBase, float[] v, int vBase, int kStride,
                                int tk, int heads, int kvHeads, float scale, AttentionMask mask, int g, int i0, int i1) {
        int hd = 4 * L, group = heads / kvHeads, nq = i1 - i0, qStride = heads * hd;
        Scratch s = SCRATCH.get();
        float[] sc = s.s = Scratch.grow(s.s, Math.max(tk, 1));
        for (int r = 0; r < group * nq; r++) {
            int i = i0 + r % nq, at = i * qStride + (g * group + r / nq) * hd, qa = qo + at, oa = oo + at;
            int vis = mask.visibleKeys(i, tk);
            if (vis <= 0) {
                Arrays.fill(out, oa, oa + hd, 0f);
                continue;
            }
            FloatVector q0 = FloatVector.fromArray(F, q, qa), q1 = FloatVector.fromArray(F, q, qa + L);
            FloatVector q2 = FloatVector.fromArray(F, q, qa + 2 * L), q3 = FloatVector.fromArray(F, q, qa + 3 * L);
            for (int j = 0, ka = kBase; j < vis; j++, ka += kStride) {
                FloatVector d = q0.mul(FloatVector.fromArray(F, k, ka));
                d = q1.fma(FloatVector.fromArray(F, k, ka + L), d);
                d = q2.fma(FloatVector.fromArray(F, k, ka + 2 * L), d);
                d = q3.fma(FloatVector.fromArray(F, k, ka + 3 * L), d);
                sc[j] = Lanes.sum(d) * scale;
            }
            Elementwise.softmaxRow(sc, 0, vis);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0, va = vBase; j < vis; j++, va += kStride) {
                FloatVector p = FloatVector.broadcast(F, sc[j]);
                a0 = FloatVector.fromArray(F, v, va).fma(p, a0);
                a1 = FloatVector.fromArray(F, v, va + L).fma(p, a1);
                a2 = FloatVector.fromArray(F, v, va + 2 * L).fma(p, a2);
                a3 = FloatVector.fromArray(F, v, va + 3 * L).fma(p, a3);
            }
            a0.intoArray(out, oa);
            a1.intoArray(out, oa + L);
            a2.intoArray(out, oa + 2 * L);
            a3.intoArray(out, oa + 3 * L);
        }
    }

    /** {@code c[TR x TC] = a[TR x kk] (row stride lda) * b[kk x TC] (row stride ldb)}, overwriting c. */
    private static void tile(float[] a, int ao, int lda, float[] b, int bo, int ldb, int kk, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        for (int p = 0; p < kk; p++, bo += ldb) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo), b1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[a0 + p]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[a1 + p]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[a2 + p]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[a3 + p]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[a4 + p]); c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[a5 + p]); c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, a[a6 + p]); c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, a[a7 + p]); c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L); co += ldc;
        c10.intoArray(c, co); c11.intoArray(c, co + L); co += ldc;
        c20.intoArray(c, co); c21.intoArray(c, co + L); co += ldc;
        c30.intoArray(c, co); c31.intoArray(c, co + L); co += ldc;
        c40.intoArray(c, co); c41.intoArray(c, co + L); co += ldc;
        c50.intoArray(c, co); c51.intoArray(c, co + L); co += ldc;
        c60.intoArray(c, co); c61.intoArray(c, co + L); co += ldc;
        c70.intoArray(c, co); c71.intoArray(c, co + L);
    }
}
