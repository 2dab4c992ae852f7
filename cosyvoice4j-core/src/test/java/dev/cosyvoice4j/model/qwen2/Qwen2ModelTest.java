package dev.cosyvoice4j.model.qwen2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Qwen2ModelTest {
    /** GQA 3:1, head_dim 16 with heads * head_dim != hidden, 3 layers: nothing like the fixture's shapes. */
    static final Qwen2Config ODD = new Qwen2Config(40, 3, 6, 2, 16, 72, 50, 1e-6, 1e4, true);
    static final Backend B = Backends.open("scalar", BackendOptions.defaults());

    @AfterAll
    static void closeBackend() { B.close(); }

    static float[] randomEmbeds(int rows, int h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] e = new float[rows * h];
        for (int i = 0; i < e.length; i++) e[i] = (float) (r.nextDouble() * 2 - 1);
        return e;
    }

    /** Forwards the host rows {@code x} (a whole number of rows) through the session; returns the output rows on the host. */
    static float[] forward(Qwen2Model m, Qwen2Session s, float[] x, boolean allRows) {
        Backend b = m.backend();
        int h = m.hiddenSize(), rows = x.length / h;
        Buf out = b.alloc(allRows ? rows : 1, h);
        m.forward(s, b.upload(x, rows, h), out, allRows);
        return b.read(out);
    }

    @Test
    void theCacheIsBoundedByTheModelsContext() {
        Qwen2Model m = new Qwen2Model(ODD, RandomQwen2.weights(ODD, 7), B);
        Qwen2Session s = m.newSession(4);
        s.ensureCapacity(Qwen2Session.MAX_POSITIONS);                 // allowed: exactly the context
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> s.ensureCapacity(Qwen2Session.MAX_POSITIONS + 1));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("32768"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertEquals(Qwen2Session.MAX_POSITIONS, s.capacity());
    }

    @Test
    void prefillThenDecodeEqualsFullPrefill() {
        Qwen2Model m = new Qwen2Model(ODD, RandomQwen2.weights(ODD, 7), B);
        int rows = 11, h = ODD.hiddenSize();
        float[] x = randomEmbeds(rows, h, 1);
        float[] full = forward(m, m.newSession(rows), x, true);

        Qwen2Session s = m.newSession(rows);
        float[] out = forward(m, s, Arrays.copyOf(x, 6 * h), false);
        assertClose(Arrays.copyOfRange(full, 5 * h, 6 * h), out, 2e-5);
        for (int r = 6; r < rows; r++) {
            out = forward(m, s, Arrays.copyOfRange(x, r * h, (r + 1) * h), false);
            assertClose(Arrays.copyOfRange(full, r * h, (r + 1) * h), out, 2e-5);
        }
        assertEquals(rows, s.length());
    }

    @Test
    void chunkedPrefillEqualsFullPrefill() {
        Qwen2Model m = new Qwen2Model(ODD, RandomQwen2.weights(ODD, 8), B);
        int rows = 9, h = ODD.hiddenSize();
        float[] x = randomEmbeds(rows, h, 2);
        float[] full = forward(m, m.newSession(rows), x, true);
        Qwen2Session s = m.newSession(rows);
        float[] a = forward(m, s, Arrays.copyOf(x, 4 * h), true);
        float[] b = forward(m, s, Arrays.copyOfRange(x, 4 * h, 9 * h), true);
        assertClose(Arrays.copyOf(full, 4 * h), a, 2e-5);
        assertClose(Arrays.copyOfRange(full, 4 * h, 9 * h), b, 2e-5);
    }

    @Test
    void matchesDoublePrecisionReferenceOfHfQwen2() {
        Qwen2Weights w = RandomQwen2.weights(ODD, 9);
        Qwen2Model m = new Qwen2Model(ODD, w, B);
        int rows = 7, h = ODD.hiddenSize();
        float[] x = randomEmbeds(rows, h, 3);
        Buf out = B.alloc(rows, h);
        float[][] states = new float[ODD.numHiddenLayers() + 1][];
        m.forward(m.newSession(rows), B.upload(x, rows, h), out, true, (i, v, r, d) -> states[i] = Arrays.copyOf(v, r * d));
        double[][] ref = ReferenceQwen2.forward(ODD, w, x, rows);
        for (int i = 0; i < states.length; i++) assertClose(toFloat(ref[i]), states[i], 1e-4);
        assertArrayEquals(states[ODD.numHiddenLayers()], B.read(out));
    }

    @Test
    void theLastHiddenStateOfADecodeStepIsItsOutput() {
        // allRows false: the tap still sees every row's final-norm output; its last row is what forward returns
        Qwen2Model m = new Qwen2Model(ODD, RandomQwen2.weights(ODD, 9), B);
        int rows = 5, h = ODD.hiddenSize();
        float[] x = randomEmbeds(rows, h, 4);
        Buf out = B.alloc(1, h);
        float[][] last = new float[1][];
        m.forward(m.newSession(rows), B.upload(x, rows, h), out, false, (i, v, r, d) -> {
            if (i == ODD.numHiddenLayers()) last[0] = Arrays.copyOf(v, r * d);
        });
        assertEquals(rows * h, last[0].length);
        assertArrayEquals(Arrays.copyOfRange(last[0], (rows - 1) * h, rows * h), B.read(out));
        assertArrayEquals(forward(m, m.newSession(rows), x, true), last[0]);
    }

    @Test
    void ropeInvFreqIsHfFloat32() {
        float[] f = Qwen2Model.ropeInvFreq(64, 1e6);
        assertEquals(32, f.length);
        assertEquals(1f, f[0]);
        // 1 / 1e6^(2/64) and 1 / 1e6^(62/64)
        assertEquals(0.64938163, f[1], 1e-7);
        assertEquals(1.5399265e-6, f[31], 1e-12);
    }

    @Test
    void theCacheGrowsBeyondItsCapacityKeepingItsContents() {
        // a session sized for 3 positions takes 2 more one-row steps: the cache grows and the outputs are those of
        // a session that had room from the start; reset() then reuses the grown buffers from position 0
        Qwen2Model m = new Qwen2Model(ODD, RandomQwen2.weights(ODD, 1), B);
        int h = ODD.hiddenSize(), rows = 5;
        float[] x = randomEmbeds(rows, h, 1);
        float[] full = forward(m, m.newSession(rows), x, true);
        Qwen2Session s = m.newSession(3);
        assertEquals(3, s.capacity());
        forward(m, s, Arrays.copyOf(x, 3 * h), false);
        assertEquals(0, s.remaining());
        for (int r = 3; r < rows; r++) {
            float[] out = forward(m, s, Arrays.copyOfRange(x, r * h, (r + 1) * h), false);
            assertClose(Arrays.copyOfRange(full, r * h, (r + 1) * h), out, 2e-5);
        }
        assertEquals(rows, s.length());
        assertTrue(s.capacity() >= rows, "capacity " + s.capacity());
        s.reset();
        assertEquals(0, s.length());
        assertArrayEquals(forward(m, m.newSession(1), Arrays.copyOf(x, h), false), forward(m, s, Arrays.copyOf(x, h), false));
    }

    @Test
    void badShapesAreClearErrors() {
        Qwen2Model m = new Qwen2Model(ODD, RandomQwen2.weights(ODD, 1), B);
        int h = ODD.hiddenSize();
        Qwen2Session s = m.newSession(4);
        Buf x = B.upload(randomEmbeds(2, h, 1), 2, h);
        assertThrows(IllegalArgumentException.class, () -> m.forward(s, x, B.alloc(2, h), false));   // one row expected
        assertThrows(IllegalArgumentException.class, () -> m.forward(s, x, B.alloc(1, h), true));    // two rows expected
        assertThrows(IllegalArgumentException.class, () -> m.forward(s, B.alloc(2, h + 1), B.alloc(1, h), false));
        assertEquals(0, s.length());
        assertThrows(IllegalArgumentException.class, () -> m.newSession(0));
    }

    @Test
    void embeddingLookupRejectsOutOfRangeIds() {
        Qwen2Weights w = RandomQwen2.weights(ODD, 1);
        Qwen2Model m = new Qwen2Model(ODD, w, B);
        Buf out = B.alloc(2, ODD.hiddenSize());
        m.embedTokens(new int[] {0, 49}, out);
        float[] rows = B.read(out);
        assertArrayEquals(w.embedTokens().select(0).toFloatArray(), Arrays.copyOf(rows, ODD.hiddenSize()));
        assertArrayEquals(w.embedTokens().select(49).toFloatArray(), Arrays.copyOfRange(rows, ODD.hiddenSize(), rows.length));
        assertThrows(IllegalArgumentException.class, () -> m.embedTokens(new int[] {50}, out.row(0)));
        assertThrows(IllegalArgumentException.class, () -> m.embedTokens(new int[] {-1}, out.row(0)));
    }

    @Test
    void oneModelServesTwoConcurrentSessionsLikeSerialRuns() throws Exception {
        Qwen2Model m = new Qwen2Model(ODD, RandomQwen2.weights(ODD, 4), B);
        int h = ODD.hiddenSize();
        float[][] inputs = {randomEmbeds(12, h, 10), randomEmbeds(12, h, 11)};
        float[][] serial = {decodeAll(m, inputs[0]), decodeAll(m, inputs[1])};
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<float[]> a = pool.submit(() -> decodeAll(m, inputs[0]));
            Future<float[]> b = pool.submit(() -> decodeAll(m, inputs[1]));
            assertArrayEquals(serial[0], a.get());
            assertArrayEquals(serial[1], b.get());
        }
    }

    /** Prefill 4 rows then one-row steps; every step's output concatenated. */
    private static float[] decodeAll(Qwen2Model m, float[] x) {
        int h = m.hiddenSize(), rows = x.length / h;
        Qwen2Session s = m.newSession(rows);
        float[] all = new float[(rows - 3) * h];
        float[] out = forward(m, s, Arrays.copyOf(x, 4 * h), false);
        System.arraycopy(out, 0, all, 0, h);
        for (int r = 4; r < rows; r++) {
            out = forward(m, s, Arrays.copyOfRange(x, r * h, (r + 1) * h), false);
            System.arraycopy(out, 0, all, (r - 3) * h, h);
        }
        return all;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double bound = tol * Math.max(1, Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= bound)) {
                throw new AssertionError("index " + i + ": expected " + expected[i] + ", actual " + actual[i]);
            }
        }
    }

    /** Straightforward double-precision HF Qwen2 (rotate_half RoPE, repeat_kv GQA, causal softmax attention). */
    static final class ReferenceQwen2 {
        static double[][] forward(Qwen2Config c, Qwen2Weights w, float[] embeds, int t) {
            int h = c.hiddenSize(), heads = c.numAttentionHeads(), kvHeads = c.numKeyValueHeads(), d = c.headDim();
            double[] x = new double[t * h];
            for (int i = 0; i < x.length; i++) x[i] = embeds[i];
            double[][] states = new double[c.numHiddenLayers() + 1][];
            states[0] = x.clone();
            for (int l = 0; l < c.numHiddenLayers(); l++) {
                Qwen2LayerWeights lw = w.layers().get(l);
                double[] n = rms(x, t, h, lw.inputLayernorm(), c.rmsNormEps());
                double[] q = lin(n, t, lw.qProj(), lw.qProjBias()), k = lin(n, t, lw.kProj(), lw.kProjBias());
                double[] v = lin(n, t, lw.vProj(), lw.vProjBias());
                rope(q, t, heads, d, c.ropeTheta());
                rope(k, t, kvHeads, d, c.ropeTheta());
                double[] attn = new double[t * heads * d];
                for (int hh = 0; hh < heads; hh++) {
                    int kvh = hh / (heads / kvHeads);
                    for (int i = 0; i < t; i++) {
                        double[] p = new double[i + 1];
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int j = 0; j <= i; j++) {
                            double s = 0;
                            for (int e = 0; e < d; e++) s += q[(i * heads + hh) * d + e] * k[(j * kvHeads + kvh) * d + e];
                            p[j] = s / Math.sqrt(d);
                            max = Math.max(max, p[j]);
                        }
                        for (int j = 0; j <= i; j++) sum += p[j] = Math.exp(p[j] - max);
                        for (int j = 0; j <= i; j++) {
                            for (int e = 0; e < d; e++) attn[(i * heads + hh) * d + e] += p[j] / sum * v[(j * kvHeads + kvh) * d + e];
                        }
                    }
                }
                add(x, lin(attn, t, lw.oProj(), null));
                double[] n2 = rms(x, t, h, lw.postAttentionLayernorm(), c.rmsNormEps());
                double[] g = lin(n2, t, lw.gateProj(), null), u = lin(n2, t, lw.upProj(), null);
                for (int i = 0; i < g.length; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                add(x, lin(g, t, lw.downProj(), null));
                if (l < c.numHiddenLayers() - 1) states[l + 1] = x.clone();
            }
            states[c.numHiddenLayers()] = rms(x, t, h, w.norm(), c.rmsNormEps());
            return states;
        }

        static void rope(double[] x, int t, int heads, int d, double theta) {
            for (int p = 0; p < t; p++) {
                for (int hh = 0; hh < heads; hh++) {
                    int o = (p * heads + hh) * d;
                    for (int i = 0; i < d / 2; i++) {
                        double a = p / Math.pow(theta, 2.0 * i / d);
                        double x1 = x[o + i], x2 = x[o + i + d / 2];
                        x[o + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
                        x[o + i + d / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
                    }
                }
            }
        }

        static double[] rms(double[] x, int t, int h, Tensor w, double eps) {
            double[] o = new double[t * h];
            for (int r = 0; r < t; r++) {
                double ss = 0;
                for (int i = 0; i < h; i++) ss += x[r * h + i] * x[r * h + i];
                double inv = 1 / Math.sqrt(ss / h + eps);
                for (int i = 0; i < h; i++) o[r * h + i] = x[r * h + i] * inv * w.getFloat(i);
            }
            return o;
        }

        static double[] lin(double[] x, int t, Tensor w, Tensor b) {
            int n = w.dim(0), k = w.dim(1);
            double[] o = new double[t * n];
            for (int r = 0; r < t; r++) {
                for (int j = 0; j < n; j++) {
                    double s = b == null ? 0 : b.getFloat(j);
                    for (int i = 0; i < k; i++) s += x[r * k + i] * w.getFloat((long) j * k + i);
                    o[r * n + j] = s;
                }
            }
            return o;
        }

        static void add(double[] x, double[] y) {
            for (int i = 0; i < x.length; i++) x[i] += y[i];
        }
    }
}
