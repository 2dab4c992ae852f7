package dev.cosyvoice4j.golden;

import dev.cosyvoice4j.backend.Backend;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What golden stages share during one verify run: the manifest, the model directory it names, and a cache
 * of loaded components (a model is loaded once per run, not once per case). Closes cached
 * {@link AutoCloseable} components at the end.
 */
public final class GoldenContext implements AutoCloseable {
    private final GoldenManifest manifest;
    private final Path modelDir;
    private final Backend backend;
    private final Map<String, Object> cache = new ConcurrentHashMap<>();

    public GoldenContext(GoldenManifest manifest, Path modelDir, Backend backend) {
        this.manifest = manifest;
        this.modelDir = modelDir;
        this.backend = backend;
    }

    /** The backend every stage computes on in this run. */
    public Backend backend() { return backend; }

    public GoldenManifest manifest() { return manifest; }

    public Path modelDir() { return modelDir; }

    /** The component cached under {@code key}, created by {@code loader(modelDir)} on first use. */
    @SuppressWarnings("unchecked")
    public <T> T component(String key, Function<Path, T> loader) {
        Object v = cache.get(key);
        if (v == null) {
            v = loader.apply(modelDir);
            Object prev = cache.putIfAbsent(key, v);
            if (prev != null) v = prev;
        }
        return (T) v;
    }

    @Override
    public void close() {
        for (Object v : cache.values()) {
            if (v instanceof AutoCloseable c) {
                try { c.close(); } catch (Exception ignored) { /* best effort at shutdown */ }
            }
        }
        cache.clear();
    }
}
