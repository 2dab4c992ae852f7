package dev.cosyvoice4j.server;

import com.sun.management.GcInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The two figures a long run needs that Micrometer's JVM binders lack: the heap in use right after the most recent
 * garbage collection (the live set plus whatever survived it; a rising floor is a leak, the sawtooth between
 * collections is not), and the resident set of the process (heap, metaspace, code cache, thread stacks, mapped
 * weights and native memory together: what the operating system sees). Prometheus names:
 * {@code cosyvoice4j_jvm_heap_after_gc_bytes} and {@code process_resident_memory_bytes} (the client libraries'
 * conventional name). NaN where the platform does not tell (no {@code /proc}, no GC yet).
 */
final class ProcessGauges {
    static final Path PROC_STATUS = Path.of("/proc/self/status");

    private ProcessGauges() {}

    static void bindTo(MeterRegistry registry) {
        Gauge.builder("cosyvoice4j_jvm_heap_after_gc", ProcessGauges::heapAfterLastGcBytes).baseUnit("bytes")
                .description("heap in use at the end of the most recent garbage collection").register(registry);
        Gauge.builder("process_resident_memory", ProcessGauges::residentBytes).baseUnit("bytes")
                .description("resident set size of the server process (VmRSS)").register(registry);
    }

    /** Heap in use at the end of the latest collection of any collector (young or full), over the heap's pools. */
    static double heapAfterLastGcBytes() {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        GcInfo latest = null;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof com.sun.management.GarbageCollectorMXBean g)) continue;
            GcInfo info = g.getLastGcInfo();
            if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) latest = info;
        }
        if (latest == null) return Double.NaN;
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : latest.getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) used += e.getValue().getUsed();
        }
        return used;
    }

    /** VmRSS of {@code /proc/self/status} in bytes (Linux); NaN elsewhere. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(PROC_STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024.0;                  // "VmRSS:   123456 kB"
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc hidden: the gauge says so by NaN
        }
        return Double.NaN;
    }
}
