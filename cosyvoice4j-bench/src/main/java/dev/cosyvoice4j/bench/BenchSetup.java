package dev.cosyvoice4j.bench;

import dev.cosyvoice4j.engine.FirstChunk;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link BenchTarget} is built with (one model load per distinct setup): the model directory, compute
 * threads, backend name (e.g. "cpu") and precision (e.g. "fp32"); the last two are passed through as given.
 * {@code quantCacheDir}: where quantised weights are kept between loads (null: quantised at every load).
 */
public record BenchSetup(Path modelDir, int threads, String backend, String precision, Path quantCacheDir, String streamCache,
                         String firstChunk) {
    /** {@code --stream-cache} values: DiT caches with the official final chunk, caches with a chunk-causal final, none. */
    public static final List<String> STREAM_CACHES = List.of("on", "causal", "off");
    /**
     * {@code --first-chunk} values: split when the utterance is expected to reach the official first chunk, the official
     * first chunk, or always split at the prompt's chunk grid (same samples in every case).
     */
    public static final List<String> FIRST_CHUNKS = Arrays.stream(FirstChunk.values()).map(FirstChunk::flag).toList();

    public BenchSetup(Path modelDir, int threads, String backend, String precision) {
        this(modelDir, threads, backend, precision, null, "on");
    }

    public BenchSetup(Path modelDir, int threads, String backend, String precision, Path quantCacheDir) {
        this(modelDir, threads, backend, precision, quantCacheDir, "on");
    }

    public BenchSetup(Path modelDir, int threads, String backend, String precision, Path quantCacheDir, String streamCache) {
        this(modelDir, threads, backend, precision, quantCacheDir, streamCache, FirstChunk.AUTO.flag());
    }

    public BenchSetup withQuantCacheDir(Path dir) {
        return new BenchSetup(modelDir, threads, backend, precision, dir, streamCache, firstChunk);
    }

    public BenchSetup withStreamCache(String s) {
        return new BenchSetup(modelDir, threads, backend, precision, quantCacheDir, s, firstChunk);
    }

    public BenchSetup withFirstChunk(String f) {
        return new BenchSetup(modelDir, threads, backend, precision, quantCacheDir, streamCache, f);
    }

    /** The label part of the non-default stream cache and first chunk ({@code ", stream-cache=causal"}; empty for defaults). */
    public String streamingLabel() {
        return (streamCache.equals("on") ? "" : ", stream-cache=" + streamCache) + (firstChunk.equals(FirstChunk.AUTO.flag()) ? "" : ", first-chunk=" + firstChunk);
    }

    public BenchSetup {
        Objects.requireNonNull(modelDir, "modelDir");
        if (threads < 1) throw new IllegalArgumentException("--threads: must be >= 1, got " + threads);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(precision, "precision");
        if (!STREAM_CACHES.contains(streamCache)) throw new IllegalArgumentException("--stream-cache: '" + streamCache + "' is not on, causal or off");
        if (!FIRST_CHUNKS.contains(firstChunk)) throw new IllegalArgumentException("--first-chunk: '" + firstChunk + "' is not auto, official or split");
        if (firstChunk.equals(FirstChunk.SPLIT.flag()) && streamCache.equals("off")) {
            throw new IllegalArgumentException("--first-chunk split needs the DiT caches (--stream-cache on or causal)");
        }
    }
}
