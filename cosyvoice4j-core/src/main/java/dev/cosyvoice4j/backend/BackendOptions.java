package dev.cosyvoice4j.backend;

import java.nio.file.Path;

/**
 * How a backend is opened. Everything that changes a backend's behaviour is here (no system properties).
 *
 * @param threads         compute threads (the calling thread counts as one)
 * @param oneDnnLibrary   a {@code libdnnl} to use for bf16 products instead of the bundled one / the system's; null = search
 * @param ompWaitPolicy   {@code OMP_WAIT_POLICY} for oneDNN's OpenMP workers when the environment does not set it
 *                        ({@code PASSIVE}: idle workers sleep instead of spinning on the cores the Java kernels need);
 *                        null or "default" = leave it to libgomp
 */
public record BackendOptions(int threads, Path oneDnnLibrary, String ompWaitPolicy) {
    public BackendOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** One thread per available processor, oneDNN searched, passive OpenMP workers. */
    public static BackendOptions defaults() {
        return new BackendOptions(Runtime.getRuntime().availableProcessors(), null, "PASSIVE");
    }

    public BackendOptions withThreads(int n) { return new BackendOptions(n, oneDnnLibrary, ompWaitPolicy); }

    public BackendOptions withOneDnnLibrary(Path p) { return new BackendOptions(threads, p, ompWaitPolicy); }
}
