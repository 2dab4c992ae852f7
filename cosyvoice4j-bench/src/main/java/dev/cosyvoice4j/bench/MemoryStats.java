package dev.cosyvoice4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process memory (bytes; -1 = unknown): peak and current resident set from {@code /proc/self/status}
 * (VmHWM, VmRSS; memory-mapped weights that were touched count here), and the JVM heap's peak use (sum of the
 * heap pools' peaks) and its limit (-Xmx). Both peaks are process-wide high-water marks; {@link Probe#resetPeaks()}
 * starts new ones (Linux: {@code /proc/self/clear_refs}), which the bench does before each model load so that every
 * setup of a grid reports its own peak.
 */
public record MemoryStats(long peakRssBytes, long rssBytes, long heapPeakBytes, long heapMaxBytes) {
    /** Reads the current values. */
    @FunctionalInterface
    public interface Probe {
        MemoryStats snapshot();

        /** Makes later peaks cover only what follows (no-op where the platform cannot). */
        default void resetPeaks() {}

        static Probe system() {
            return new Probe() {
                @Override
                public MemoryStats snapshot() { return current(); }

                @Override
                public void resetPeaks() { MemoryStats.resetPeaks(); }
            };
        }
    }

    /** Resets VmHWM to the current resident set ("5" to /proc/self/clear_refs, Linux 4.0+) and the heap pools' peaks. */
    public static void resetPeaks() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not permitted: the resident peak stays process-wide
        }
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }
    }

    public static MemoryStats current() {
        long hwm = -1, rss = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) hwm = kb(line);
                else if (line.startsWith("VmRSS:")) rss = kb(line);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave unknown
        }
        long heapPeak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) heapPeak += p.getPeakUsage().getUsed();
        }
        return new MemoryStats(hwm, rss, heapPeak, Runtime.getRuntime().maxMemory());
    }

    /** "VmHWM:   123456 kB" -> bytes. */
    static long kb(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }
}
