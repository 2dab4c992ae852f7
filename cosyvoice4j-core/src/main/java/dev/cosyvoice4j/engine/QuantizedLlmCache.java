package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.PtWriter;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.StandardOpenOption;
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
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The quantised LLM matrices of one {@code llm.pt}, kept between loads in a cache directory: a PyTorch archive
 * (written by {@link PtWriter}, read by the same memory-mapped loader as the model) of uint8 tensors holding each
 * matrix's ggml block bytes as {@code [rows, k / 32 * blockBytes]}. A later load maps them instead of quantising
 * ~360 M weights into fresh memory (Q8_0: 3-5 s -> well under a second on the 2-core VMs).
 *
 * <p>The file is {@code llm-<source>-<version>.<type>.pt}: {@code source} hashes the real path of {@code llm.pt},
 * {@code version} its size, modification time and {@link #FORMAT}. The archive also holds {@value #CHECKSUM}, the
 * CRC32C of every other entry's name, shape and bytes, verified when the file is opened (~0.1 s per GB): a file
 * that cannot be read, fails its checksum, or lacks or mis-shapes a matrix is ignored (the matrices are quantised
 * again) and rewritten. Writing happens under an exclusive lock on {@code llm-<source>.lock} (other processes and
 * other engines of this process wait), to a temp file renamed into place (PtWriter); a writer that finds a valid
 * file already there (another process won the race) keeps it. After writing, the files of older versions of the
 * same {@code llm.pt} (and files named by the format-1 scheme, which nothing reads any more) are deleted. A cache
 * that cannot be written only costs the next load its time.
 */
final class QuantizedLlmCache {
    /** Bumped whenever the stored bytes would differ (quantisation rounding, layout). 2: the checksum entry. */
    static final int FORMAT = 2;
    /** The entry holding the CRC32C (an int64 [1]) of all other entries. */
    static final String CHECKSUM = "cosyvoice4j.crc32c";
    /** How long a writer waits for another one (a 400 MB file is written in seconds). */
    private static final long LOCK_WAIT_MS = 120_000;
    private static final Pattern FORMAT1_NAME = Pattern.compile("llm-[0-9a-f]{20}\\.(q8_0|q4_0)\\.pt");

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
                cached = openVerified(file);
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
        String version = FORMAT + "\n" + Files.size(real) + "\n" + Files.getLastModifiedTime(real).toMillis();
        return dir.resolve("llm-" + sourceKey(real) + "-" + hash(version) + "." + type.name().toLowerCase(Locale.ROOT) + ".pt");
    }

    /** The part of the file name that names the source {@code llm.pt} (its real path), shared by all its versions. */
    private static String sourceKey(Path realLlmPt) { return hash(realLlmPt.toString()); }

    private static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Opens a cache file and checks its {@value #CHECKSUM}; a missing or wrong checksum is a
     * {@link ModelFormatException} (the mapping is closed again).
     */
    static WeightStore openVerified(Path file) {
        WeightStore store = WeightStore.openPt(file);
        try {
            verify(file, store);
            return store;
        } catch (RuntimeException e) {
            closeQuietly(store);
            throw e;
        }
    }

    private static void verify(Path file, WeightStore store) {
        if (!store.has(CHECKSUM)) throw new ModelFormatException(file, "no checksum entry (written by an older version?)");
        Tensor sum = store.takeAnyShape(CHECKSUM);
        if (sum.dtype() != DType.I64 || !sum.hasShape(1)) {
            throw new ModelFormatException(file, "checksum entry is " + sum.dtype() + " " + java.util.Arrays.toString(sum.shape()));
        }
        long stored = sum.data().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        Map<String, Tensor> blocks = new LinkedHashMap<>();
        for (String name : store.names()) if (!name.equals(CHECKSUM)) blocks.put(name, store.takeAnyShape(name));
        long actual = checksum(blocks);
        if (actual != stored) {
            throw new ModelFormatException(file, String.format("checksum mismatch (stored %08x, data %08x): the file is damaged",
                    stored, actual));
        }
    }

    /** CRC32C over each entry's name, dtype, shape and bytes, in order. */
    static long checksum(Map<String, Tensor> entries) {
        CRC32C crc = new CRC32C();
        for (Map.Entry<String, Tensor> e : entries.entrySet()) {
            Tensor t = e.getValue();
            crc.update((e.getKey() + "\0" + t.dtype() + java.util.Arrays.toString(t.shape()) + "\0").getBytes(StandardCharsets.UTF_8));
            crc.update(t.data().asByteBuffer());
        }
        return crc.getValue();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // unmapping a read-only mapping does not fail in practice; nothing to recover
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

    /**
     * Writes the cache file when this load quantised anything, under the source's lock (see the class comment),
     * then deletes the files of older versions; a failure is logged, not thrown.
     */
    void saveIfNeeded() {
        Map<String, Tensor> blocks = new LinkedHashMap<>();
        synchronized (tensors) {
            if (complete || tensors.isEmpty()) return;
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor q = e.getValue();
                blocks.put(e.getKey(), new Tensor(DType.U8, new long[]{q.dim(0), type.storageBytes(q.dim(1))}, q.data()));
            }
        }
        List<PtWriter.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : blocks.entrySet()) entries.add(PtWriter.Entry.of(e.getKey(), e.getValue()));
        MemorySegment sum = MemorySegment.ofArray(new long[]{checksum(blocks)});
        entries.add(PtWriter.Entry.of(CHECKSUM, new Tensor(DType.I64, new long[]{1}, sum)));
        Path dir = file.getParent();
        String source = file.getFileName().toString().split("-")[1];
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve("llm-" + source + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lock(lockFile)) {
                if (ignored == null) {
                    log.accept("quantised-weight cache not written: another writer held " + dir.resolve("llm-" + source + ".lock")
                            + " for over " + LOCK_WAIT_MS / 1000 + " s");
                    return;
                }
                if (validCacheExists()) {
                    log.accept("quantised LLM weights were saved to " + file + " by another process meanwhile");
                } else {
                    PtWriter.write(file, entries);
                    log.accept("quantised LLM weights saved to " + file + " (later loads map them)");
                }
                deleteOlderVersions(dir, source);
            }
        } catch (IOException | RuntimeException e) {
            log.accept("could not write the quantised-weight cache " + file + ": " + e);
        }
    }

    /**
     * The exclusive lock on {@code ch}, waiting for other processes ({@link FileChannel#lock}) and for other channels
     * of this process (which the JVM refuses with {@link OverlappingFileLockException} instead of blocking); null
     * after {@link #LOCK_WAIT_MS}.
     */
    private static FileLock lock(FileChannel ch) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT_MS * 1_000_000;
        while (true) {
            try {
                FileLock l = ch.tryLock();
                if (l != null) return l;
            } catch (OverlappingFileLockException e) {
                // another engine of this JVM is writing: wait as for another process
            }
            if (System.nanoTime() > deadline) return null;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the cache lock", e);
            }
        }
    }

    private boolean validCacheExists() {
        if (!Files.isRegularFile(file)) return false;
        try {
            closeQuietly(openVerified(file));
            return true;
        } catch (ModelFormatException e) {
            return false;
        }
    }

    /** Deletes this source's files of other versions (any block type) and format-1 files; called under the lock. */
    private void deleteOlderVersions(Path dir, String source) throws IOException {
        String own = file.getFileName().toString();
        String version = own.split("-")[2].split("\\.")[0];
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "llm-*.pt")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                String[] parts = n.split("[-.]");
                boolean olderVersion = parts.length == 5 && parts[1].equals(source) && !parts[2].equals(version);
                if (olderVersion || FORMAT1_NAME.matcher(n).matches()) {
                    try {
                        Files.deleteIfExists(f);      // a process still mapping it keeps its pages until it unmaps
                        log.accept("deleted the outdated quantised-weight cache " + f);
                    } catch (IOException e) {         // e.g. still open on a platform that forbids deleting it
                        log.accept("could not delete the outdated quantised-weight cache " + f + ": " + e.getMessage());
                    }
                }
            }
        }
    }
}
