package dev.cosyvoice4j.bench;

/**
 * The benchmark's monotonic time source, in nanoseconds. The runner and every {@link TraceRecorder} read the
 * same clock, so tests drive a whole benchmark with a fake one (no test times real work).
 */
@FunctionalInterface
public interface BenchClock {
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static BenchClock system() { return System::nanoTime; }
}
