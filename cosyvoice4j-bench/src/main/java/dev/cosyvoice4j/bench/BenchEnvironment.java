package dev.cosyvoice4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Where a benchmark ran: date, CPU model and logical cores (/proc/cpuinfo), RAM (/proc/meminfo), OS, JDK and
 * the JVM's flags (RuntimeMXBean input arguments), and the Vector API's preferred float species (its bit
 * width decides the SIMD lanes; -1 when jdk.incubator.vector is not loaded), and the system load average when
 * the report was made (/proc/loadavg, 1/5/15 min; "" if unknown): other work on the machine skews every number.
 */
public record BenchEnvironment(String date, String cpuModel, int logicalCores, long memTotalBytes, String os,
                               String arch, String javaVersion, String javaVm, List<String> jvmArgs,
                               int vectorBitSize, String vectorSpecies, String loadAverage) {
    public BenchEnvironment {
        jvmArgs = List.copyOf(jvmArgs);
    }

    public static BenchEnvironment capture() {
        String cpu = procValue("/proc/cpuinfo", "model name");
        String mem = procValue("/proc/meminfo", "MemTotal");
        long memBytes = -1;
        if (mem != null) {
            try { memBytes = MemoryStats.kb("x " + mem); } catch (RuntimeException ignored) { /* unknown */ }
        }
        int bits = -1;
        String species = "unavailable (run with --add-modules jdk.incubator.vector)";
        try {
            var s = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            bits = s.vectorBitSize();
            species = s.length() + " x fp32 lanes (" + s + ")";
        } catch (LinkageError ignored) {
            // module not resolved at run time
        }
        return new BenchEnvironment(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                cpu != null ? cpu : System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), memBytes,
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("os.arch"),
                Runtime.version().toString(), System.getProperty("java.vm.name") + " (" + System.getProperty("java.vm.vendor") + ")",
                ManagementFactory.getRuntimeMXBean().getInputArguments(), bits, species, readLoadAverage());
    }

    static String readLoadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The value of the first "key : value" line of a /proc file, or null. */
    static String procValue(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return null;
    }
}
