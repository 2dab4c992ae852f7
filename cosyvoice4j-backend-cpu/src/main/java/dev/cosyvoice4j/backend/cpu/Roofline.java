package dev.cosyvoice4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * This machine's measured limits, to express kernel speeds as a fraction of what the hardware gives:
 * float32 FMA peak (Vector API, independent register accumulators) and memory read bandwidth (streaming sum
 * over a buffer much larger than the caches), each with one thread and with all pool threads. Each figure is
 * the best of several short repetitions (the machine may be shared; the bandwidth ones spread over ~2 s);
 * {@link #measure(KernelPool)} takes ~3-4 s.
 *
 * @param threads          participants of the "all" figures
 * @param gflopsOneThread  fp32 GFLOP/s (2 per FMA lane) of one thread
 * @param gflopsAllThreads fp32 GFLOP/s of all threads together
 * @param readGBsOneThread memory read GB/s (10^9 bytes) of one thread
 * @param readGBsAllThreads memory read GB/s of all threads together
 */
public record Roofline(int threads, double gflopsOneThread, double gflopsAllThreads, double readGBsOneThread,
                       double readGBsAllThreads) {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Read buffer: well past any L3 this code is likely to meet (32 MiB per CCD here). */
    private static final long READ_BYTES = 128L << 20;

    private static final int READ_REPS = 20;
    private static final long READ_SPREAD_MS = 2000;

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Measures with the pool's threads. */
    public static Roofline measure(KernelPool pool) {
        int threads = pool.threads();
        double fma1 = 0, fmaN = 0, rd1 = 0, rdN = 0;
        warmUp();
        for (int rep = 0; rep < 6; rep++) {
            fma1 = Math.max(fma1, fmaGflops(pool, 1));
            if (threads > 1) fmaN = Math.max(fmaN, fmaGflops(pool, threads));
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(READ_BYTES, 64);
            buf.fill((byte) 1);
            // compile the read loop first (on an L2-sized piece): a cold loop measured a third of the bandwidth
            for (int i = 0; i < 400; i++) sink = sum(buf, 0, PIECE / 4);
            // spread over ~2 s: this VM's bandwidth changes from one second to the next (25-76 GB/s by this probe),
            // and a limit is the best the machine showed (back-to-back repetitions all saw the same phase)
            for (int rep = 0; rep < READ_REPS; rep++) {
                rd1 = Math.max(rd1, readGBs(pool, buf, 1));
                if (threads > 1) rdN = Math.max(rdN, readGBs(pool, buf, threads));
                pause(READ_SPREAD_MS / READ_REPS);
            }
        }
        return new Roofline(threads, fma1, threads > 1 ? fmaN : fma1, rd1, threads > 1 ? rdN : rd1);
    }

    /** Measures with a temporary pool of {@code threads}. */
    public static Roofline measure(int threads) {
        try (KernelPool pool = new KernelPool(threads, CpuOptions.DEFAULT_SPIN_MICROS)) {
            return measure(pool);
        }
    }

    /** Peak GFLOP/s for a kernel run with {@code threads} threads (linear between the 1-thread and all figures). */
    public double peakGflops(int usedThreads) {
        return usedThreads <= 1 ? gflopsOneThread : Math.min(gflopsAllThreads, gflopsOneThread * usedThreads);
    }

    /** Read bandwidth GB/s for {@code threads} threads. */
    public double readGBs(int usedThreads) {
        return usedThreads <= 1 ? readGBsOneThread : readGBsAllThreads;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "fp32 FMA peak %.1f GFLOP/s (1 thread), %.1f GFLOP/s (%d threads); "
                + "memory read %.1f GB/s (1 thread), %.1f GB/s (%d threads)",
                gflopsOneThread, gflopsAllThreads, threads, readGBsOneThread, readGBsAllThreads, threads);
    }

    // ---- probes -----------------------------------------------------------------------------------------------

    private static volatile float sink;

    /** Gets both probe loops compiled by C2 with tiny calls (interpreted / C1 Vector API code is ~100x slower). */
    private static void warmUp() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(4096, 64);
            float s = 0;
            for (int i = 0; i < 30_000; i++) {
                s += fmaLoop(8);
                s += sum(small, 0, small.byteSize());
            }
            sink = s;
        }
    }

    private static double fmaGflops(KernelPool pool, int participants) {
        long iters = 20_000, calls = 40; // short calls so that C2 compiles fmaLoop early; ~0.3 GFLOP per participant
        long t0 = System.nanoTime();
        if (participants == 1) {
            for (int c = 0; c < calls; c++) sink = fmaLoop(iters);
        } else {
            pool.parallelFor(participants, i -> {
                for (int c = 0; c < calls; c++) sink = fmaLoop(iters);
            });
        }
        long dt = System.nanoTime() - t0;
        return 2.0 * 16 * L * iters * calls * participants / dt;
    }

    /** 16 independent FMA chains (4-cycle latency x 2 pipes needs >= 8): throughput bound. */
    private static float fmaLoop(long iters) {
        float[] init = new float[2 * L];
        java.util.Arrays.fill(init, 0, L, 0.999f);
        java.util.Arrays.fill(init, L, 2 * L, 1e-3f);
        // vectors from fromArray have an exact class, so every fma below is intrinsified
        FloatVector a = FloatVector.fromArray(F, init, 0), b = FloatVector.fromArray(F, init, L);
        FloatVector c0 = b.add(1f), c1 = c0.add(1f), c2 = c0.add(2f), c3 = c0.add(3f);
        FloatVector c4 = c0.add(4f), c5 = c0.add(5f), c6 = c0.add(6f), c7 = c0.add(7f);
        FloatVector c8 = c0.add(8f), c9 = c0.add(9f), c10 = c0.add(10f), c11 = c0.add(11f);
        FloatVector c12 = c0.add(12f), c13 = c0.add(13f), c14 = c0.add(14f), c15 = c0.add(15f);
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
            c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .add(c12).add(c13).add(c14).add(c15).reduceLanes(VectorOperators.ADD);
    }

    private static double readGBs(KernelPool pool, MemorySegment buf, int participants) {
        long per = buf.byteSize() / participants / PIECE * PIECE;
        long t0 = System.nanoTime();
        if (participants == 1) {
            sink = sumPieces(buf, 0, per);
        } else {
            pool.parallelFor(participants, i -> sink = sumPieces(buf, i * per, per));
        }
        long dt = System.nanoTime() - t0;
        return (double) per * participants / dt;
    }

    private static final long PIECE = 1 << 20;

    private static float sumPieces(MemorySegment buf, long from, long bytes) {
        float s = 0;
        for (long o = from; o < from + bytes; o += PIECE) s += sum(buf, o, PIECE);
        return s;
    }

    private static float sum(MemorySegment buf, long from, long bytes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long step = 4L * L * Float.BYTES, end = from + bytes - step;
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (long o = from; o <= end; o += step) {
            a0 = FloatVector.fromMemorySegment(F, buf, o, le).add(a0);
            a1 = FloatVector.fromMemorySegment(F, buf, o + (long) L * Float.BYTES, le).add(a1);
            a2 = FloatVector.fromMemorySegment(F, buf, o + 2L * L * Float.BYTES, le).add(a2);
            a3 = FloatVector.fromMemorySegment(F, buf, o + 3L * L * Float.BYTES, le).add(a3);
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    /** Prints the probe: {@code java --add-modules jdk.incubator.vector ... Roofline [threads]}. */
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        long t0 = System.nanoTime();
        Roofline r = measure(threads);
        System.out.printf(Locale.ROOT, "%s (probe took %.1f s)%n", r, (System.nanoTime() - t0) / 1e9);
    }
}
