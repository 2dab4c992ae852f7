package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Kernels} proxy that sums the wall time per kernel method and the conv1d MACs (bench only, not
 * thread-safe). A dynamic proxy, so new Kernels methods need no change here.
 */
final class ProfilingKernels {
    final Map<String, Long> nanos = new TreeMap<>();
    long convMacs;
    final Kernels kernels;

    ProfilingKernels(Kernels delegate) {
        this.kernels = (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, m, args) -> {
                    long a = System.nanoTime();
                    try {
                        return m.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        nanos.merge(m.getName(), System.nanoTime() - a, Long::sum);
                        if (m.getName().equals("conv1d")) {
                            Tensor w = (Tensor) args[4];
                            ConvSpec spec = (ConvSpec) args[6];
                            convMacs += (long) w.dim(0) * w.dim(1) * w.dim(2) * spec.outLength((int) args[3], w.dim(2));
                        }
                    }
                });
    }

    void reset() {
        nanos.clear();
        convMacs = 0;
    }

    long total() { return nanos.entrySet().stream().filter(e -> !e.getKey().equals("threads")).mapToLong(Map.Entry::getValue).sum(); }

    String summary() {
        long conv = nanos.getOrDefault("conv1d", 0L);
        StringBuilder sb = new StringBuilder(String.format("conv1d %.3f s (%.1f GMAC, %.2f GMAC/s)", conv / 1e9,
                convMacs / 1e9, convMacs / (double) Math.max(1, conv)));
        nanos.forEach((name, n) -> {
            if (!name.equals("conv1d") && !name.equals("threads")) sb.append(String.format(", %s %.3f s", name, n / 1e9));
        });
        return sb.toString();
    }
}
