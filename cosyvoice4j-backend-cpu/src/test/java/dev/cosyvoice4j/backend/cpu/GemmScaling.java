package dev.cosyvoice4j.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Not a unit test: GEMM throughput at a DiT shape, one 2-thread GEMM vs two concurrent 1-thread GEMMs (the DiT's
 * CFG rows on separate threads), with the weights in native memory or memory-mapped from a file (as the engine).
 * {@code GemmScaling N M [mapped]}.
 */
public final class GemmScaling {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]), m = Integer.parseInt(args[1]), k = 1024;
        boolean mapped = args.length > 2 && args[2].equals("mapped");
        SplittableRandom r = new SplittableRandom(1);
        MemorySegment w1 = weights(r, n, k, mapped), w2 = weights(r, n, k, mapped);
        MemorySegment[] many = new MemorySegment[48];   // 48 x 4 MB: each GEMM reads its weight from DRAM, as in the DiT
        for (int i = 0; i < many.length; i++) many[i] = weights(r, n, k, mapped);
        float[] x1 = new float[m * k], x2 = new float[m * k], c1 = new float[m * n], c2 = new float[m * n];
        for (int i = 0; i < x1.length; i++) { x1[i] = (float) r.nextDouble(); x2[i] = (float) r.nextDouble(); }
        KernelPool p2 = new KernelPool(2, 100), p1a = new KernelPool(1, 100), p1b = new KernelPool(1, 100);
        double gf = 2.0 * m * n * k / 1e9;
        for (int round = 0; round < 6; round++) {
            int reps = 60;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) Gemm.gemm(p2, c1, 0, new Gemm.ArrayA(x1, 0), m, n, k, new Gemm.SegmentNK(w1, n, k), null);
            double s2 = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) Gemm.gemm(p1a, c1, 0, new Gemm.ArrayA(x1, 0), m, n, k, new Gemm.SegmentNK(w1, n, k), null);
            double s1 = (System.nanoTime() - t0) / 1e9;
            double sSame = concurrent(p1a, p1b, reps, c1, c2, x1, x2, w1, w1, m, n, k);
            double sDiff = concurrent(p1a, p1b, reps, c1, c2, x1, x2, w1, w2, m, n, k);
            double sMany = concurrentMany(p1a, p1b, reps, c1, c2, x1, x2, many, m, n, k);
            System.out.printf("%s: 2-thread gemm %.0f GFLOP/s | 1-thread %.0f | two concurrent 1-thread gemms, same W %.0f, different W %.0f, W from DRAM %.0f%n",
                    mapped ? "mapped" : "native", reps * gf / s2, reps * gf / s1, 2 * reps * gf / sSame, 2 * reps * gf / sDiff, 2 * reps * gf / sMany);
        }
        System.exit(0);
    }

    static double concurrent(KernelPool pa, KernelPool pb, int reps, float[] c1, float[] c2, float[] x1, float[] x2,
                             MemorySegment wa, MemorySegment wb, int m, int n, int k) throws InterruptedException {
        Thread other = new Thread(() -> { for (int i = 0; i < reps; i++) Gemm.gemm(pb, c2, 0, new Gemm.ArrayA(x2, 0), m, n, k, new Gemm.SegmentNK(wb, n, k), null); });
        long t0 = System.nanoTime();
        other.start();
        for (int i = 0; i < reps; i++) Gemm.gemm(pa, c1, 0, new Gemm.ArrayA(x1, 0), m, n, k, new Gemm.SegmentNK(wa, n, k), null);
        other.join();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Both threads walk the same sequence of weights (as the two CFG rows walk the DiT's layers). */
    static double concurrentMany(KernelPool pa, KernelPool pb, int reps, float[] c1, float[] c2, float[] x1, float[] x2,
                                 MemorySegment[] w, int m, int n, int k) throws InterruptedException {
        Thread other = new Thread(() -> { for (int i = 0; i < reps; i++) Gemm.gemm(pb, c2, 0, new Gemm.ArrayA(x2, 0), m, n, k, new Gemm.SegmentNK(w[i % w.length], n, k), null); });
        long t0 = System.nanoTime();
        other.start();
        for (int i = 0; i < reps; i++) Gemm.gemm(pa, c1, 0, new Gemm.ArrayA(x1, 0), m, n, k, new Gemm.SegmentNK(w[i % w.length], n, k), null);
        other.join();
        return (System.nanoTime() - t0) / 1e9;
    }

    static MemorySegment weights(SplittableRandom r, int n, int k, boolean mapped) throws Exception {
        ByteBuffer bb = ByteBuffer.allocate(n * k * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n * k; i++) bb.putFloat((float) r.nextDouble());
        bb.flip();
        if (!mapped) return Arena.global().allocate(n * k * 4L, 64).copyFrom(MemorySegment.ofBuffer(bb));
        Path f = Files.createTempFile("gemm-w", ".bin");
        f.toFile().deleteOnExit();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(bb);
        }
        try (FileChannel ch = FileChannel.open(f)) {
            MemorySegment s = ch.map(FileChannel.MapMode.READ_ONLY, 0, n * k * 4L, Arena.global());
            return MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize(), Arena.global(), null).asReadOnly();
        }
    }
}
