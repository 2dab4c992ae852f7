package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per {@link Kernels} method (linear split by weight shape and row count): what a call spends where. With
 * {@link Kernels#parallelTasks} the times of concurrent tasks add up (compare with threads x wall time); the
 * parallelTasks entry itself then covers the whole split part.
 */
public final class KernelProfile {
    private final Kernels target;
    private final Map<String, long[]> nanos = new java.util.concurrent.ConcurrentHashMap<>();

    public KernelProfile(Kernels target) { this.target = target; }

    public Kernels proxy() {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, (p, m, a) -> {
            String key = m.getName();
            if (key.equals("linear") && a[3] instanceof Tensor w) key = "linear " + a[2] + "x" + w.dim(1) + "->" + w.dim(0);
            if (key.equals("attention")) key = "attention tq" + a[4];
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

    public String report(double totalSeconds) {
        StringBuilder sb = new StringBuilder();
        long sum = 0;
        for (var e : new TreeMap<>(nanos).entrySet()) {
            sum += e.getValue()[0];
            sb.append(String.format("  %-32s %5d calls %8.1f ms %5.1f%%%n", e.getKey(), e.getValue()[1], e.getValue()[0] / 1e6,
                    100 * e.getValue()[0] / 1e9 / totalSeconds));
        }
        sb.append(String.format("  %-32s %8.1f ms %5.1f%%%n", "outside kernels", (totalSeconds * 1e9 - sum) / 1e6, 100 * (1 - sum / 1e9 / totalSeconds)));
        return sb.toString();
    }

    public void reset() { nanos.clear(); }
}
