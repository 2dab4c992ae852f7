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
 * @param quantizedBf16Copies q8_0/q4_0 weights prepared for bf16 products (the LLM's prefill) get a bf16 copy in the
 *                        products' packed layout, made on first use: 2 bytes more per weight (716 MB for the 0.5B
 *                        LLM) for 1.4-1.9x faster products; false: the bf16 values are written from the blocks at
 *                        every product, no copy
 */
public record BackendOptions(int threads, Path oneDnnLibrary, String ompWaitPolicy, boolean quantizedBf16Copies) {
    public BackendOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** One thread per available processor, oneDNN searched, passive OpenMP workers, bf16 copies of quantised weights. */
    public static BackendOptions defaults() {
        return new BackendOptions(Runtime.getRuntime().availableProcessors(), null, "PASSIVE", true);
    }

    public BackendOptions withThreads(int n) { return new BackendOptions(n, oneDnnLibrary, ompWaitPolicy, quantizedBf16Copies); }

    public BackendOptions withOneDnnLibrary(Path p) { return new BackendOptions(threads, p, ompWaitPolicy, quantizedBf16Copies); }

    public BackendOptions withQuantizedBf16Copies(boolean on) { return new BackendOptions(threads, oneDnnLibrary, ompWaitPolicy, on); }
}
