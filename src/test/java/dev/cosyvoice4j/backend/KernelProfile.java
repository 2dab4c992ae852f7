package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bench helper: a {@link Kernels} proxy that sums wall time per kernel method ({@code linear} split by row count and
 * weight shape, {@code attention} by query rows) and counts conv1d MACs. A dynamic proxy, so new Kernels methods need
 * no change here. Thread-safe: with {@link Kernels#parallelTasks} the times of concurrent tasks add up (compare with
 * threads x wall time), and the parallelTasks entry itself covers the whole split part.
 */
public final class KernelProfile {
    private final Kernels target;
    private final Map<String, long[]> nanos = new ConcurrentHashMap<>();
    private final AtomicLong convMacs = new AtomicLong();

    public KernelProfile(Kernels target) { this.target = target; }

    public Kernels proxy() {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, (p, m, a) -> {
            String key = m.getName();
            if (key.equals("linear") && a[3] instanceof Tensor w) key = "linear " + a[2] + "x" + w.dim(1) + "->" + w.dim(0);
            if (key.equals("attention")) key = "attention tq" + a[4];
            if (key.equals("conv1d") && a[4] instanceof Tensor w && a[6] instanceof ConvSpec spec) {
                convMacs.addAndGet((long) w.dim(0) * w.dim(1) * w.dim(2) * spec.outLength((int) a[3], w.dim(2)));
            }
            long t0 = System.nanoTime();
            try {
                return m.invoke(target, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                long[] v = nanos.computeIfAbsent(key, x -> new long[2]);
                synchronized (v) {
                    v[0] += System.nanoTime() - t0;
                    v[1]++;
                }
            }
        });
    }

    /** Kernel time in total (parallelTasks and the trivial getters left out), nanoseconds. */
    public long totalNanos() {
        long s = 0;
        for (var e : nanos.entrySet()) if (!isMeta(e.getKey())) s += e.getValue()[0];
        return s;
    }

    /** One row per kernel: calls, milliseconds and share of {@code totalSeconds}, then what ran outside the kernels. */
    public String report(double totalSeconds) {
        StringBuilder sb = new StringBuilder();
        for (var e : new TreeMap<>(nanos).entrySet()) {
            sb.append(String.format("  %-32s %5d calls %8.1f ms %5.1f%%%n", e.getKey(), e.getValue()[1], e.getValue()[0] / 1e6,
                    100 * e.getValue()[0] / 1e9 / totalSeconds));
        }
        if (convMacs.get() > 0) {
            long conv = nanos.getOrDefault("conv1d", new long[2])[0];
            sb.append(String.format("  conv1d: %.1f GMAC, %.2f GMAC/s%n", convMacs.get() / 1e9, convMacs.get() / (double) Math.max(1, conv)));
        }
        sb.append(String.format("  %-32s %8.1f ms%n", "outside kernels", (totalSeconds * 1e9 - totalNanos()) / 1e6));
        return sb.toString();
    }

    public void reset() {
        nanos.clear();
        convMacs.set(0);
    }

    private static boolean isMeta(String name) {
        return name.equals("parallelTasks") || name.equals("threads") || name.equals("taskThreads");
    }
}
