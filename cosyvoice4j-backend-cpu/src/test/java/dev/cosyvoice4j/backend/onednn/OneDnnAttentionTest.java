package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.cpu.CpuBackend;
import dev.cosyvoice4j.backend.host.HostBuf;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.cosyvoice4j.backend.TestArrays.scalarAttention;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bf16 DiT attention ({@link OneDnnAttention}) against the float32 scalar specification. Oracle: the scalar
 * kernel on q, k, v rounded to bf16 first, so that what remains is the bf16 rounding of the probabilities
 * (relative 2^-9 each, errors of both signs): bounded at 2^-7 of the largest |v|.
 */
class OneDnnAttentionTest {
    private static float[] gaussian(SplittableRandom r, int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (sigma * nextGaussian(r));
        return a;
    }

    private static double nextGaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static float[] roundedToBf16(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Bf16.toFloat(Bf16.fromFloat(x[i]));
        return y;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }

    /** Runs the oneDNN attention and checks it against both oracles; returns its output. */
    private static float[] check(OneDnn lib, int tq, int tk, int heads, int hd, AttentionMask mask, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] q = gaussian(r, tq * heads * hd, 1), k = gaussian(r, tk * heads * hd, 1), v = gaussian(r, tk * heads * hd, 1);
        float scale = (float) (1 / Math.sqrt(hd));
        float[] out = new float[tq * heads * hd];
        Arrays.fill(out, Float.NaN);
        new OneDnnAttention(lib).attention(out, q, k, v, tq, tk, heads, hd, scale, mask, 1);

        float[] exact = new float[out.length], rounded = new float[out.length];
        scalarAttention(exact, q, k, v, tq, tk, heads, heads, hd, scale, mask);
        scalarAttention(rounded, roundedToBf16(q), roundedToBf16(k), roundedToBf16(v), tq, tk, heads, heads, hd, scale, mask);
        double vMax = maxAbs(v), errRounded = 0, errExact = 0;
        for (int i = 0; i < out.length; i++) {
            assertTrue(Float.isFinite(out[i]), "output " + i + " is " + out[i]);
            errRounded = Math.max(errRounded, Math.abs(out[i] - rounded[i]));
            errExact = Math.max(errExact, Math.abs(out[i] - exact[i]));
        }
        String what = tq + "x" + tk + ", " + heads + " heads of " + hd + ", " + mask;
        assertTrue(errRounded <= vMax / 128, what + ": error against bf16-rounded operands " + errRounded + " > " + vMax / 128);
        // operand rounding moves the scores by ~2^-9 * |q||k| scale: a few percent of |v| at most
        assertTrue(errExact <= vMax / 16, what + ": error against float32 " + errExact + " > " + vMax / 16);
        return out;
    }

    @Test
    void fullAttentionMatchesTheScalarKernelWithinBf16Rounding() {
        OneDnn lib = OneDnnTestSupport.library();
        check(lib, 40, 40, 2, 16, AttentionMask.full(40), 1);
        check(lib, 37, 37, 3, 64, AttentionMask.full(37), 2);      // padded queries and keys (37 -> 48)
        check(lib, 16, 50, 2, 8, AttentionMask.full(50), 3);       // more keys than queries
    }

    @Test
    void chunkAndKeyMasksAreApplied() {
        OneDnn lib = OneDnnTestSupport.library();
        check(lib, 45, 45, 2, 32, AttentionMask.chunk(16, 45), 4);  // streaming DiT: each chunk sees up to its end
        check(lib, 33, 33, 2, 16, AttentionMask.full(20), 5);       // keys past 20 are masked
    }

    @Test
    void rowsThatSeeNoKeyAreZero() {
        OneDnn lib = OneDnnTestSupport.library();
        float[] out = check(lib, 24, 24, 2, 16, AttentionMask.full(0), 6);
        assertEquals(0.0, maxAbs(out));
    }

    /** {@code attention} of the cpu backend on arrays. */
    private static void attention(CpuBackend b, float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads,
                                  int kvHeads, int hd, AttentionMask mask, dev.cosyvoice4j.backend.Precision p) {
        b.attention(HostBuf.wrap(out, 0, tq, heads * hd), HostBuf.wrap(q, 0, tq, heads * hd), HostBuf.wrap(k, 0, tk, kvHeads * hd),
                HostBuf.wrap(v, 0, tk, kvHeads * hd), heads, kvHeads, 0.25f, mask, p);
    }

    @Test
    void cpuBackendRunsBf16DitShapesInOneDnnAndTheRestInJava() {
        OneDnn lib = OneDnnTestSupport.library();
        var bf16 = dev.cosyvoice4j.backend.Precision.BF16;
        var f32 = dev.cosyvoice4j.backend.Precision.F32;
        try (CpuBackend cpu = new CpuBackend(BackendOptions.defaults().withThreads(2))) {
            SplittableRandom r = new SplittableRandom(7);
            int t = 32, heads = 4, hd = 16;
            float[] q = gaussian(r, t * heads * hd, 1), kk = gaussian(r, t * heads * hd, 1), v = gaussian(r, t * heads * hd, 1);
            AttentionMask mask = AttentionMask.full(t);
            float[] viaBackend = new float[q.length], direct = new float[q.length], javaOut = new float[q.length];
            attention(cpu, viaBackend, q, kk, v, t, t, heads, heads, hd, mask, bf16);
            new OneDnnAttention(lib).attention(direct, q, kk, v, t, t, heads, hd, 0.25f, mask, 2);
            assertArrayEquals(direct, viaBackend, "a DiT-shaped call goes through oneDNN");

            // grouped-query attention (the LLM) and fewer than 16 rows stay on the float32 Java kernel, bit for bit
            float[] kv = Arrays.copyOf(kk, t * 2 * hd), vv = Arrays.copyOf(v, t * 2 * hd);
            attention(cpu, viaBackend, q, kv, vv, t, t, heads, 2, hd, mask, bf16);
            attention(cpu, javaOut, q, kv, vv, t, t, heads, 2, hd, mask, f32);
            assertArrayEquals(javaOut, viaBackend);
            float[] few = new float[8 * heads * hd], fewJava = new float[few.length];
            attention(cpu, few, Arrays.copyOf(q, few.length), kk, v, 8, t, heads, heads, hd, mask, bf16);
            attention(cpu, fewJava, Arrays.copyOf(q, few.length), kk, v, 8, t, heads, heads, hd, mask, f32);
            assertArrayEquals(fewJava, few);
        }
    }

    @Test
    void theSameBitsBeforeAndAfterTheJitCompilesTheSoftmax() {
        // a lane reduction whose order the JIT chooses (reduceLanes(ADD) in the row sums) gave other last bits once
        // compiled; a streamed chunk then differed from its recomputation by 4e-3 after the DiT (DitCacheTest)
        OneDnn lib = OneDnnTestSupport.library();
        OneDnnAttention att = new OneDnnAttention(lib);
        SplittableRandom r = new SplittableRandom(12);
        int t = 40, heads = 2, hd = 16;
        float[] q = gaussian(r, t * heads * hd, 2), k = gaussian(r, t * heads * hd, 2), v = gaussian(r, t * heads * hd, 1);
        float[] first = new float[q.length], later = new float[q.length];
        att.attention(first, q, k, v, t, t, heads, hd, 0.25f, AttentionMask.chunk(16, t), 1);
        for (int rep = 0; rep < 3000; rep++) att.attention(later, q, k, v, t, t, heads, hd, 0.25f, AttentionMask.chunk(16, t), 1);
        assertArrayEquals(first, later);
    }

    @Test
    void concurrentCallsOnTwoThreadsGiveTheSequentialResults() throws Exception {
        OneDnn lib = OneDnnTestSupport.library();
        OneDnnAttention att = new OneDnnAttention(lib);
        SplittableRandom r = new SplittableRandom(8);
        int t = 48, heads = 2, hd = 32;
        float[][] q = new float[2][], k = new float[2][], v = new float[2][], seq = new float[2][], par = new float[2][];
        for (int i = 0; i < 2; i++) {
            q[i] = gaussian(r, t * heads * hd, 1);
            k[i] = gaussian(r, t * heads * hd, 1);
            v[i] = gaussian(r, t * heads * hd, 1);
            seq[i] = new float[q[i].length];
            par[i] = new float[q[i].length];
            att.attention(seq[i], q[i], k[i], v[i], t, t, heads, hd, 0.2f, AttentionMask.full(t), 1);
        }
        Thread[] threads = new Thread[2];
        for (int i = 0; i < 2; i++) {
            int id = i;
            threads[i] = new Thread(() -> {
                for (int rep = 0; rep < 5; rep++) att.attention(par[id], q[id], k[id], v[id], t, t, heads, hd, 0.2f, AttentionMask.full(t), 1);
            });
            threads[i].start();
        }
        for (Thread th : threads) th.join();
        assertArrayEquals(seq[0], par[0]);
        assertArrayEquals(seq[1], par[1]);
    }
}
