package dev.cosyvoice4j.backend.cpu;

/**
 * Settings of a {@link KernelPool} (the cpu backend's threads).
 *
 * @param threads    participants in parallel kernels (the calling thread plus {@code threads - 1} pool threads)
 * @param spinMicros how long an idle pool thread busy-waits for the next job before parking; decode-time kernels
 *                   last microseconds, so a short spin avoids a park/unpark round trip between consecutive calls,
 *                   while a long spin would steal the CPU from other sessions' threads
 */
public record CpuOptions(int threads, int spinMicros) {
    public CpuOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (spinMicros < 0) throw new IllegalArgumentException("spinMicros must be >= 0, got " + spinMicros);
    }

    /** Default spin of idle pool threads (microseconds). */
    public static final int DEFAULT_SPIN_MICROS = 100;

    public CpuOptions(int threads) { this(threads, DEFAULT_SPIN_MICROS); }

    /** One participant per available processor. */
    public static CpuOptions defaults() { return new CpuOptions(Runtime.getRuntime().availableProcessors()); }
}
