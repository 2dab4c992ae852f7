package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.PtWriter;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The quantised LLM matrices of one {@code llm.pt}, kept between loads in a cache directory: a PyTorch archive
 * (written by {@link PtWriter}, read by the same memory-mapped loader as the model) of uint8 tensors holding each
 * matrix's ggml block bytes as {@code [rows, k / 32 * blockBytes]}. A later load maps them instead of quantising
 * ~360 M weights into fresh memory (Q8_0: 3-5 s -> well under a second on the 2-core VMs).
 *
 * <p>The file name is a hash of the source's real path, size and modification time, the block type and
 * {@link #FORMAT}: a changed {@code llm.pt} gets a new file (old ones are left for the user to delete). A cache that
 * cannot be read, or lacks or mis-shapes a matrix, is ignored (the matrix is quantised again) and rewritten; a cache
 * that cannot be written only costs the next load its time. Files appear atomically (PtWriter: temp + rename).
 */
final class QuantizedLlmCache {
    /** Bumped whenever the stored bytes would differ (quantisation rounding, layout). */
    static final int FORMAT = 1;

    private final Path file;
    private final DType type;
    private final WeightStore cached;
    private final Consumer<String> log;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private boolean complete = true;

    private QuantizedLlmCache(Path file, DType type, WeightStore cached, Consumer<String> log) {
        this.file = file;
        this.type = type;
        this.cached = cached;
        this.log = log;
    }

    /**
     * The cache of {@code llmPt} at {@code precision} in {@code dir}, or null when there is nothing to cache (no
     * directory, or float32 weights). An existing file is opened (memory-mapped) and registered with {@code owner},
     * which must close it with the engine.
     */
    static QuantizedLlmCache open(Path dir, Path llmPt, Precision precision,
                                  Consumer<AutoCloseable> owner, Consumer<String> log) {
        DType type = blockType(precision);
        if (dir == null || type == null) return null;
        Path file;
        try {
            file = file(dir, llmPt, type);
        } catch (IOException e) {
            log.accept("quantised-weight cache not used: " + e.getMessage());
            return null;
        }
        WeightStore cached = null;
        if (Files.isRegularFile(file)) {
            try {
                cached = WeightStore.openPt(file);
                owner.accept(cached);
            } catch (ModelFormatException e) {
                log.accept("ignoring unreadable quantised-weight cache (it will be rewritten): " + e.getMessage());
            }
        }
        return new QuantizedLlmCache(file, type, cached, log);
    }

    /** The ggml block type of the LLM matrices at {@code precision}; null when they are not block-quantised. */
    static DType blockType(Precision precision) {
        return switch (precision) {
            case Q8_0 -> DType.Q8_0;
            case Q4_0 -> DType.Q4_0;
            case F32, BF16 -> null;
        };
    }

    /** The cache file for {@code llmPt} quantised to {@code type}. */
    static Path file(Path dir, Path llmPt, DType type) throws IOException {
        Path real = llmPt.toRealPath();
        String key = FORMAT + "\n" + real + "\n" + Files.size(real) + "\n" + Files.getLastModifiedTime(real).toMillis()
                + "\n" + type;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve("llm-" + HexFormat.of().formatHex(digest, 0, 10) + "." + type.name().toLowerCase(Locale.ROOT) + ".pt");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    Path file() { return file; }

    /** Whether the load found a usable cache file. */
    boolean hit() { return cached != null && complete; }

    /**
     * Wraps the quantising transform: a matrix the cache holds (same name and block shape) is its mapped bytes;
     * anything else goes through {@code quantize}, and what it quantises is remembered for {@link #saveIfNeeded()}.
     */
    BiFunction<String, Tensor, Tensor> transform(BiFunction<String, Tensor, Tensor> quantize) {
        return (name, t) -> {
            Tensor fromCache = cachedBlocks(name, t);
            if (fromCache != null) {
                synchronized (tensors) { tensors.put(name, fromCache); }
                return fromCache;
            }
            Tensor q = quantize.apply(name, t);
            if (q != t) {
                synchronized (tensors) {
                    tensors.put(name, q);
                    complete = false;
                }
            }
            return q;
        };
    }

    private Tensor cachedBlocks(String name, Tensor t) {
        if (cached == null || !cached.has(name) || t.rank() != 2 || t.dim(1) % type.blockSize() != 0) return null;
        Tensor c = cached.takeAnyShape(name);
        if (c.dtype() != DType.U8 || !c.hasShape(t.dim(0), type.storageBytes(t.dim(1)))) return null;
        return new Tensor(type, t.shape(), c.data());
    }

    /** Writes the cache file when this load quantised anything; a failure is logged, not thrown. */
    void saveIfNeeded() {
        List<PtWriter.Entry> entries = new ArrayList<>();
        synchronized (tensors) {
            if (complete || tensors.isEmpty()) return;
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor q = e.getValue();
                long[] blocks = {q.dim(0), type.storageBytes(q.dim(1))};
                entries.add(new PtWriter.Entry(e.getKey(), DType.U8, blocks, PtWriter.DataSource.of(q)));
            }
        }
        try {
            Files.createDirectories(file.getParent());
            PtWriter.write(file, entries);
            log.accept("quantised LLM weights saved to " + file + " (later loads map them)");
        } catch (IOException | RuntimeException e) {
            log.accept("could not write the quantised-weight cache " + file + ": " + e);
        }
    }
}
