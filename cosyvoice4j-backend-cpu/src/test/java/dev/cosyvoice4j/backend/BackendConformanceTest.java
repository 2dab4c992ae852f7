package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.backend.spi.BackendProvider;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.cosyvoice4j.backend.TestArrays.abs;
import static dev.cosyvoice4j.backend.TestArrays.gaussian;
import static dev.cosyvoice4j.backend.TestArrays.magnitude;
import static dev.cosyvoice4j.backend.TestArrays.maxAbs;
import static dev.cosyvoice4j.backend.TestArrays.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance suite of {@link Backend} (as ggml's test-backend-ops): every operation on every backend that
 * {@link Backends#providers()} finds ({@code scalar} itself, the others at 1 and 3 threads), against the {@code scalar}
 * backend as the oracle. Each operation runs on odd shapes with its buffers placed three ways ({@link Layout}: own
 * allocation, rows of a larger buffer, an unaligned reshaped view); values outside an output view and every input must
 * stay untouched, outputs start as NaN so that an unwritten value fails. Unavailable providers are skipped with their
 * reason.
 *
 * <p>Bounds, derived per operation (u = 2^-24, the float32 unit roundoff; each implementation is within its own error
 * of the exact value, so the two are within the sum):
 * <ul>
 *   <li>element-wise operations, RoPE, the timestep sinusoid, the NSF source and all data movement: EXACT (FloatMath /
 *       StrictMath on both sides, and the specification fixes every rounding);</li>
 *   <li>a float32 sum of n terms in any order is within (n - 1) u sum|terms| of the exact sum, so linear and conv1d
 *       are within {@code 2 (n + 2) u sum|terms|} of the oracle (n products plus the bias);</li>
 *   <li>norms, log-softmax, l2-normalise and attention: the propagated sum errors, derived at each test;</li>
 *   <li>float64 sums (conv1dF64, classifier, DFTs): {@code 2 (n + 4) 2^-53 sum|terms|}, plus one float32 ulp where
 *       the double result is rounded to float32 (it may fall on either side of a rounding boundary);</li>
 *   <li>bf16 products: operands rounded to 8 significant bits perturb each product by a relative {@code 2^-8 +
 *       2^-18}, so a linear is within {@code (2^-8 + 2^-18 + 2.02 (K + 1) u) sum|x w|} of float32 (about 2^-8 sqrt(K)
 *       relative for random signs); attention as derived at its test.</li>
 * </ul>
 */
class BackendConformanceTest {
    static final double U = 0x1p-24, U64 = 0x1p-53;
    /** What surrounds every placed buffer; must be unchanged after the operation. */
    static final float SENTINEL = -7.25e33f;

    /** A provider at a thread count. */
    record Target(String provider, int threads) {
        @Override
        public String toString() { return provider + " x" + threads; }
    }

    static final Backend ORACLE = Backends.open("scalar", BackendOptions.defaults().withThreads(1));
    private static final Map<Target, Backend> OPEN = new ConcurrentHashMap<>();

    static Stream<Target> targets() {
        return Backends.providers().stream().flatMap(p -> p.name().equals("scalar") ? Stream.of(new Target(p.name(), 1))
                : Stream.of(new Target(p.name(), 1), new Target(p.name(), 3)));
    }

    /** The targets whose backend offers bf16 (an unavailable one stays, and its test says why it cannot run). */
    static Stream<Target> bf16Targets() {
        return targets().filter(t -> Backends.provider(t.provider()).unavailableReason().isPresent() || open(t).supports(Precision.BF16));
    }

    /** The backend of {@code t}, opened once; skips the test (naming the reason) where it cannot run. */
    static Backend open(Target t) {
        BackendProvider p = Backends.provider(t.provider());
        Optional<String> why = p.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "backend '" + t.provider() + "' is unavailable here: " + why.orElse(""));
        return OPEN.computeIfAbsent(t, x -> p.open(BackendOptions.defaults().withThreads(x.threads())));
    }

    @AfterAll
    static void closeAll() {
        OPEN.values().forEach(Backend::close);
        OPEN.clear();
    }

    // ---- placement and comparison -----------------------------------------------------------------------------

    /** Where a buffer lives: its own allocation, rows [2, 2 + r) of an [r + 5, c] buffer, or a view from offset 3. */
    enum Layout { DENSE, ROWS, VIEW }

    static Layout layout(int caseIndex) { return Layout.values()[caseIndex % 3]; }

    /** The buffers of one operation on one backend; {@link #verify} checks that only the outputs changed. */
    static final class Mem {
        final Backend be;
        final Layout layout;
        private final Map<Buf, Placed> placed = new IdentityHashMap<>();

        private record Placed(Buf parent, int offset, int size, boolean written, double[] before) {}

        Mem(Backend be, Layout layout) {
            this.be = be;
            this.layout = layout;
        }

        /** An input holding {@code v} (read only). */
        Buf in(float[] v, int rows, int cols) { return place(v, rows, cols, false, false); }

        Buf inF64(float[] v, int rows, int cols) { return place(v, rows, cols, true, false); }

        /** A buffer holding {@code v} that the operation writes (in place). */
        Buf inout(float[] v, int rows, int cols) { return place(v, rows, cols, false, true); }

        Buf inoutF64(float[] v, int rows, int cols) { return place(v, rows, cols, true, true); }

        /** An output, NaN before the operation. */
        Buf out(int rows, int cols) { return place(nans(rows * cols), rows, cols, false, true); }

        Buf outF64(int rows, int cols) { return place(nans(rows * cols), rows, cols, true, true); }

        private static float[] nans(int n) {
            float[] a = new float[n];
            Arrays.fill(a, Float.NaN);
            return a;
        }

        private Buf place(float[] v, int rows, int cols, boolean f64, boolean written) {
            int n = rows * cols;
            if (v.length != n) throw new IllegalArgumentException(v.length + " values for [" + rows + ", " + cols + "]");
            Buf parent, view;
            int off;
            switch (layout) {
                case DENSE -> {
                    parent = alloc(f64, rows, cols);
                    view = parent;
                    off = 0;
                }
                case ROWS -> {
                    parent = alloc(f64, rows + 5, cols);
                    view = parent.rows(2, 2 + rows);
                    off = 2 * cols;
                }
                default -> {
                    parent = alloc(f64, n + 8, 1);
                    view = parent.rows(3, n + 8).view(rows, cols);
                    off = 3;
                }
            }
            float[] host = new float[Math.toIntExact(parent.size())];
            Arrays.fill(host, SENTINEL);
            System.arraycopy(v, 0, host, off, n);
            if (f64) be.copy(parent, be.upload(host, parent.rows(), parent.cols()));   // float32 to float64 is exact
            else be.write(parent, host, 0);
            placed.put(view, new Placed(parent, off, n, written, contents(parent)));
            return view;
        }

        private Buf alloc(boolean f64, int rows, int cols) { return f64 ? be.allocF64(rows, cols) : be.alloc(rows, cols); }

        private double[] contents(Buf parent) {
            double[] d = new double[Math.toIntExact(parent.size())];
            if (parent.isF64()) {
                be.readF64(parent, d, 0);
            } else {
                float[] f = be.read(parent);
                for (int i = 0; i < f.length; i++) d[i] = f[i];
            }
            return d;
        }

        /** The values of a placed float32 buffer. */
        float[] get(Buf view) {
            Placed p = placed.get(view);
            float[] all = be.read(p.parent);
            return Arrays.copyOfRange(all, p.offset, p.offset + p.size);
        }

        /** The values of a placed float64 buffer. */
        double[] getF64(Buf view) {
            Placed p = placed.get(view);
            return Arrays.copyOfRange(contents(p.parent), p.offset, p.offset + p.size);
        }

        void verify(String what) {
            for (Map.Entry<Buf, Placed> e : placed.entrySet()) {
                Placed p = e.getValue();
                double[] now = contents(p.parent);
                for (int i = 0; i < now.length; i++) {
                    boolean inside = i >= p.offset && i < p.offset + p.size;
                    if ((inside && p.written) || Double.doubleToLongBits(now[i]) == Double.doubleToLongBits(p.before[i])) continue;
                    fail(what + ": " + (inside ? "input " : "value outside the view ") + e.getKey().shape() + " changed at "
                            + (i - p.offset) + ": " + p.before[i] + " -> " + now[i]);
                }
            }
        }
    }

    /** Runs {@code op} on {@code be} with buffers placed per {@code layout} and checks that it wrote only its outputs. */
    static <T> T run(Backend be, Layout layout, String what, Function<Mem, T> op) {
        Mem m = new Mem(be, layout);
        T result = op.apply(m);
        m.verify(what + " [" + be.name() + " x" + be.threads() + ", " + layout + "]");
        return result;
    }

    /** Allowed |scalar - backend| at element i. */
    interface Bound {
        double at(int i, double expected);
    }

    static final Bound EXACT = null;

    /** {@code op} on the oracle (dense) and on {@code be} ({@code layout}), compared within {@code bound}; the backend's values. */
    static float[] compare(Backend be, Layout layout, String what, Function<Mem, float[]> op, Bound bound) {
        float[] expected = run(ORACLE, Layout.DENSE, what, op), actual = run(be, layout, what, op);
        check(what + " [" + be.name() + " x" + be.threads() + ", " + layout + "]", expected, actual, bound);
        return actual;
    }

    static double[] compareF64(Backend be, Layout layout, String what, Function<Mem, double[]> op, Bound bound) {
        double[] expected = run(ORACLE, Layout.DENSE, what, op), actual = run(be, layout, what, op);
        String label = what + " [" + be.name() + " x" + be.threads() + ", " + layout + "]";
        assertEquals(expected.length, actual.length, label);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) == Double.doubleToLongBits(actual[i])) continue;
            double b = bound == null ? -1 : bound.at(i, expected[i]);
            if (!(Math.abs(expected[i] - actual[i]) <= b)) {
                fail(label + ": [" + i + "] scalar " + expected[i] + ", backend " + actual[i] + (bound == null ? " (exact)" : ", bound " + b));
            }
        }
        return actual;
    }

    static void check(String label, float[] expected, float[] actual, Bound bound) {
        assertEquals(expected.length, actual.length, label);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) == Float.floatToIntBits(actual[i])) continue;
            double b = bound == null ? -1 : bound.at(i, expected[i]);
            if (!(Math.abs((double) expected[i] - actual[i]) <= b)) {
                fail(label + ": [" + i + "] scalar " + expected[i] + ", backend " + actual[i] + (bound == null ? " (exact)" : ", bound " + b));
            }
        }
    }

    static double ulp(double v) { return Math.ulp((float) Math.abs(v)); }

    static float[] iota(int n, float from) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = from + i;
        return a;
    }

    /** A 16-bit float tensor (F16 or BF16 storage, as checkpoint files have them) of the values {@code v} rounded. */
    static Tensor stored(DType type, float[] v, long... shape) {
        MemorySegment seg = Arena.ofAuto().allocate(v.length * 2L, 64);
        for (int i = 0; i < v.length; i++) {
            seg.setAtIndex(Tensor.I16_LE, i, type == DType.F16 ? Float.floatToFloat16(v[i]) : (short) (Float.floatToRawIntBits(v[i]) >>> 16));
        }
        return new Tensor(type, shape, seg);
    }

    // ---- identity, memory, weights ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void identityMatchesTheProvider(Target t) {
        Backend be = open(t);
        assertEquals(t.provider(), be.name());
        assertTrue(be.threads() >= 1 && be.threads() <= t.threads(), be.threads() + " threads");
        assertTrue(!be.description().isBlank());
        assertTrue(be.supports(Precision.F32), "every backend computes float32");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void bf16StorageRoundsToNearestEvenAndReadsBackExactly(Target t) {
        Backend be = open(t);
        // ties (0x3F808000: 1 + 2^-8 exactly between two bf16 values) go to even, both ways; NaN stays NaN; +-inf,
        // -0 and subnormals survive; 1000 values cover the vector body and its tail on every width
        int n = 1000;
        float[] v = new float[n];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-30, 30)));
        float[] special = {Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE, 0x1p-130f, Float.MAX_VALUE, 1f};
        System.arraycopy(special, 0, v, 0, special.length);
        System.arraycopy(special, 0, v, n - special.length, special.length);
        Buf f = be.upload(v, 10, 100);
        Buf b = be.allocBf16(12, 100);
        assertTrue(b.isBf16() && !b.isF64(), b.shape());
        be.copy(b.rows(1, 11), f);
        Buf back = be.alloc(10, 100);
        be.copy(back, b.rows(1, 11));
        float[] got = be.read(back);
        for (int i = 0; i < n; i++) {
            float want = Float.intBitsToFloat(dev.cosyvoice4j.backend.host.HostOps.bf16Bits(v[i]) << 16);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]), "value " + i + ": " + v[i]);
        }
        assertEquals(Float.intBitsToFloat(0x3F800000), got[0], "tie to even (down)");
        assertEquals(Float.intBitsToFloat(0x3F820000), got[1], "tie to even (up)");
        assertTrue(Float.isNaN(got[2]));
        Buf copy = be.allocBf16(10, 100);
        be.copy(copy, b.rows(1, 11));
        be.copy(back, copy);
        assertArrayEquals(got, be.read(back), "bf16 to bf16 copies the bits");
        Buf untouched = be.alloc(1, 100);
        be.copy(untouched, b.row(0));
        assertArrayEquals(new float[100], be.read(untouched), "rows outside the view stay zero");
        assertThrows(IllegalArgumentException.class, () -> be.copy(be.allocBf16(2, 3), be.allocF64(2, 3)));
        // every other operation refuses a storage buffer by name (no partial write, no NullPointerException)
        Buf small = be.allocBf16(2, 3), f32 = be.alloc(2, 3);
        for (Runnable op : List.<Runnable>of(() -> be.fill(small, 1f), () -> be.add(f32, f32, small), () -> be.read(small),
                () -> be.transpose(be.alloc(3, 2), small), () -> be.write(small, new float[6], 0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, op::run);
            assertTrue(e.getMessage().contains("bf16") || e.getMessage().contains("float32"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void attentionReadsBf16KeysAndValuesAsTheirFloat32Values(Target t) {
        Backend be = open(t);
        // tiled blocks (hd 16), and few query rows of head dim 64 (the decode-sized kernel on cpu)
        for (int[] shape : new int[][] {{20, 37, 4, 16}, {3, 29, 2, 64}}) {
            int tq = shape[0], tk = shape[1], heads = shape[2], hd = shape[3], w = heads * hd;
            SplittableRandom rnd = new SplittableRandom(11);
            float[] qv = new float[tq * w], kv = new float[tk * w], vv = new float[tk * w];
            for (float[] a : new float[][] {qv, kv, vv}) for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
            Buf q = be.upload(qv, tq, w), k = be.upload(kv, tk, w), v = be.upload(vv, tk, w);
            Buf kb = be.allocBf16(tk, w), vb = be.allocBf16(tk, w), kr = be.alloc(tk, w), vr = be.alloc(tk, w);
            be.copy(kb, k);
            be.copy(vb, v);
            be.copy(kr, kb);
            be.copy(vr, vb);
            AttentionMask mask = AttentionMask.chunk(8, tk, tk - tq);
            Buf fromBf16 = be.alloc(tq, w), fromRounded = be.alloc(tq, w);
            be.attention(fromBf16, q, kb, vb, heads, heads, 0.25f, mask, Precision.F32);
            be.attention(fromRounded, q, kr, vr, heads, heads, 0.25f, mask, Precision.F32);
            assertArrayEquals(be.read(fromRounded), be.read(fromBf16), "float32 attention over bf16 storage = over its values, " + tq + " queries");
            // bf16 products round the float32 operands the same way (a few query rows attend in float32 on cpu instead)
            if (be.supports(Precision.BF16) && tq >= 16) {
                be.attention(fromBf16, q, kb, vb, heads, heads, 0.25f, mask, Precision.BF16);
                be.attention(fromRounded, q, k, v, heads, heads, 0.25f, mask, Precision.BF16);
                assertArrayEquals(be.read(fromRounded), be.read(fromBf16), "bf16 attention over bf16 storage = over float32, " + tq + " queries");
            }
            assertThrows(IllegalArgumentException.class, () -> be.attention(fromBf16, q, kb, v, heads, heads, 0.25f, mask, Precision.F32));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void buffersStartZeroedAndViewsShareStorage(Target t) {
        Backend be = open(t);
        Buf a = be.alloc(4, 5);
        assertEquals(List.of(4, 5, 20L, false), List.of(a.rows(), a.cols(), a.size(), a.isF64()));
        assertArrayEquals(new float[20], be.read(a));
        Buf d = be.allocF64(3, 2);
        double[] dv = new double[8];
        Arrays.fill(dv, -1);
        be.readF64(d, dv, 1);
        assertTrue(d.isF64());
        assertArrayEquals(new double[] {-1, 0, 0, 0, 0, 0, 0, -1}, dv);

        float[] src = iota(23, 0.5f);
        be.write(a, src, 3);
        assertArrayEquals(Arrays.copyOfRange(src, 3, 23), be.read(a));
        float[] dst = new float[24];
        Arrays.fill(dst, -1);
        be.read(a, dst, 2);
        float[] expected = new float[24];
        Arrays.fill(expected, -1);
        System.arraycopy(src, 3, expected, 2, 20);
        assertArrayEquals(expected, dst, "read at an offset");

        assertArrayEquals(Arrays.copyOfRange(src, 8, 18), be.read(a.rows(1, 3)));
        assertArrayEquals(Arrays.copyOfRange(src, 3, 9), be.read(a.view(2, 3)));
        assertArrayEquals(Arrays.copyOfRange(src, 18, 23), be.read(a.row(3)));
        Buf vv = a.rows(1, 4).view(5, 3);
        assertEquals(List.of(5, 3), List.of(vv.rows(), vv.cols()));
        assertArrayEquals(Arrays.copyOfRange(src, 8, 23), be.read(vv), "a view of a view");
        be.write(a.rows(2, 3), new float[] {-1, -2, -3, -4, -5}, 0);
        float[] after = Arrays.copyOfRange(src, 3, 23);
        System.arraycopy(new float[] {-1, -2, -3, -4, -5}, 0, after, 10, 5);
        assertArrayEquals(after, be.read(a), "writes through a view reach the parent, and only its rows");

        Buf u = be.upload(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, be.read(u));
        assertThrows(IllegalArgumentException.class, () -> be.upload(new float[5], 2, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void copiesThatDoNotFitAreRefusedWithTheShapes(Target t) {
        Backend be = open(t);
        Buf a = be.alloc(2, 3);
        for (Executable copy : List.<Executable>of(
                () -> be.write(a, new float[5], 0), () -> be.write(a, new float[6], 1), () -> be.write(a, new float[6], -1),
                () -> be.read(a, new float[5], 0), () -> be.read(a, new float[6], 1),
                () -> be.readF64(be.allocF64(2, 3), new double[6], 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, copy);
            assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void supportedPrecisionsPrepareAndOthersAreRefused(Target t) {
        Backend be = open(t);
        Tensor w = Tensor.of(random(new SplittableRandom(1), 24 * 64), 24, 64);
        for (Precision p : Precision.values()) {
            if (be.supports(p)) {
                Tensor prepared = be.prepare(w, WeightKind.LINEAR, p, x -> { });
                assertArrayEquals(w.shape(), prepared.shape(), p + " keeps the shape");
                assertSame(w, be.prepare(w, WeightKind.OTHER, p, null), "non-LINEAR weights are returned as given");
            } else {
                assertThrows(IllegalArgumentException.class, () -> be.prepare(w, WeightKind.LINEAR, p, null), p.toString());
            }
        }
    }

    // ---- matrix products ------------------------------------------------------------------------------------------

    /** linear through {@code m}: x [rows, K] placed, out [rows, N] placed. */
    static float[] linear(Mem m, float[] x, int rows, Tensor w, Tensor bias) {
        int n = w.dim(0), k = w.dim(1);
        Buf out = m.out(rows, n);
        m.be.linear(out, m.in(x, rows, k), w, bias);
        return m.get(out);
    }

    /** Two float32 sums of K products plus a bias in different orders: {@code 2 (K + 2) u sum|x w| + |b|}. */
    static Bound summation(float[] x, float[] w, float[] b, int n, int k) {
        return (i, e) -> 2 * (k + 2) * U * magnitude(x, i / n, w, i % n, k, b) + Float.MIN_VALUE;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void linearMatchesScalarWithinTheSummationBound(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(7);
        int[] rowsList = {1, 2, 3, 15, 16, 17, 19, 20, 33, 40};
        int[][] nk = {{1, 1}, {5, 3}, {17, 16}, {33, 31}, {64, 48}, {70, 100}, {31, 400}, {96, 385}, {40, 17}};
        int c = 0;
        for (int rows : rowsList) {
            for (int[] s : nk) {
                for (boolean withBias : new boolean[] {false, true}) {
                    int n = s[0], k = s[1];
                    float[] x = random(r, rows * k), w = random(r, n * k), b = withBias ? random(r, n) : null;
                    Tensor wt = be.prepare(Tensor.of(w, n, k), WeightKind.LINEAR, Precision.F32, null);
                    Tensor bt = withBias ? Tensor.of(b, n) : null;
                    compare(be, layout(c++), "linear " + rows + "x" + k + "->" + n + (withBias ? " + bias" : ""),
                            m -> linear(m, x, rows, wt, bt), summation(x, w, b, n, k));
                }
            }
        }
        // weights stored as float16 / bfloat16 (as files have them), read as float32
        for (DType type : new DType[] {DType.F16, DType.BF16}) {
            for (int rows : new int[] {1, 20}) {
                int n = 33, k = 70;
                float[] x = random(r, rows * k), b = random(r, n);
                Tensor wt = stored(type, random(r, n * k), n, k);
                compare(be, layout(c++), "linear " + type + " weights " + rows + " rows", m -> linear(m, x, rows, wt, Tensor.of(b, n)),
                        summation(x, wt.toFloatArray(), b, n, k));
            }
        }
        be.linear(be.alloc(0, 5), be.alloc(0, 7), Tensor.of(new float[35], 5, 7), null);   // no rows: nothing to do
    }

    /** Per-weight quantisation error bound of a block with largest |w| amax (fp16 scale e16 = 2^-11): see QuantizedWeightsTest. */
    static double quantStep(DType type, double amax) {
        return type == DType.Q8_0 ? amax / 254 + amax * 0x1p-11 : amax / 8 + amax * 0x1p-11;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void quantisedLinearMatchesScalarOnTheSamePreparedWeights(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(2);
        // rows, N, K; the last two have K that is not whole 32-value blocks: they stay float32
        int[][] shapes = {{1, 5, 32}, {1, 37, 96}, {2, 33, 64}, {3, 130, 896}, {17, 70, 256}, {20, 64, 544}, {33, 40, 128},
                {3, 9, 33}, {20, 7, 40}};
        int c = 0;
        for (Precision p : new Precision[] {Precision.Q8_0, Precision.Q4_0}) {
            if (!be.supports(p)) continue;
            DType type = p == Precision.Q8_0 ? DType.Q8_0 : DType.Q4_0;
            for (int[] s : shapes) {
                int rows = s[0], n = s[1], k = s[2];
                float[] x = random(r, rows * k), w = random(r, n * k), b = random(r, n);
                Tensor original = Tensor.of(w, n, k), bt = Tensor.of(b, n);
                Tensor q = be.prepare(original, WeightKind.LINEAR, p, x1 -> { });
                float[] deq = q.toFloatArray();
                String what = p + " linear " + rows + "x" + k + "->" + n;
                float[] actual = compare(be, layout(c++), what, m -> linear(m, x, rows, q, bt), summation(x, deq, b, n, k));
                // and the prepared weight is a faithful quantisation: within the block errors of the float32 product
                float[] f32 = run(ORACLE, Layout.DENSE, what, m -> linear(m, x, rows, original, bt));
                boolean quantised = k % 32 == 0;
                check(what + " vs float32 [" + be.name() + " x" + be.threads() + "]", f32, actual, (i, e) -> {
                    int row = i / n, j = i % n;
                    double bound = 4 * (k + 2) * U * magnitude(x, row, w, j, k, b) + Float.MIN_VALUE;
                    for (int blk = 0; quantised && blk < k / 32; blk++) {
                        double amax = 0, sx = 0;
                        for (int ii = blk * 32; ii < blk * 32 + 32; ii++) {
                            amax = Math.max(amax, Math.abs(w[j * k + ii]));
                            sx += Math.abs(x[row * k + ii]);
                        }
                        bound += sx * quantStep(type, amax);
                    }
                    return bound;
                });
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bf16Targets")
    void bf16LinearStaysWithinTheBf16BoundOfTheFloat32Product(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(3);
        int c = 0;
        for (int[] kn : new int[][] {{37, 19}, {100, 67}, {256, 64}}) {
            int k = kn[0], n = kn[1];
            float[] w = random(r, n * k);
            Tensor original = Tensor.of(w, n, k), prepared = be.prepare(original, WeightKind.LINEAR, Precision.BF16, x -> { });
            for (int rows : new int[] {1, 15, 16, 17, 33, 64}) {
                float[] x = random(r, rows * k, 2), b = rows % 2 == 1 ? random(r, n) : null;
                Tensor bt = b == null ? null : Tensor.of(b, n);
                String what = "bf16 linear " + rows + "x" + k + "->" + n;
                float[] expected = run(ORACLE, Layout.DENSE, what, m -> linear(m, x, rows, original, bt));
                float[] actual = run(be, layout(c++), what, m -> linear(m, x, rows, prepared, bt));
                double rel = 0x1p-8 + 0x1p-18 + 2.02 * (k + 1) * U;
                check(what + " [" + be.name() + " x" + be.threads() + "]", expected, actual,
                        (i, e) -> rel * magnitude(x, i / n, w, i % n, k, b));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void linearGeluTanhIsLinearThenGeluTanhBitForBit(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(11);
        int n = 67, k = 100;
        float[] w = random(r, n * k), b = random(r, n);
        for (Precision p : new Precision[] {Precision.F32, Precision.BF16}) {
            if (!be.supports(p)) continue;
            Tensor prepared = be.prepare(Tensor.of(w, n, k), WeightKind.LINEAR, p, x -> { });
            for (int rows : new int[] {1, 16, 40}) {
                float[] x = random(r, rows * k, 2);
                String what = p + " linearGeluTanh " + rows + "x" + k + "->" + n;
                float[] fused = run(be, Layout.DENSE, what, m -> {
                    Buf out = m.out(rows, n);
                    m.be.linearGeluTanh(out, m.in(x, rows, k), prepared, Tensor.of(b, n));
                    return m.get(out);
                });
                float[] apart = run(be, Layout.DENSE, what, m -> {
                    Buf out = m.out(rows, n);
                    m.be.linear(out, m.in(x, rows, k), prepared, Tensor.of(b, n));
                    m.be.geluTanh(out);
                    return m.get(out);
                });
                assertArrayEquals(apart, fused, what + " [" + be.name() + " x" + be.threads() + "]");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bf16Targets")
    void bf16ProductsOfQuantisedBlocksStayWithinTheBf16BoundOfTheirValues(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(5);
        int c = 0;
        for (Precision p : new Precision[] {Precision.Q8_0, Precision.Q4_0}) {
            for (int[] kn : new int[][] {{64, 19}, {256, 70}, {896, 130}}) {
                int k = kn[0], n = kn[1];
                Tensor blocks = be.prepare(Tensor.of(random(r, n * k), n, k), WeightKind.LINEAR, p, x -> { });
                Tensor prepared = be.prepare(blocks, WeightKind.LINEAR, Precision.BF16, x -> { });
                assertEquals(blocks.dtype(), prepared.dtype(), "the blocks stay the weight's only form");
                float[] w = blocks.toFloatArray();                                     // q * d, exact in float32
                Tensor values = Tensor.of(w, n, k);
                for (int rows : new int[] {1, 15, 16, 17, 40}) {
                    float[] x = random(r, rows * k, 2), b = rows % 2 == 1 ? random(r, n) : null;
                    Tensor bt = b == null ? null : Tensor.of(b, n);
                    String what = p + " blocks, bf16 products " + rows + "x" + k + "->" + n;
                    float[] expected = run(ORACLE, Layout.DENSE, what, m -> linear(m, x, rows, values, bt));
                    float[] actual = run(be, layout(c++), what, m -> linear(m, x, rows, prepared, bt));
                    float[] ownKernel = run(be, Layout.DENSE, what, m -> linear(m, x, rows, blocks, bt));
                    double rel = 0x1p-8 + 0x1p-18 + 2.02 * (k + 1) * U;
                    check(what + " [" + be.name() + " x" + be.threads() + "]", expected, actual,
                            (i, e) -> rel * magnitude(x, i / n, w, i % n, k, b));
                    if (rows < 16) assertArrayEquals(ownKernel, actual, what + ": few rows keep the blocks' own kernel");
                }
            }
        }
    }

    // ---- normalisation ------------------------------------------------------------------------------------------

    /**
     * LayerNorm of one value, per implementation: the mean is off by n u max|x|, which the normalised value carries
     * divided by sigma; the variance by n u relative, the inverse sqrt by (n/2 + 2) u; then the affine adds 2u. So
     * the two are within {@code 2 (|w| + 1) (n + 4) u (max|x| / sigma + |y|) + 4 u |out|} (y the normalised value).
     */
    static Bound layerNormBound(float[] x, int dim, float[] w, double eps) {
        return (i, e) -> {
            int row = i / dim;
            double mean = 0, var = 0, max = 0;
            for (int j = row * dim; j < row * dim + dim; j++) mean += x[j];
            mean /= dim;
            for (int j = row * dim; j < row * dim + dim; j++) {
                var += (x[j] - mean) * (x[j] - mean);
                max = Math.max(max, Math.abs(x[j]));
            }
            double sigma = Math.sqrt(var / dim + eps), y = Math.abs(x[i] - mean) / sigma;
            double wi = w == null ? 1 : Math.abs(w[i % dim]);
            return 2 * (wi + 1) * (dim + 4) * U * (max / sigma + y) + 4 * U * Math.abs(e) + Float.MIN_VALUE;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void normsMatchScalarWithinThePropagatedSumErrors(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(3);
        int c = 0;
        for (int rows : new int[] {1, 3, 7}) {
            for (int dim : new int[] {1, 3, 14, 15, 16, 17, 33, 64, 100, 1025}) {
                float[] x = random(r, rows * dim, 4), w = random(r, dim, 1.5), b = random(r, dim);
                Tensor wt = Tensor.of(w, dim), bt = Tensor.of(b, dim);
                String shape = " " + rows + "x" + dim;
                // RMSNorm: sum of squares n u relative, inverse sqrt (n/2 + 2) u, two products: (n/2 + 4) u each
                Bound rms = (i, e) -> (dim + 8) * U * Math.abs(e) + Float.MIN_VALUE;
                compare(be, layout(c++), "rmsNorm" + shape, m -> {
                    Buf out = m.out(rows, dim);
                    m.be.rmsNorm(out, m.in(x, rows, dim), wt, 1e-6f);
                    return m.get(out);
                }, rms);
                compare(be, layout(c++), "rmsNorm in place" + shape, m -> {
                    Buf xb = m.inout(x, rows, dim);
                    m.be.rmsNorm(xb, xb, wt, 1e-6f);
                    return m.get(xb);
                }, rms);
                for (int variant = 0; variant < 3; variant++) {
                    Tensor lw = variant == 1 ? null : wt, lb = variant == 0 ? bt : null;
                    Bound ln = layerNormBound(x, dim, lw == null ? null : w, 1e-5);
                    compare(be, layout(c++), "layerNorm" + (lw == null ? "" : " weight") + (lb == null ? "" : " bias") + shape, m -> {
                        Buf out = m.out(rows, dim);
                        m.be.layerNorm(out, m.in(x, rows, dim), lw, lb, 1e-5f);
                        return m.get(out);
                    }, ln);
                }
                compare(be, layout(c++), "layerNorm in place" + shape, m -> {
                    Buf xb = m.inout(x, rows, dim);
                    m.be.layerNorm(xb, xb, wt, bt, 1e-5f);
                    return m.get(xb);
                }, layerNormBound(x, dim, w, 1e-5));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void logSoftmaxAndL2NormaliseMatchScalarWithinOneRounding(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(4);
        int c = 0;
        for (int rows : new int[] {1, 3}) {
            for (int cols : new int[] {1, 3, 17, 100, 1025, 6761}) {
                float[] x = random(r, rows * cols, 10);
                if (cols > 3) for (int i = 0; i < x.length; i += 7) x[i] = Float.NEGATIVE_INFINITY;   // masked logits
                // shift = max + log(sum): the double sum in any order, then two float32 roundings: 2 u |shift| each;
                // the subtraction one more u |out|
                compare(be, layout(c++), "logSoftmax " + rows + "x" + cols, m -> {
                    Buf xb = m.inout(x, rows, cols);
                    m.be.logSoftmax(xb);
                    return m.get(xb);
                }, (i, e) -> 4 * U * Math.abs(x[i] - e) + 2 * U * Math.abs(e) + Float.MIN_VALUE);
                float[] y = random(r, rows * cols, 3);
                if (rows > 1) Arrays.fill(y, 0, cols, 0f);                   // a zero row stays zero (norm clamped at 1e-12)
                // the norm in double then rounded (u), the division (u): 2 u |out| each
                compare(be, layout(c++), "l2NormalizeRows " + rows + "x" + cols, m -> {
                    Buf xb = m.inout(y, rows, cols);
                    m.be.l2NormalizeRows(xb);
                    return m.get(xb);
                }, (i, e) -> 4 * U * Math.abs(e) + Float.MIN_VALUE);
            }
        }
    }

    // ---- attention ----------------------------------------------------------------------------------------------

    /** max over query rows, keys and heads of {@code scale * sum_d |q_d k_d|}: the scale of a score's rounding error. */
    static double maxScoreMagnitude(float[] q, float[] k, int tq, int tk, int heads, int kvHeads, int hd, float scale) {
        double max = 0;
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    double s = 0;
                    for (int d = 0; d < hd; d++) s += Math.abs((double) q[i * heads * hd + h * hd + d] * k[j * kvHeads * hd + (h / group) * hd + d]);
                    max = Math.max(max, s);
                }
            }
        }
        return max * scale;
    }

    static float[] attention(Mem m, float[] q, float[] k, float[] v, int tq, int tk, int heads, int kvHeads, int hd,
                             float scale, AttentionMask mask, Precision p) {
        Buf out = m.out(tq, heads * hd);
        m.be.attention(out, m.in(q, tq, heads * hd), m.in(k, tk, kvHeads * hd), m.in(v, tk, kvHeads * hd), heads, kvHeads,
                scale, mask, p);
        return m.get(out);
    }

    /**
     * Attention, per implementation: a score is off by {@code eps = (hd + 2) u scale sum|q k|}; exp(s - max) then by
     * 2 eps + 4u relative (FloatMath.exp within 2 ulp), the normaliser by as much plus (tk) u, so each probability by
     * {@code 4 eps + (tk + 9) u} relative; the weighted sum of v adds (tk + 1) u max|v|. The two implementations are
     * within {@code max|v| (8 eps + (4 tk + 20) u)}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void attentionMatchesScalarForMasksGroupsAndViews(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(4);
        int c = 0;
        for (int[] hc : new int[][] {{14, 2}, {4, 2}, {5, 1}, {4, 4}}) {
            for (int hd : new int[] {14, 16, 64}) {
                for (int[] tt : new int[][] {{1, 1}, {1, 37}, {7, 7}, {17, 40}, {33, 33}}) {
                    int tq = tt[0], tk = tt[1], heads = hc[0], kvHeads = hc[1];
                    float[] q = random(r, tq * heads * hd, 2), k = random(r, tk * kvHeads * hd, 2), v = random(r, tk * kvHeads * hd, 3);
                    float scale = (float) (1 / Math.sqrt(hd));
                    double eps = (hd + 2) * U * maxScoreMagnitude(q, k, tq, tk, heads, kvHeads, hd, scale);
                    double bound = maxAbs(v) * (8 * eps + (4 * tk + 20) * U);
                    // causal with a KV-cache offset, and with a negative one (the first queries see no key); all keys,
                    // a prefix of them, none; streaming chunks
                    AttentionMask[] masks = {AttentionMask.causal(tk - tq), AttentionMask.causal(0), AttentionMask.causal(-2),
                            AttentionMask.full(tk), AttentionMask.full(Math.max(0, tk - 3)), AttentionMask.full(0),
                            AttentionMask.chunk(5, tk), AttentionMask.chunk(16, tk - 1),
                            AttentionMask.chunk(5, tk, Math.max(0, tk - tq)), AttentionMask.chunk(16, tk, Math.max(0, tk - tq))};
                    for (AttentionMask mask : masks) {
                        compare(be, layout(c++), "attention " + heads + "/" + kvHeads + " heads of " + hd + ", " + tq + "x" + tk + " " + mask,
                                m -> attention(m, q, k, v, tq, tk, heads, kvHeads, hd, scale, mask, Precision.F32), (i, e) -> bound);
                    }
                }
            }
        }
    }

    /**
     * Relative-position attention: as {@link #attentionMatchesScalarForMasksGroupsAndViews}, with each score the sum
     * of two float32 dot products ({@code eps = (hd + 3) u sum(|q + u| |k| + |q + v| |p|) / divisor}).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void relPositionAttentionMatchesScalarForMasksAndViews(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(14);
        int c = 0;
        for (int heads : new int[] {1, 3, 4}) {
            for (int hd : new int[] {5, 16, 64}) {
                for (int tt : new int[] {1, 2, 7, 33}) {
                    int w = heads * hd;
                    float[] q = random(r, tt * w, 2), k = random(r, tt * w, 2), v = random(r, tt * w, 3),
                            p = random(r, (2 * tt - 1) * w, 2), u = random(r, w, 1), bv = random(r, w, 1);
                    float divisor = (float) Math.sqrt(hd);
                    double sumAbs = 0;
                    for (int h = 0; h < heads; h++) {
                        for (int i = 0; i < tt; i++) {
                            for (int j = 0; j < tt; j++) {
                                double s = 0;
                                for (int d = 0; d < hd; d++) {
                                    int qi = i * w + h * hd + d;
                                    s += Math.abs(q[qi] + u[h * hd + d]) * Math.abs(k[j * w + h * hd + d])
                                            + Math.abs(q[qi] + bv[h * hd + d]) * Math.abs(p[(tt - 1 - i + j) * w + h * hd + d]);
                                }
                                sumAbs = Math.max(sumAbs, s);
                            }
                        }
                    }
                    double eps = (hd + 3) * U * sumAbs / divisor;
                    double bound = maxAbs(v) * (8 * eps + (4 * tt + 20) * U);
                    AttentionMask[] masks = {AttentionMask.full(tt), AttentionMask.full(Math.max(0, tt - 3)), AttentionMask.full(0),
                            AttentionMask.chunk(5, tt), AttentionMask.chunk(2, tt)};
                    for (AttentionMask mask : masks) {
                        compare(be, layout(c++), "relPositionAttention " + heads + " heads of " + hd + ", t " + tt + " " + mask, m -> {
                            Buf out = m.out(tt, w);
                            m.be.relPositionAttention(out, m.in(q, tt, w), m.in(k, tt, w), m.in(v, tt, w), m.in(p, 2 * tt - 1, w),
                                    Tensor.of(u, heads, hd), Tensor.of(bv, heads, hd), heads, divisor, mask);
                            return m.get(out);
                        }, (i, e) -> bound);
                    }
                }
            }
        }
    }

    /**
     * bf16 attention against float32: q and k rounded to bf16 move a score by {@code delta = scale (2^-8 + 2^-18 +
     * (hd + 2) u) sum|q k|}, so each probability by a factor within e^(+-2 delta); P and V rounded to bf16 add 2^-9
     * each, the float32 sums (4 tk + 20) u, the oracle's own error 4 eps: within {@code max|v| (expm1(2 delta) + 2^-8 +
     * 2^-16 + 4 eps + (4 tk + 20) u)}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bf16Targets")
    void bf16AttentionStaysWithinTheBf16BoundOfFloat32(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(5);
        // tq, tk, heads, kvHeads, hd, mask: DiT shapes (padded queries and keys, more keys than queries, chunks, a key
        // prefix, no key), then grouped heads and few rows (products the backend may keep in float32)
        Object[][] cases = {{40, 40, 2, 2, 16, AttentionMask.full(40)}, {37, 37, 3, 3, 64, AttentionMask.full(37)},
                {16, 50, 2, 2, 8, AttentionMask.full(50)}, {45, 45, 2, 2, 32, AttentionMask.chunk(16, 45)},
                {50, 150, 2, 2, 16, AttentionMask.chunk(50, 150, 100)}, {30, 80, 2, 2, 16, AttentionMask.chunk(16, 80, 50)},
                {33, 33, 2, 2, 16, AttentionMask.full(20)}, {24, 24, 2, 2, 16, AttentionMask.full(0)},
                {20, 20, 4, 2, 16, AttentionMask.causal(0)}, {8, 30, 2, 2, 16, AttentionMask.full(30)}};
        int c = 0;
        for (Object[] cs : cases) {
            int tq = (int) cs[0], tk = (int) cs[1], heads = (int) cs[2], kvHeads = (int) cs[3], hd = (int) cs[4];
            AttentionMask mask = (AttentionMask) cs[5];
            float[] q = gaussian(r, tq * heads * hd, 1), k = gaussian(r, tk * kvHeads * hd, 1), v = gaussian(r, tk * kvHeads * hd, 1);
            float scale = (float) (1 / Math.sqrt(hd));
            double sqk = maxScoreMagnitude(q, k, tq, tk, heads, kvHeads, hd, scale);
            double delta = (0x1p-8 + 0x1p-18 + (hd + 2) * U) * sqk, eps = (hd + 2) * U * sqk;
            double bound = maxAbs(v) * (Math.expm1(2 * delta) + 0x1p-8 + 0x1p-16 + 4 * eps + (4 * tk + 20) * U);
            String what = "bf16 attention " + heads + "/" + kvHeads + " heads of " + hd + ", " + tq + "x" + tk + " " + mask;
            float[] expected = run(ORACLE, Layout.DENSE, what, m -> attention(m, q, k, v, tq, tk, heads, kvHeads, hd, scale, mask, Precision.F32));
            float[] actual = run(be, layout(c++), what, m -> attention(m, q, k, v, tq, tk, heads, kvHeads, hd, scale, mask, Precision.BF16));
            check(what + " [" + be.name() + " x" + be.threads() + "]", expected, actual, (i, e) -> bound);
        }
    }

    // ---- positions ----------------------------------------------------------------------------------------------

    static Tensor invFreq(int half, int hd) {
        float[] f = new float[half];
        for (int i = 0; i < half; i++) f[i] = (float) Math.pow(10000, -2.0 * i / hd);
        return Tensor.of(f, half);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void ropeRotatesExactlyAsScalar(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(5);
        int c = 0;
        for (int heads : new int[] {1, 3, 14}) {
            for (int hd : new int[] {2, 14, 16, 64}) {
                Tensor inv = invFreq(hd / 2, hd);
                for (int rows : new int[] {1, 9}) {
                    for (int start : new int[] {0, 5, 600, 32767}) {
                        float[] x = random(r, rows * heads * hd, 2);
                        compare(be, layout(c++), "ropeNeox " + heads + " heads of " + hd + ", " + rows + " rows from " + start, m -> {
                            Buf xb = m.inout(x, rows, heads * hd);
                            m.be.ropeNeox(xb, heads, start, inv);
                            return m.get(xb);
                        }, EXACT);
                    }
                }
            }
        }
        for (int rotDim : new int[] {2, 14, 64}) {
            for (int extra : new int[] {0, 3}) {
                for (int rows : new int[] {1, 9, 40}) {
                    for (int start : new int[] {0, 150, 4017}) {
                        int cols = rotDim + extra;
                        float[] x = random(r, rows * cols, 2);
                        Tensor inv = invFreq(rotDim / 2, rotDim);
                        compare(be, layout(c++), "ropeInterleaved " + rotDim + " of " + cols + ", " + rows + " rows from " + start, m -> {
                            Buf xb = m.inout(x, rows, cols);
                            m.be.ropeInterleaved(xb, rotDim, inv, start);
                            return m.get(xb);
                        }, EXACT);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void sinusPositionEmbeddingIsExact(Target t) {
        Backend be = open(t);
        int c = 0;
        for (float[] ts : new float[][] {{0f}, {0.5f, 1f}, {0.123f, 0.9f, 0f}}) {
            for (int dim : new int[] {4, 6, 80, 256}) {
                compare(be, layout(c++), "sinusPositionEmbedding " + ts.length + "x" + dim, m -> {
                    Buf out = m.out(ts.length, dim);
                    m.be.sinusPositionEmbedding(out, ts, 1000f);
                    return m.get(out);
                }, EXACT);
            }
        }
    }

    // ---- convolutions -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void conv1dMatchesScalarForStridesDilationsGroupsAndPadding(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(6);
        // cin, cout, k, t, stride, padLeft, padRight, dilation, groups
        int[][] cases = {
                {1, 1, 1, 1, 1, 0, 0, 1, 1}, {3, 5, 3, 17, 1, 1, 1, 1, 1}, {4, 13, 7, 100, 1, 3, 3, 3, 1},
                {16, 16, 31, 50, 1, 15, 15, 1, 16}, {32, 32, 31, 70, 1, 15, 15, 1, 16}, {8, 12, 5, 41, 2, 2, 2, 1, 2},
                {6, 9, 3, 33, 3, 0, 2, 2, 3}, {24, 20, 11, 300, 1, 15, 15, 3, 1}, {64, 40, 3, 129, 1, 2, 0, 1, 1},
                {5, 7, 4, 9, 1, 3, 0, 1, 1}, {2, 4, 9, 9, 1, 0, 0, 1, 2}, {3, 2, 3, 15, 1, 0, 0, 1, 1},
                // grouped, stride 1: DiT-like causal 64-channel groups, ragged 13-channel groups with dilation and
                // right padding, no padding; HiFT's polyphase upsampling conv (k 3, causal)
                {128, 128, 31, 100, 1, 30, 0, 1, 2}, {26, 26, 5, 37, 1, 2, 3, 2, 2}, {8, 8, 3, 40, 1, 0, 0, 1, 4},
                {16, 24, 3, 1025, 1, 2, 0, 1, 1}};
        int c = 0;
        for (int ci = 0; ci < cases.length; ci++) {
            int[] cs = cases[ci];
            int cin = cs[0], cout = cs[1], kw = cs[2], len = cs[3];
            ConvSpec spec = ConvSpec.of(cs[4], cs[5], cs[6], cs[7], cs[8]);
            int tOut = spec.outLength(len, kw), cinG = cin / spec.groups();
            float[] x = random(r, cin * len, 2), w = random(r, cout * cinG * kw), b = random(r, cout);
            for (int variant = 0; variant < 2; variant++) {
                boolean withBias = variant == 0, half = variant == 1 && ci % 3 == 0;   // some weights stored as float16
                Tensor wt = half ? stored(DType.F16, w, cout, cinG, kw) : Tensor.of(w, cout, cinG, kw);
                Tensor bt = withBias ? Tensor.of(b, cout) : null;
                float[] wv = wt.toFloatArray();
                // the scale of each output's rounding error: the same convolution of |x|, |w|, |b|
                Tensor absW = Tensor.of(abs(wv), cout, cinG, kw), absB = withBias ? Tensor.of(abs(b), cout) : null;
                float[] mag = run(ORACLE, Layout.DENSE, "magnitude", m -> {
                    Buf out = m.out(cout, tOut);
                    m.be.conv1d(out, m.in(abs(x), cin, len), absW, absB, spec);
                    return m.get(out);
                });
                int terms = cinG * kw + 1;
                compare(be, layout(c++), "conv1d " + Arrays.toString(cs) + (withBias ? " + bias" : "") + (half ? " f16" : ""), m -> {
                    Buf out = m.out(cout, tOut);
                    m.be.conv1d(out, m.in(x, cin, len), wt, bt, spec);
                    return m.get(out);
                }, (i, e) -> 2 * (terms + 1) * U * mag[i] * 1.01 + Float.MIN_VALUE);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void float64OpsMatchScalar(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(16);
        int c = 0;
        // cin, cout, k, tp: whole 4-channel groups and 3-vector frame blocks, ragged channels and frames, k != 3
        for (int[] cs : new int[][] {{8, 8, 3, 50}, {80, 12, 3, 143}, {5, 7, 3, 30}, {6, 4, 5, 40}, {3, 9, 1, 26}, {512, 8, 3, 142}, {1, 1, 3, 3}}) {
            int cin = cs[0], cout = cs[1], kw = cs[2], tp = cs[3], tOut = tp - kw + 1;
            float[] x = random(r, cin * tp, 2), v = random(r, cout * cin * kw);
            double[] scale = new double[cout], bias = new double[cout];
            for (int i = 0; i < cout; i++) {
                scale[i] = r.nextDouble() + 0.5;
                bias[i] = r.nextDouble() - 0.5;
            }
            Tensor vt = Tensor.of(v, cout, cin, kw), st = Tensor.ofDoubles(scale, cout), bt = Tensor.ofDoubles(bias, cout);
            double[] absBias = Arrays.stream(bias).map(Math::abs).toArray();
            double[] mag = run(ORACLE, Layout.DENSE, "magnitude", m -> {
                Buf out = m.outF64(cout, tOut);
                m.be.conv1dF64(out, m.inF64(abs(x), cin, tp), Tensor.of(abs(v), cout, cin, kw), st, Tensor.ofDoubles(absBias, cout));
                return m.getF64(out);
            });
            // a double sum of cin k + 1 terms, each ((double) v s) x rounded twice
            compareF64(be, layout(c++), "conv1dF64 " + Arrays.toString(cs), m -> {
                Buf out = m.outF64(cout, tOut);
                m.be.conv1dF64(out, m.inF64(x, cin, tp), vt, st, bt);
                return m.getF64(out);
            }, (i, e) -> 2 * (cin * kw + 4) * U64 * mag[i] * 1.01 + Double.MIN_VALUE);
        }
        for (int n : new int[] {1, 3, 17, 100}) {
            float[] x = random(r, n, 5);
            x[0] = n > 1 ? -0.0f : 0f;
            compareF64(be, layout(c++), "eluF64 " + n, m -> {
                Buf xb = m.inoutF64(x, 1, n);
                m.be.eluF64(xb);
                return m.getF64(xb);
            }, EXACT);
        }
        for (int[] ct : new int[][] {{1, 1}, {3, 17}, {80, 100}, {512, 33}}) {
            int ch = ct[0], len = ct[1];
            float[] x = random(r, ch * len, 3);
            double[] w = new double[ch];
            for (int i = 0; i < ch; i++) w[i] = r.nextDouble() - 0.5;
            Tensor wt = Tensor.ofDoubles(w, ch);
            double bias = 0.3;
            // a double sum of C + 1 terms, then one rounding to float32
            compare(be, layout(c++), "classifierAbsF64 " + ch + "x" + len, m -> {
                Buf out = m.out(1, len);
                m.be.classifierAbsF64(out, m.inF64(x, ch, len), wt, bias);
                return m.get(out);
            }, (i, e) -> {
                double mag = Math.abs(bias);
                for (int ci = 0; ci < ch; ci++) mag += Math.abs(w[ci] * x[ci * len + i]);
                return ulp(e) + 2 * (ch + 4) * U64 * mag;
            });
        }
    }

    // ---- element-wise -----------------------------------------------------------------------------------------

    /** Shapes of the element-wise tests: odd lengths, a tail of every vector width, one large enough to be split. */
    static final int[][] SHAPES = {{1, 1}, {1, 3}, {1, 15}, {1, 16}, {1, 17}, {1, 33}, {1, 100}, {3, 5}, {1, 1025}, {13, 3077}};

    /** An in-place unary operation, exactly as the oracle. */
    static void unaryExact(Backend be, Layout layout, String what, float[] x, int rows, int cols, java.util.function.BiConsumer<Backend, Buf> op) {
        compare(be, layout, what + " " + rows + "x" + cols, m -> {
            Buf xb = m.inout(x, rows, cols);
            op.accept(m.be, xb);
            return m.get(xb);
        }, EXACT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void elementwiseOpsAreExact(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(1);
        int c = 0;
        for (int[] s : SHAPES) {
            int rows = s[0], cols = s[1], n = rows * cols;
            for (double range : new double[] {3, 30}) {
                float[] x = random(r, n, range), y = random(r, n, 2), z = random(r, n, 2);
                unaryExact(be, layout(c++), "silu", x, rows, cols, Backend::silu);
                unaryExact(be, layout(c++), "geluTanh", x, rows, cols, Backend::geluTanh);
                unaryExact(be, layout(c++), "mish", x, rows, cols, Backend::mish);
                unaryExact(be, layout(c++), "geluErf", x, rows, cols, Backend::geluErf);
                unaryExact(be, layout(c++), "leakyRelu 0.01", x, rows, cols, (b, xb) -> b.leakyRelu(xb, 0.01f));
                unaryExact(be, layout(c++), "leakyRelu 0.1", x, rows, cols, (b, xb) -> b.leakyRelu(xb, 0.1f));
                String shape = " " + rows + "x" + cols;
                compare(be, layout(c++), "siluMul" + shape, m -> {
                    Buf out = m.out(rows, cols);
                    m.be.siluMul(out, m.in(x, rows, cols), m.in(y, rows, cols));
                    return m.get(out);
                }, EXACT);
                compare(be, layout(c++), "siluMul into gate" + shape, m -> {
                    Buf gate = m.inout(x, rows, cols);
                    m.be.siluMul(gate, gate, m.in(y, rows, cols));
                    return m.get(gate);
                }, EXACT);
                for (int alias = 0; alias < 3; alias++) {
                    int al = alias;
                    compare(be, layout(c++), "add" + (al == 0 ? "" : al == 1 ? " into a" : " into b") + shape, m -> {
                        Buf a = al == 1 ? m.inout(x, rows, cols) : m.in(x, rows, cols);
                        Buf b = al == 2 ? m.inout(y, rows, cols) : m.in(y, rows, cols);
                        Buf out = al == 0 ? m.out(rows, cols) : al == 1 ? a : b;
                        m.be.add(out, a, b);
                        return m.get(out);
                    }, EXACT);
                }
                compare(be, layout(c++), "add to itself" + shape, m -> {
                    Buf a = m.inout(x, rows, cols);
                    m.be.add(a, a, a);
                    return m.get(a);
                }, EXACT);
                for (float divisor : new float[] {3f, 0.7f}) {
                    compare(be, layout(c++), "div " + divisor + shape, m -> {
                        Buf out = m.out(rows, cols);
                        m.be.div(out, m.in(x, rows, cols), divisor);
                        return m.get(out);
                    }, EXACT);
                    compare(be, layout(c++), "div in place " + divisor + shape, m -> {
                        Buf xb = m.inout(x, rows, cols);
                        m.be.div(xb, xb, divisor);
                        return m.get(xb);
                    }, EXACT);
                }
                compare(be, layout(c++), "cfgEulerStep" + shape, m -> {
                    Buf xb = m.inout(x, rows, cols);
                    m.be.cfgEulerStep(xb, m.in(y, rows, cols), m.in(z, rows, cols), 0.1f, 1.7f, 0.7f);
                    return m.get(xb);
                }, EXACT);
                float[] scale = random(r, rows, 2), bias = random(r, rows);
                compare(be, layout(c++), "affineRows" + shape, m -> {
                    Buf xb = m.inout(x, rows, cols);
                    m.be.affineRows(xb, Tensor.of(scale, rows), Tensor.of(bias, rows));
                    return m.get(xb);
                }, EXACT);
            }
        }
        // mish around the softplus threshold and extremes; the other activations at their edges
        float[] edge = {-100f, -20.5f, -1e-3f, 0f, -0f, 1e-3f, 19.99f, 20f, 20.01f, 50f, 88f, 89f, 1e10f,
                Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE};
        for (java.util.function.BiConsumer<Backend, Buf> op : List.<java.util.function.BiConsumer<Backend, Buf>>of(Backend::mish,
                Backend::silu, Backend::geluTanh, Backend::geluErf, (b, xb) -> b.leakyRelu(xb, 0.1f))) {
            unaryExact(be, layout(c++), "activation edges", edge, 1, edge.length, op);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void snakeModulateAndGatedResidualAreExact(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(2);
        int c = 0;
        for (int[] s : new int[][] {{1, 1}, {3, 17}, {5, 1000}, {64, 700}}) {
            int ch = s[0], len = s[1];
            float[] x = random(r, ch * len, 8), alpha = random(r, ch, 0.5);
            for (int i = 0; i < ch; i++) alpha[i] += 1f;                    // U(0.5, 1.5) as the fixtures
            Tensor al = Tensor.of(alpha, ch);
            unaryExact(be, layout(c++), "snake", x, ch, len, (b, xb) -> b.snake(xb, al));
        }
        for (int groups : new int[] {1, 2, 3}) {
            for (int frames : new int[] {1, 5, 314}) {
                for (int dim : new int[] {3, 17, 64}) {
                    int rows = groups * frames, modCols = 3 * dim + 7;
                    float[] x = random(r, rows * dim, 3), y = random(r, rows * dim, 3), mod = random(r, groups * modCols, 1.5);
                    String shape = " " + groups + " groups of " + frames + "x" + dim;
                    compare(be, layout(c++), "modulate" + shape, m -> {
                        Buf xb = m.inout(x, rows, dim);
                        m.be.modulate(xb, m.in(mod, groups, modCols), 2, dim + 5);
                        return m.get(xb);
                    }, EXACT);
                    compare(be, layout(c++), "addGated" + shape, m -> {
                        Buf xb = m.inout(x, rows, dim);
                        m.be.addGated(xb, m.in(mod, groups, modCols), 2 * dim + 4, m.in(y, rows, dim));
                        return m.get(xb);
                    }, EXACT);
                }
            }
        }
    }

    // ---- data movement ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void dataMovementIsExact(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(9);
        int c = 0;
        for (int[] s : new int[][] {{1, 1}, {3, 5}, {16, 16}, {17, 33}, {40, 33}, {33, 40}, {48, 32}, {5, 100}, {64, 1}}) {
            int rows = s[0], cols = s[1];
            float[] x = random(r, rows * cols, 5);
            String shape = " " + rows + "x" + cols;
            compare(be, layout(c++), "copy" + shape, m -> {
                Buf out = m.out(rows, cols);
                m.be.copy(out, m.in(x, rows, cols));
                return m.get(out);
            }, EXACT);
            double[] widened = compareF64(be, layout(c++), "copy f32 to f64" + shape, m -> {
                Buf out = m.outF64(rows, cols);
                m.be.copy(out, m.in(x, rows, cols));
                return m.getF64(out);
            }, EXACT);
            for (int i = 0; i < x.length; i++) assertEquals((double) x[i], widened[i], "f32 to f64 widens exactly");
            compareF64(be, layout(c++), "copy f64" + shape, m -> {
                Buf out = m.outF64(rows, cols);
                m.be.copy(out, m.inF64(x, rows, cols));
                return m.getF64(out);
            }, EXACT);
            compare(be, layout(c++), "transpose" + shape, m -> {
                Buf out = m.out(cols, rows);
                m.be.transpose(out, m.in(x, rows, cols));
                return m.get(out);
            }, EXACT);
            compareF64(be, layout(c++), "transpose f64" + shape, m -> {
                Buf out = m.outF64(cols, rows);
                m.be.transpose(out, m.inF64(x, rows, cols));
                return m.getF64(out);
            }, EXACT);
            for (int times : new int[] {1, 2, 3}) {
                compare(be, layout(c++), "repeatRows x" + times + shape, m -> {
                    Buf out = m.out(rows * times, cols);
                    m.be.repeatRows(out, m.in(x, rows, cols), times);
                    return m.get(out);
                }, EXACT);
            }
            compareF64(be, layout(c++), "repeatRows f64" + shape, m -> {
                Buf out = m.outF64(rows * 2, cols);
                m.be.repeatRows(out, m.inF64(x, rows, cols), 2);
                return m.getF64(out);
            }, EXACT);
            for (float value : new float[] {0f, -1.5f, Float.NaN}) {
                compare(be, layout(c++), "fill " + value + shape, m -> {
                    Buf xb = m.inout(x, rows, cols);
                    m.be.fill(xb, value);
                    return m.get(xb);
                }, EXACT);
                compareF64(be, layout(c++), "fill f64 " + value + shape, m -> {
                    Buf xb = m.inoutF64(x, rows, cols);
                    m.be.fill(xb, value);
                    return m.getF64(xb);
                }, EXACT);
            }
            // column slices: [from, from + width) of x, and back into a wider buffer (per row, or one row broadcast)
            for (int[] fw : new int[][] {{0, cols}, {0, 1}, {cols / 2, (cols + 1) / 2}, {cols - 1, 1}}) {
                int from = fw[0], width = fw[1], wide = cols + 4;
                float[] dst = random(r, rows * wide, 1), one = random(r, width, 1);
                String cols2 = shape + " columns " + from + "+" + width;
                compare(be, layout(c++), "copyCols" + cols2, m -> {
                    Buf out = m.out(rows, width);
                    m.be.copyCols(out, m.in(x, rows, cols), from);
                    return m.get(out);
                }, EXACT);
                compareF64(be, layout(c++), "copyCols f32 to f64" + cols2, m -> {
                    Buf out = m.outF64(rows, width);
                    m.be.copyCols(out, m.in(x, rows, cols), from);
                    return m.getF64(out);
                }, EXACT);
                compareF64(be, layout(c++), "copyCols f64" + cols2, m -> {
                    Buf out = m.outF64(rows, width);
                    m.be.copyCols(out, m.inF64(x, rows, cols), from);
                    return m.getF64(out);
                }, EXACT);
                float[] slice = new float[rows * width];
                for (int i = 0; i < rows; i++) System.arraycopy(x, i * cols + from, slice, i * width, width);
                compare(be, layout(c++), "setCols" + cols2, m -> {
                    Buf d = m.inout(dst, rows, wide);
                    m.be.setCols(d, from + 3, m.in(slice, rows, width));
                    return m.get(d);
                }, EXACT);
                compare(be, layout(c++), "setCols broadcast" + cols2, m -> {
                    Buf d = m.inout(dst, rows, wide);
                    m.be.setCols(d, from + 2, m.in(one, 1, width));
                    return m.get(d);
                }, EXACT);
                compareF64(be, layout(c++), "setCols f32 to f64" + cols2, m -> {
                    Buf d = m.inoutF64(dst, rows, wide);
                    m.be.setCols(d, from + 4, m.in(slice, rows, width));
                    return m.getF64(d);
                }, EXACT);
                compareF64(be, layout(c++), "setCols f64 broadcast" + cols2, m -> {
                    Buf d = m.inoutF64(dst, rows, wide);
                    m.be.setCols(d, from, m.inF64(one, 1, width));
                    return m.getF64(d);
                }, EXACT);
            }
        }
        // embedding tables as float32 and as the 16-bit types files store
        float[] table = random(r, 50 * 17, 3);
        int[] ids = {0, 49, 3, 3, 17, 0};
        for (Tensor tab : new Tensor[] {Tensor.of(table, 50, 17), stored(DType.F16, table, 50, 17), stored(DType.BF16, table, 50, 17)}) {
            for (int[] some : new int[][] {{5}, ids}) {
                compare(be, layout(c++), "gatherRows " + tab + " " + some.length + " ids", m -> {
                    Buf out = m.out(some.length, 17);
                    m.be.gatherRows(out, tab, some);
                    return m.get(out);
                }, EXACT);
            }
        }
    }

    // ---- vocoder signal ops -------------------------------------------------------------------------------------

    /** torch.hann_window(n) (periodic). */
    static Tensor hann(int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
        return Tensor.of(w, n);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void signalOpsMatchScalar(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(11);
        int c = 0;
        // len, nFft, hop, frames: every frame, fewer, the shortest input (len = nFft/2 + 1)
        for (int[] s : new int[][] {{100, 16, 4, 26}, {37, 16, 4, 5}, {9, 16, 4, 3}, {64, 8, 3, 22}, {300, 64, 16, 19}}) {
            int len = s[0], nFft = s[1], hop = s[2], frames = s[3], bins = nFft / 2 + 1;
            float[] x = random(r, len, 1);
            Tensor win = hann(nFft);
            // direct DFTs in double (any order: 2 nFft 2^-53 sum|window x|), rounded to float32 (one ulp)
            double slack = 2 * nFft * nFft * U64 * maxAbs(x);
            compare(be, layout(c++), "stft " + Arrays.toString(s), m -> {
                Buf out = m.out(2 * bins, frames);
                m.be.stft(out, m.in(x, 1, len), win, nFft, hop);
                return m.get(out);
            }, (i, e) -> ulp(e) + slack);
        }
        // nFft, hop, frames, samples, clamp
        for (int[] s : new int[][] {{16, 4, 2, 4, 0}, {16, 4, 20, 76, 0}, {16, 4, 20, 50, 1}, {8, 2, 5, 8, 1}, {64, 16, 9, 128, 0}}) {
            int nFft = s[0], hop = s[1], frames = s[2], samples = s[3], bins = nFft / 2 + 1;
            float clamp = s[4] == 1 ? 0.99f : 1e9f;
            float[] x = new float[2 * bins * frames];
            for (int i = 0; i < x.length; i++) x[i] = i < bins * frames ? (float) (r.nextDouble() * 9.5 - 4) : (float) (r.nextDouble() * 20 - 10);
            Tensor win = hann(nFft);
            // magnitudes and phases by FloatMath (exact); irfft and overlap-add in double (~1e-12 here), then one ulp
            compare(be, layout(c++), "istftFromLogits " + Arrays.toString(s), m -> {
                Buf out = m.out(1, samples);
                m.be.istftFromLogits(out, m.in(x, 2 * bins, frames), win, nFft, hop, clamp);
                return m.get(out);
            }, (i, e) -> ulp(e) + 0x1p-30);
        }
        // u (phases per output sample), cout, t, reflect
        for (int u : new int[] {1, 2, 3}) {
            for (int cout : new int[] {1, 3, 5}) {
                for (int len : new int[] {1, 3, 17}) {
                    for (boolean reflect : new boolean[] {false, true}) {
                        if (reflect && u * len < 2) continue;
                        int pad = reflect ? 1 : 0;
                        float[] ph = random(r, u * cout * len, 2);
                        compare(be, layout(c++), "polyphaseInterleave u " + u + " cout " + cout + " t " + len + (reflect ? " reflect" : ""), m -> {
                            Buf out = m.out(cout, u * len + pad);
                            m.be.polyphaseInterleave(out, m.in(ph, u * cout, len), reflect);
                            return m.get(out);
                        }, EXACT);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void nsfSourceAndItsTraceAreExact(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(12);
        int c = 0;
        for (int[] s : new int[][] {{1, 8}, {5, 8}, {17, 8}, {40, 8}, {3, 480}}) {
            int frames = s[0], scale = s[1], len = frames * scale;
            float[] f0 = new float[frames];
            for (int i = 0; i < frames; i++) f0[i] = i % 4 == 1 ? 0f : (float) (80 + r.nextDouble() * 320);   // some unvoiced
            NsfSpec spec = new NsfSpec(24000, scale, 9, 0.1f, 0.003f, 10f, Tensor.of(random(r, 9), 9), 0.05f, NsfNoise.fixedUniform());
            // the spec fixes every step (torch's CPU order): a reordered phase cumsum (~10^3 rad) would move sin() by
            // ulp(phase) ~ 6e-5, so no tolerance is meaningful
            List<float[]> traces = new ArrayList<>();
            compare(be, layout(c++), "nsfSource " + frames + " frames x " + scale, m -> {
                Buf out = m.out(1, len);
                NsfSpec.Trace trace = NsfSpec.Trace.allocate(len, 9);
                m.be.nsfSource(out, m.in(f0, 1, frames), spec, trace);
                traces.addAll(List.of(trace.f0Upsampled(), trace.sineWaves(), trace.uv()));
                return m.get(out);
            }, EXACT);
            for (int i = 0; i < 3; i++) check("nsfSource trace " + i + " [" + be.name() + "]", traces.get(i), traces.get(3 + i), EXACT);
            compare(be, layout(c++), "nsfSource without trace " + frames, m -> {
                Buf out = m.out(1, len);
                m.be.nsfSource(out, m.in(f0, 1, frames), spec, null);
                return m.get(out);
            }, EXACT);
            // CosyVoice2's non-causal source: linearly up-sampled phase, its Gaussian buffers
            NsfSpec linear = new NsfSpec(24000, scale, 9, 0.1f, 0.003f, 10f, spec.linearWeight(), 0.05f,
                    GaussianGoldenNoise.instance(), true);
            compare(be, layout(c++), "nsfSource linear phase " + frames + " frames x " + scale, m -> {
                Buf out = m.out(1, len);
                m.be.nsfSource(out, m.in(f0, 1, frames), linear, null);
                return m.get(out);
            }, EXACT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void nsfSourceFromATailEqualsTheWholeCallsTail(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(14);
        int c = 0;
        // frames, scale, first window frame, tail samples (a streaming vocoder's window: from the frame before on)
        for (int[] s : new int[][] {{17, 8, 5, 8 * 12 - 3}, {40, 8, 39, 8}, {30, 480, 12, 480 * 17}, {9, 480, 0, 480 * 9}}) {
            int frames = s[0], scale = s[1], off = s[2], tail = s[3], len = frames * scale, h = 9;
            float[] f0 = new float[frames];
            for (int i = 0; i < frames; i++) f0[i] = i % 5 == 2 ? 0f : (float) (80 + r.nextDouble() * 320);
            float[] f0Tail = Arrays.copyOfRange(f0, off, frames);
            NsfSpec spec = new NsfSpec(24000, scale, h, 0.1f, 0.003f, 10f, Tensor.of(random(r, h), h), 0.05f, NsfNoise.fixedUniform());
            String what = "nsfSourceFrom " + Arrays.toString(s);
            // the whole call, and its accumulator after every frame
            float[] whole = run(ORACLE, Layout.DENSE, what, m -> {
                Buf out = m.out(1, len);
                m.be.nsfSource(out, m.in(f0, 1, frames), spec, null);
                return m.get(out);
            });
            double[] phases = compareF64(be, layout(c++), what + " phaseOut", m -> {
                Buf out = m.out(1, len), phaseOut = m.outF64(frames, h);
                m.be.nsfSourceFrom(out, m.in(f0, 1, frames), 0, null, phaseOut, spec);
                check(what + " from frame 0 [" + m.be.name() + "]", whole, m.get(out), EXACT);
                return m.getF64(phaseOut);
            }, EXACT);
            float[] expected = Arrays.copyOfRange(whole, len - tail, len);
            // the tail from the whole call's accumulator before frame off (a row of its phaseOut, on the backend)
            float[] actual = compare(be, layout(c++), what, m -> {
                Buf all = m.be.allocF64(frames, h);
                m.be.nsfSourceFrom(m.be.alloc(1, len), m.be.upload(f0, 1, frames), 0, null, all, spec);
                Buf out = m.out(1, tail), phaseOut = m.outF64(frames - off, h);
                m.be.nsfSourceFrom(out, m.in(f0Tail, 1, frames - off), off, off == 0 ? null : all.row(off - 1), phaseOut, spec);
                double[] got = m.getF64(phaseOut);
                for (int i = 0; i < got.length; i++) assertEquals(phases[off * h + i], got[i], 0.0, what + " phaseOut " + i);
                return m.get(out);
            }, EXACT);
            check(what + " equals the whole call's tail [" + be.name() + "]", expected, actual, EXACT);
        }
    }

    // ---- scheduling and concurrency -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void partsRunEachPartOnceWithTheInOrderResults(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(13);
        for (int[] costs : new int[][] {{}, {5}, {3, 7, 11}, {1, 1, 1, 1, 1}, {40, 1, 20, 3, 7, 2}}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, costs.length));
            be.parts(costs, hits::incrementAndGet);
            for (int i = 0; i < costs.length; i++) assertEquals(1, hits.get(i), "part " + i + " of " + Arrays.toString(costs));
        }
        // each part: a linear, a norm and an activation on its own rows; products inside parts run where the backend
        // puts them, and must give exactly what the same calls give one after another
        int k = 64, n = 48;
        int[] rows = {1, 7, 20, 3, 40};
        Tensor w = Tensor.of(random(r, n * k), n, k), norm = Tensor.of(random(r, n, 1.5), n);
        Buf[] xs = new Buf[rows.length], inOrder = new Buf[rows.length], parallel = new Buf[rows.length];
        for (int i = 0; i < rows.length; i++) {
            xs[i] = be.upload(random(r, rows[i] * k), rows[i], k);
            inOrder[i] = be.alloc(rows[i], n);
            parallel[i] = be.alloc(rows[i], n);
        }
        java.util.function.BiConsumer<Buf[], Integer> part = (outs, i) -> {
            be.linear(outs[i], xs[i], w, null);
            be.rmsNorm(outs[i], outs[i], norm, 1e-6f);
            be.silu(outs[i]);
        };
        for (int i = 0; i < rows.length; i++) part.accept(inOrder, i);
        be.parts(rows, i -> part.accept(parallel, i));
        for (int i = 0; i < rows.length; i++) assertArrayEquals(be.read(inOrder[i]), be.read(parallel[i]), "part " + i);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void rowRangesCoverEveryRowOnceWithTheSameResults(Target t) {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(14);
        Tensor norm = Tensor.of(random(r, 64, 1.5), 64);
        for (int n : new int[] {1, 2, 3, 7}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            be.rowRanges(n, (from, to) -> {
                assertTrue(0 <= from && from <= to && to <= n, "[" + from + ", " + to + ") of " + n);
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "row " + i + " of " + n);
            float[] x = random(r, n * 64, 3);
            Buf whole = be.upload(x, n, 64), split = be.upload(x, n, 64);
            Backend.Range body = (from, to) -> {
                be.rmsNorm(split.rows(from, to), split.rows(from, to), norm, 1e-6f);
                be.geluTanh(split.rows(from, to));
            };
            be.rmsNorm(whole, whole, norm, 1e-6f);
            be.geluTanh(whole);
            be.rowRanges(n, body);
            assertArrayEquals(be.read(whole), be.read(split), n + " rows");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void concurrentCallersGetTheSequentialResults(Target t) throws Exception {
        Backend be = open(t);
        SplittableRandom r = new SplittableRandom(8);
        int rows = 40, n = 96, kd = 200, tq = 20, heads = 4, hd = 64;
        float[] x = random(r, rows * kd), q = random(r, tq * heads * hd), kv = random(r, tq * 2 * hd);
        Tensor w = Tensor.of(random(r, n * kd), n, kd);
        Buf xb = be.upload(x, rows, kd), qb = be.upload(q, tq, heads * hd), kvb = be.upload(kv, tq, 2 * hd);
        Function<Backend, float[][]> work = b -> {
            Buf o = b.alloc(rows, n), v = b.alloc(1, n), a = b.alloc(tq, heads * hd);
            b.linear(o, xb, w, null);
            b.linear(v, xb.row(0), w, null);
            b.attention(a, qb, kvb, kvb, heads, 2, 0.125f, AttentionMask.causal(0), Precision.F32);
            return new float[][] {b.read(o), b.read(v), b.read(a)};
        };
        float[][] reference = work.apply(be);
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try {
                    for (int it = 0; it < 10; it++) {
                        float[][] got = work.apply(be);
                        for (int j = 0; j < got.length; j++) assertArrayEquals(reference[j], got[j], "result " + j);
                    }
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            });
            threads[i].start();
        }
        for (Thread th : threads) th.join();
        if (failure[0] != null) throw new AssertionError("a concurrent caller got another result", failure[0]);
    }

    // ---- argument checks ----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void wrongShapesThrowIllegalArgumentNamingTheOperation(Target t) {
        Backend b = open(t);
        Buf a23 = b.alloc(2, 3), a24 = b.alloc(2, 4), a33 = b.alloc(3, 3), a32 = b.alloc(3, 2), f64 = b.allocF64(2, 3);
        Tensor w34 = Tensor.of(new float[12], 3, 4), t3 = Tensor.of(new float[3], 3), t2 = Tensor.of(new float[2], 2);
        Map<String, List<Executable>> calls = new LinkedHashMap<>();
        calls.put("linear", List.of(
                () -> b.linear(a23, b.alloc(2, 5), w34, null),                      // K 5 against 4
                () -> b.linear(a24, b.alloc(2, 4), w34, null),                      // N 3 into 4 columns
                () -> b.linear(a23, b.alloc(2, 4), w34, t2)));                      // bias of 2
        calls.put("rmsNorm", List.of(() -> b.rmsNorm(a23, a23, t2, 1e-6f), () -> b.rmsNorm(a24, a23, t3, 1e-6f)));
        calls.put("layerNorm", List.of(() -> b.layerNorm(a24, a23, null, null, 1e-5f), () -> b.layerNorm(a23, a23, t2, null, 1e-5f)));
        calls.put("attention", List.of(
                () -> b.attention(b.alloc(2, 8), b.alloc(2, 8), b.alloc(3, 6), b.alloc(3, 6), 2, 1, 1f, AttentionMask.full(3), Precision.F32),
                () -> b.attention(b.alloc(2, 9), b.alloc(2, 9), b.alloc(3, 6), b.alloc(3, 6), 3, 2, 1f, AttentionMask.full(3), Precision.F32),
                () -> b.attention(b.alloc(2, 8), b.alloc(2, 8), b.alloc(3, 4), b.alloc(4, 4), 2, 1, 1f, AttentionMask.full(3), Precision.F32),
                () -> b.attention(b.alloc(2, 8), b.alloc(2, 8), b.alloc(3, 8), b.alloc(3, 8), 2, 2, 1f, AttentionMask.full(3), Precision.Q8_0)));
        Tensor bias24 = Tensor.of(new float[8], 2, 4);
        calls.put("relPositionAttention", List.of(
                () -> b.relPositionAttention(b.alloc(3, 8), b.alloc(3, 8), b.alloc(3, 8), b.alloc(3, 8), b.alloc(3, 8), bias24, bias24, 2, 2f, AttentionMask.full(3)),   // p not 2t - 1 rows
                () -> b.relPositionAttention(b.alloc(3, 8), b.alloc(3, 8), b.alloc(2, 8), b.alloc(3, 8), b.alloc(5, 8), bias24, bias24, 2, 2f, AttentionMask.full(3)),   // k rows
                () -> b.relPositionAttention(b.alloc(3, 8), b.alloc(3, 8), b.alloc(3, 8), b.alloc(3, 8), b.alloc(5, 8), t3, bias24, 2, 2f, AttentionMask.full(3)),       // pos_bias_u size
                () -> b.relPositionAttention(b.alloc(3, 9), b.alloc(3, 9), b.alloc(3, 9), b.alloc(3, 9), b.alloc(5, 9), bias24, bias24, 2, 2f, AttentionMask.full(3)))); // 9 over 2 heads
        calls.put("ropeNeox", List.of(() -> b.ropeNeox(b.alloc(2, 10), 3, 0, t2), () -> b.ropeNeox(b.alloc(2, 8), 2, 0, t3)));
        calls.put("ropeInterleaved", List.of(() -> b.ropeInterleaved(b.alloc(2, 8), 5, t2),          // odd rotDim
                () -> b.ropeInterleaved(b.alloc(2, 8), 4, t3), () -> b.ropeInterleaved(b.alloc(2, 8), 10, Tensor.of(new float[5], 5))));
        calls.put("conv1d", List.of(
                () -> b.conv1d(b.alloc(2, 5), b.alloc(3, 5), Tensor.of(new float[2 * 2 * 3], 2, 2, 3), null, ConvSpec.same(1)),   // cin 2 vs 3
                () -> b.conv1d(b.alloc(2, 4), b.alloc(2, 5), Tensor.of(new float[2 * 2 * 3], 2, 2, 3), null, ConvSpec.same(1))));  // length 4 vs 5
        calls.put("conv1dF64", List.of(() -> b.conv1dF64(b.allocF64(2, 4), b.allocF64(2, 5), Tensor.of(new float[12], 2, 2, 3),
                Tensor.ofDoubles(new double[2], 2), Tensor.ofDoubles(new double[2], 2))));
        calls.put("classifierAbsF64", List.of(() -> b.classifierAbsF64(b.alloc(1, 4), f64, Tensor.ofDoubles(new double[2], 2), 0)));
        calls.put("siluMul", List.of(() -> b.siluMul(a23, a23, a32)));
        calls.put("add", List.of(() -> b.add(a23, a23, a24), () -> b.add(a32, a23, a23)));
        calls.put("div", List.of(() -> b.div(a23, a32, 2f)));
        calls.put("snake", List.of(() -> b.snake(a33, t2), () -> b.snake(a23, t3)));
        calls.put("affineRows", List.of(() -> b.affineRows(a33, t2, t3)));
        calls.put("modulate", List.of(() -> b.modulate(a23, b.alloc(2, 5), 0, 3), () -> b.modulate(a33, b.alloc(2, 9), 0, 3)));
        calls.put("addGated", List.of(() -> b.addGated(a23, b.alloc(1, 5), 3, a23), () -> b.addGated(a23, b.alloc(1, 6), 0, a24)));
        calls.put("cfgEulerStep", List.of(() -> b.cfgEulerStep(a23, a23, a24, 0.1f, 1f, 1f)));
        calls.put("copy", List.of(() -> b.copy(a23, a32)));
        calls.put("transpose", List.of(() -> b.transpose(a23, a23)));
        calls.put("setCols", List.of(() -> b.setCols(a23, 2, a32), () -> b.setCols(a33, 0, a23)));
        calls.put("copyCols", List.of(() -> b.copyCols(a23, a24, 2), () -> b.copyCols(a33, a24, 0)));
        calls.put("gatherRows", List.of(() -> b.gatherRows(a23, Tensor.of(new float[12], 4, 3), new int[] {0, 4}),
                () -> b.gatherRows(a23, Tensor.of(new float[12], 3, 4), new int[] {0, 1})));
        calls.put("repeatRows", List.of(() -> b.repeatRows(a33, a23, 2)));
        calls.put("sinusPositionEmbedding", List.of(() -> b.sinusPositionEmbedding(b.alloc(2, 8), new float[3], 1000f)));
        calls.put("polyphaseInterleave", List.of(() -> b.polyphaseInterleave(b.alloc(2, 7), b.alloc(4, 3), false)));
        calls.put("stft", List.of(() -> b.stft(b.alloc(9, 3), b.alloc(1, 40), hann(16), 16, 4)));       // 2 x 9 rows
        calls.put("istftFromLogits", List.of(() -> b.istftFromLogits(b.alloc(1, 40), b.alloc(18, 5), hann(16), 16, 4, 1f)));   // > hop (frames - 1)
        NsfSpec spec = new NsfSpec(24000, 4, 9, 0.1f, 0.003f, 10f, Tensor.of(new float[9], 9), 0f, NsfNoise.fixedUniform());
        calls.put("nsfSource", List.of(() -> b.nsfSource(b.alloc(1, 15), b.alloc(1, 4), spec, null)));
        calls.put("nsfSourceFrom", List.of(() -> b.nsfSourceFrom(b.alloc(1, 20), b.alloc(1, 4), 3, null, null, spec),   // > 4 x 4
                () -> b.nsfSourceFrom(b.alloc(1, 8), b.alloc(1, 4), 3, null, b.allocF64(3, 9), spec)));                  // phaseOut rows

        for (Map.Entry<String, List<Executable>> e : calls.entrySet()) {
            for (int i = 0; i < e.getValue().size(); i++) {
                IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e.getValue().get(i),
                        e.getKey() + " #" + i + " on " + t);
                assertTrue(ex.getMessage() != null && ex.getMessage().contains(e.getKey()),
                        e.getKey() + " #" + i + " on " + t + ": the message does not name the operation: " + ex.getMessage());
            }
        }
    }
}
