package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Side-by-side throughput of the DiT's {@code linear} shapes (M x K x N): oneDNN bf16, oneDNN f32 and the
 * pure-Java kernels, best of several rounds (the 2-core machine is shared), plus the bf16-vs-f32 deviation of one
 * layer with DiT-like operands. Not a unit test; run with
 * <pre>
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *        -cp target/classes:target/test-classes dev.cosyvoice4j.backend.onednn.OneDnnMatmulBench [rounds] [backend]
 * </pre>
 * The Java kernels are the float32 {@code linear} of the named backend ({@code cpu} by default; {@code scalar} is
 * compared on a small shape only).
 */
public final class OneDnnMatmulBench {
    private static final int[][] SHAPES = {{628, 1024, 1024}, {628, 1024, 3072}, {628, 2048, 1024}};

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String javaBackend = args.length > 1 ? args[1] : "cpu";
        int threads = Integer.getInteger("threads", 2);
        long tLoad = System.nanoTime();
        OneDnn.LoadResult r = OneDnn.loadDefault();
        System.out.printf(Locale.ROOT, "%s (loaded in %.0f ms)%n", r.message(), (System.nanoTime() - tLoad) / 1e6);
        OneDnn lib = r.library().orElseThrow(() -> new IllegalStateException(r.message()));
        System.out.printf(Locale.ROOT, "threads=%d rounds=%d OMP_WAIT_POLICY env=%s property=%s cpus=%d load=%s%n",
                threads, rounds, System.getenv("OMP_WAIT_POLICY"), System.getProperty(OneDnn.WAIT_POLICY_PROPERTY, "(PASSIVE)"),
                Runtime.getRuntime().availableProcessors(), loadAverage());
        Backend javaKernels = Backends.open(javaBackend, BackendOptions.defaults().withThreads(threads));
        boolean vector = !javaKernels.name().equals("scalar");
        System.out.println("java kernels: " + javaKernels.description());

        OneDnnMatmul bf16 = new OneDnnMatmul(lib, Precision.BF16, threads);
        OneDnnMatmul f32 = new OneDnnMatmul(lib, Precision.F32, threads);
        SplittableRandom rnd = new SplittableRandom(42);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : SHAPES) {
                int m = s[0], k = s[1], n = s[2];
                Tensor w = gaussianWeights(arena, rnd, n, k, 1 / Math.sqrt(k));
                Tensor bias = gaussianWeights(arena, rnd, 1, n, 0.02).reshape(n);
                float[] x = gaussian(rnd, m * k, 1.0), out = new float[m * n], ref = new float[m * n];
                double flop = 2.0 * m * k * n;

                long t0 = System.nanoTime();
                bf16.linear(out, x, m, w, bias);
                long firstBf16 = System.nanoTime() - t0;
                t0 = System.nanoTime();
                f32.linear(ref, x, m, w, bias);
                long firstF32 = System.nanoTime() - t0;

                // Modes interleaved round by round so that load swings on the shared machine hit all alike.
                float[] outJ = new float[m * n];
                List<Runnable> modes = new ArrayList<>(List.of(() -> bf16.linear(out, x, m, w, bias),
                        () -> f32.linear(ref, x, m, w, bias)));
                if (vector) modes.add(() -> linear(javaKernels, outJ, x, m, w, bias));
                double[] t = bestInterleaved(rounds, modes);
                double tb = t[0], tf = t[1];
                String shape = m + "x" + k + "x" + n;
                System.out.printf(Locale.ROOT, "%-15s oneDNN bf16 %7.2f ms %6.0f GFLOP/s [%s] (first call %.0f ms)%n",
                        shape, tb * 1e3, flop / tb / 1e9, bf16.implementation(m, k, n), firstBf16 / 1e6);
                System.out.printf(Locale.ROOT, "%-15s oneDNN f32  %7.2f ms %6.0f GFLOP/s [%s] (first call %.0f ms)%n",
                        shape, tf * 1e3, flop / tf / 1e9, f32.implementation(m, k, n), firstF32 / 1e6);
                if (vector) {
                    double tj = t[2];
                    System.out.printf(Locale.ROOT, "%-15s java        %7.2f ms %6.0f GFLOP/s -> bf16 x%.2f, f32 x%.2f faster than java%n",
                            shape, tj * 1e3, flop / tj / 1e9, tj / tb, tj / tf);
                }
                overheads(rounds, m, k, n, x, new float[m * n]);
                // New row counts: primitive creation (+ weight layout check) on the first call of a new bucket.
                for (int rows : new int[] {m + 13, m + 14}) {
                    float[] x2 = new float[rows * k], out2 = new float[rows * n];
                    t0 = System.nanoTime();
                    bf16.linear(out2, x2, rows, w, bias);
                    System.out.printf(Locale.ROOT, "%-15s first call with %d rows: %.1f ms%n", shape, rows,
                            (System.nanoTime() - t0) / 1e6);
                }
                quality(shape, out, ref);
            }
            if (!vector) {
                int m = 64, k = 256, n = 256;
                Tensor w = gaussianWeights(arena, rnd, n, k, 1 / Math.sqrt(k));
                float[] x = gaussian(rnd, m * k, 1.0), out = new float[m * n];
                double flop = 2.0 * m * k * n;
                double ts = best(Math.min(rounds, 3), () -> linear(javaKernels, out, x, m, w, null));
                double tb = best(rounds, () -> bf16.linear(out, x, m, w, null));
                double tf = best(rounds, () -> f32.linear(out, x, m, w, null));
                System.out.printf(Locale.ROOT, "%dx%dx%d (no Vector API kernels yet) scalar %.2f ms %.1f GFLOP/s;"
                                + " oneDNN bf16 %.3f ms %.0f GFLOP/s; f32 %.3f ms %.0f GFLOP/s%n", m, k, n,
                        ts * 1e3, flop / ts / 1e9, tb * 1e3, flop / tb / 1e9, tf * 1e3, flop / tf / 1e9);
            }
            if (vector) threshold(rounds, bf16, f32, javaKernels, arena, rnd);
            mixed(rounds, bf16, arena, rnd, threads);
            System.out.printf(Locale.ROOT, "packed weight bytes: bf16 %d, f32 %d; load=%s%n", bf16.packedBytes(),
                    f32.packedBytes(), loadAverage());
        }
    }

    /** Small row counts (the decorator's threshold): where oneDNN stops paying off against the Java kernels. */
    private static void threshold(int rounds, OneDnnMatmul bf16, OneDnnMatmul f32, Backend javaKernels, Arena arena,
                                  SplittableRandom rnd) {
        int k = 1024, n = 1024;
        Tensor w = gaussianWeights(arena, rnd, n, k, 1 / Math.sqrt(k));
        for (int m : new int[] {1, 2, 4, 8, 16, 32, 64, 128}) {
            float[] x = gaussian(rnd, m * k, 1), out = new float[m * n];
            double[] t = bestInterleaved(rounds * 3, List.of(() -> bf16.linear(out, x, m, w, null),
                    () -> f32.linear(out, x, m, w, null), () -> linear(javaKernels, out, x, m, w, null)));
            double flop = 2.0 * m * k * n;
            System.out.printf(Locale.ROOT, "rows %3d x1024x1024: bf16 %.3f ms (%4.0f GFLOP/s), f32 %.3f ms (%4.0f), java %.3f ms (%4.0f)%n",
                    m, t[0] * 1e3, flop / t[0] / 1e9, t[1] * 1e3, flop / t[1] / 1e9, t[2] * 1e3, flop / t[2] / 1e9);
        }
    }

    /** Per-call costs around the product: activation conversion and output copy. */
    private static void overheads(int rounds, int m, int k, int n, float[] x, float[] out) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate((long) m * k * 2, 64), dst = a.allocate((long) m * n * 4, 64);
            double tc = best(rounds * 4, () -> Bf16.convert(x, 0, m * k, src));
            double tcopy = best(rounds * 4, () -> MemorySegment.copy(dst, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, out, 0, m * n));
            System.out.printf(Locale.ROOT, "%-15s   per call: x->bf16 %.3f ms, output copy %.3f ms%n",
                    m + "x" + k + "x" + n, tc * 1e3, tcopy * 1e3);
        }
    }

    /** bf16 vs f32 on one layer: max abs, relative RMS, cosine. */
    private static void quality(String shape, float[] bf, float[] f) {
        double maxAbs = 0, maxRef = 0, se = 0, sr = 0, dot = 0, nb = 0;
        for (int i = 0; i < f.length; i++) {
            double d = bf[i] - f[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
            maxRef = Math.max(maxRef, Math.abs(f[i]));
            se += d * d;
            sr += (double) f[i] * f[i];
            dot += (double) bf[i] * f[i];
            nb += (double) bf[i] * bf[i];
        }
        System.out.printf(Locale.ROOT, "%-15s   bf16 vs f32: max|d| %.3e (max|ref| %.2f), rms(d)/rms(ref) %.3e, cosine %.8f%n",
                shape, maxAbs, maxRef, Math.sqrt(se / sr), dot / Math.sqrt(nb * sr));
    }

    /** A product followed by 2-thread Java work of similar length: shows spinning OpenMP workers, if any. */
    private static void mixed(int rounds, OneDnnMatmul mm, Arena arena, SplittableRandom rnd, int threads) {
        int m = 628, k = 1024, n = 1024;
        Tensor w = gaussianWeights(arena, rnd, n, k, 1 / Math.sqrt(k));
        float[] x = gaussian(rnd, m * k, 1), out = new float[m * n];
        float[] work = gaussian(rnd, 1 << 20, 1);
        ForkJoinPool pool = new ForkJoinPool(threads);
        Runnable java = () -> {
            List<ForkJoinTask<?>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int part = t;
                tasks.add(pool.submit(() -> {
                    float acc = 0;
                    for (int rep = 0; rep < 6; rep++) {
                        for (int i = part; i < work.length; i += threads) acc += work[i] * work[(i * 7) & (work.length - 1)];
                    }
                    work[part] += acc * 1e-30f;
                }));
            }
            tasks.forEach(ForkJoinTask::join);
        };
        double tj = best(rounds, java);
        double tm = best(rounds, () -> mm.linear(out, x, m, w, null));
        double both = best(rounds, () -> {
            for (int i = 0; i < 4; i++) {
                mm.linear(out, x, m, w, null);
                java.run();
            }
        }) / 4;
        System.out.printf(Locale.ROOT, "mixed: java work %.2f ms, product %.2f ms, product+java %.2f ms (overhead %.2f ms)%n",
                tj * 1e3, tm * 1e3, both * 1e3, (both - tj - tm) * 1e3);
        pool.shutdown();
    }

    /** Best time of each runnable, run round-robin after one warm-up each. */
    private static double[] bestInterleaved(int rounds, List<Runnable> rs) {
        double[] best = new double[rs.size()];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        rs.forEach(Runnable::run);
        for (int i = 0; i < rounds; i++) {
            for (int j = 0; j < rs.size(); j++) {
                long t0 = System.nanoTime();
                rs.get(j).run();
                best[j] = Math.min(best[j], (System.nanoTime() - t0) / 1e9);
            }
        }
        return best;
    }

    private static double best(int rounds, Runnable r) {
        r.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    /** {@link Backend#linear} on arrays. */
    private static void linear(Backend b, float[] out, float[] x, int rows, Tensor w, Tensor bias) {
        int n = w.dim(0), k = w.dim(1);
        b.linear(HostBuf.wrap(out, 0, rows, n), HostBuf.wrap(x, 0, rows, k), w, bias);
    }

    private static Tensor gaussianWeights(Arena arena, SplittableRandom rnd, int n, int k, double std) {
        float[] v = gaussian(rnd, n * k, std);
        MemorySegment seg = arena.allocate((long) v.length * 4, 64);
        MemorySegment.copy(v, 0, seg, Tensor.F32_LE, 0, v.length);
        return new Tensor(DType.F32, new long[] {n, k}, seg);
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1 - rnd.nextDouble(), u2 = rnd.nextDouble(), rad = Math.sqrt(-2 * Math.log(u1));
            a[i] = (float) (std * rad * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) a[i + 1] = (float) (std * rad * Math.sin(2 * Math.PI * u2));
        }
        return a;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
