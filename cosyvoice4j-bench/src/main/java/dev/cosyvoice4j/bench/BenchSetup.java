package dev.cosyvoice4j.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link BenchTarget} is built with (one model load per distinct setup): the model directory, compute
 * threads, backend name (e.g. "cpu") and precision (e.g. "fp32"); the last two are passed through as given.
 * {@code quantCacheDir}: where quantised weights are kept between loads (null: quantised at every load).
 */
public record BenchSetup(Path modelDir, int threads, String backend, String precision, Path quantCacheDir, String streamCache) {
    /** {@code --stream-cache} values: DiT caches with the official final chunk, caches with a chunk-causal final, none. */
    public static final List<String> STREAM_CACHES = List.of("on", "causal", "off");

    public BenchSetup(Path modelDir, int threads, String backend, String precision) {
        this(modelDir, threads, backend, precision, null, "on");
    }

    public BenchSetup(Path modelDir, int threads, String backend, String precision, Path quantCacheDir) {
        this(modelDir, threads, backend, precision, quantCacheDir, "on");
    }

    public BenchSetup withQuantCacheDir(Path dir) { return new BenchSetup(modelDir, threads, backend, precision, dir, streamCache); }

    public BenchSetup withStreamCache(String s) { return new BenchSetup(modelDir, threads, backend, precision, quantCacheDir, s); }

    public BenchSetup {
        Objects.requireNonNull(modelDir, "modelDir");
        if (threads < 1) throw new IllegalArgumentException("--threads: must be >= 1, got " + threads);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(precision, "precision");
        if (!STREAM_CACHES.contains(streamCache)) throw new IllegalArgumentException("--stream-cache: '" + streamCache + "' is not on, causal or off");
    }
}
