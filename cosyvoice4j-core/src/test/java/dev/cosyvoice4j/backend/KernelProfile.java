package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bench helper: a {@link Backend} proxy that sums wall time per operation ({@code linear} split by row count and
 * weight shape, {@code attention} by query rows) and counts conv1d MACs. A dynamic proxy, so new Backend methods need
 * no change here. Thread-safe: inside {@link Backend#parts} / {@link Backend#rowRanges} the times of concurrent tasks
 * add up (compare with threads x wall time); those two entries cover their whole parts and are left out of
 * {@link #totalNanos}, as are the identity getters. Calls a backend makes on itself (a default method calling
 * {@code alloc}) are not seen.
 */
public final class KernelProfile {
    /** Methods that are scheduling or identity, not computation. */
    private static final Set<String> META = Set.of("parts", "rowRanges", "name", "description", "threads", "supports", "close");

    private final Backend target;
    private final Map<String, long[]> nanos = new ConcurrentHashMap<>();
    private final AtomicLong convMacs = new AtomicLong();

    public KernelProfile(Backend target) { this.target = target; }

    /** A Backend that forwards every call to the target and times it. */
    public Backend proxy() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (p, m, a) -> {
            if (m.getDeclaringClass() == Object.class) return objectMethod(p, m, a);
            String key = key(m, a);
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

    private Object objectMethod(Object proxy, Method m, Object[] a) {
        return switch (m.getName()) {
            case "equals" -> proxy == a[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "profiled " + target;
        };
    }

    /** linear(out, x, w, bias), attention(out, q, ...), conv1d(out, x, w, bias, spec). */
    private String key(Method m, Object[] a) {
        String name = m.getName();
        if (name.equals("linear") && a[1] instanceof Buf x && a[2] instanceof Tensor w && w.rank() == 2) {
            return "linear " + x.rows() + "x" + w.dim(1) + "->" + w.dim(0);
        }
        if (name.equals("attention") && a[1] instanceof Buf q) return "attention tq" + q.rows();
        if (name.equals("conv1d") && a[0] instanceof Buf out && a[2] instanceof Tensor w && w.rank() == 3) {
            convMacs.addAndGet((long) w.dim(0) * w.dim(1) * w.dim(2) * out.cols());
        }
        return name;
    }

    /** Operation time in total (parts, rowRanges and the trivial getters left out), nanoseconds. */
    public long totalNanos() {
        long s = 0;
        for (var e : nanos.entrySet()) if (!META.contains(e.getKey())) s += e.getValue()[0];
        return s;
    }

    /** One row per operation: calls, milliseconds and share of {@code totalSeconds}, then what ran outside them. */
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
        sb.append(String.format("  %-32s %8.1f ms%n", "outside operations", (totalSeconds * 1e9 - totalNanos()) / 1e6));
        return sb.toString();
    }

    public void reset() {
        nanos.clear();
        convMacs.set(0);
    }
}
