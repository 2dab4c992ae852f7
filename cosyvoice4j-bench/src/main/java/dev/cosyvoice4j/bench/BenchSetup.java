package dev.cosyvoice4j.bench;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a {@link BenchTarget} is built with (one model load per distinct setup): the model directory, compute
 * threads, backend name (e.g. "cpu") and precision (e.g. "fp32"); the last two are passed through as given.
 * {@code quantCacheDir}: where quantised weights are kept between loads (null: quantised at every load).
 */
public record BenchSetup(Path modelDir, int threads, String backend, String precision, Path quantCacheDir) {
    public BenchSetup(Path modelDir, int threads, String backend, String precision) {
        this(modelDir, threads, backend, precision, null);
    }

    public BenchSetup withQuantCacheDir(Path dir) { return new BenchSetup(modelDir, threads, backend, precision, dir); }

    public BenchSetup {
        Objects.requireNonNull(modelDir, "modelDir");
        if (threads < 1) throw new IllegalArgumentException("--threads: must be >= 1, got " + threads);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(precision, "precision");
    }
}
