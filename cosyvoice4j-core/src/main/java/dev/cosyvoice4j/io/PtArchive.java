package dev.cosyvoice4j.io;

import dev.cosyvoice4j.io.StateDictUnpickler.StorageRef;
import dev.cosyvoice4j.io.StateDictUnpickler.TensorRef;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PyTorch {@code torch.save(state_dict)} zip archive (torch >= 1.6 format), memory-mapped once into a shared
 * arena; every tensor is a view (slice) of that mapping, nothing is copied. Accepts the torch 1.x layout
 * ({@code <dir>/data.pkl}, {@code <dir>/data/<key>}, {@code <dir>/version}) and torch 2.x's (plus
 * {@code byteorder}, {@code .data/serialization_id}, aligned records). The pickle is read by the restricted
 * {@link StateDictUnpickler}: nothing in the file is executed. Tensors that share a storage (tied weights) are
 * two views of the same bytes. All tensors become invalid after {@link #close()}.
 */
public final class PtArchive implements AutoCloseable {
    /** data.pkl of a state_dict is small (~200 bytes per tensor); refuse absurd sizes. */
    static final long MAX_PICKLE_BYTES = 64L << 20;

    private final Arena arena;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<String, Tensor> tensors;
    private final MemorySegment mapping;

    private PtArchive(Arena arena, MemorySegment mapping, Map<String, Tensor> tensors) {
        this.arena = arena;
        this.mapping = mapping;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens and indexes {@code file}; tensors are views into a shared-arena mapping of the file. */
    public static PtArchive open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = MappedFiles.map(file, arena);
            return new PtArchive(arena, seg, index(file, seg));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Indexes an archive held in {@code seg} (package-private for the fuzz target). */
    static Map<String, Tensor> index(Path file, MemorySegment seg) {
        ZipIndex zip = ZipIndex.read(file, seg);
        String pkl = findDataPkl(file, zip);
        String dir = pkl.substring(0, pkl.length() - "data.pkl".length());
        if (zip.entries().containsKey(dir + "byteorder")) {
            String order = text(zip.data(dir + "byteorder")).trim();
            if (!order.equals("little")) {
                throw new ModelFormatException(file, "tensors are stored " + order + "-endian; only little-endian is supported");
            }
        }
        MemorySegment pickle = zip.data(pkl);
        if (pickle.byteSize() > MAX_PICKLE_BYTES) {
            throw new ModelFormatException(file, "data.pkl is " + pickle.byteSize() + " bytes, too large for a state_dict");
        }
        Map<String, TensorRef> refs = StateDictUnpickler.parse(file, pickle.toArray(ValueLayout.JAVA_BYTE));
        Map<String, MemorySegment> storages = new HashMap<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            TensorRef t = e.getValue();
            StorageRef s = t.storage();
            String record = dir + "data/" + s.key();
            MemorySegment bytes = storages.get(s.key());
            if (bytes == null) {
                if (!zip.entries().containsKey(record)) {
                    throw new ModelFormatException(file, "tensor '" + e.getKey() + "' refers to missing record '" + record + "'");
                }
                bytes = zip.data(record);
                long need = mulOrMax(s.numel(), s.dtype().byteSize());
                if (need > bytes.byteSize()) {
                    throw new ModelFormatException(file, "storage '" + record + "' declares " + s.numel() + " "
                            + s.dtype() + " elements but the record holds only " + bytes.byteSize() + " bytes");
                }
                storages.put(s.key(), bytes);
            }
            out.put(e.getKey(), view(file, e.getKey(), t, record, bytes));
        }
        return out;
    }

    private static Tensor view(Path file, String name, TensorRef t, String record, MemorySegment bytes) {
        long[] shape = t.shape();
        long numel = 1;
        for (long d : shape) {
            if (d < 0) throw new ModelFormatException(file, "tensor '" + name + "' has negative size " + Arrays.toString(shape));
            numel = mulOrMax(numel, d);
        }
        if (numel > 0) {
            long expected = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                if (shape[i] != 1 && t.stride()[i] != expected) {
                    throw new ModelFormatException(file, "tensor '" + name + "' is not contiguous (size "
                            + Arrays.toString(shape) + ", stride " + Arrays.toString(t.stride())
                            + "); save it with .contiguous()");
                }
                expected *= shape[i];
            }
        }
        int item = t.storage().dtype().byteSize();
        long off = t.storageOffset();
        long end = off < 0 ? Long.MAX_VALUE : mulOrMax(addOrMax(off, numel), item);
        long storageBytes = Math.min(bytes.byteSize(), mulOrMax(t.storage().numel(), item));
        if (end > storageBytes) {
            throw new ModelFormatException(file, "tensor '" + name + "' " + Arrays.toString(shape) + " "
                    + t.storage().dtype() + " at element offset " + off + " runs past its storage '" + record
                    + "' (" + storageBytes + " bytes)");
        }
        return new Tensor(t.storage().dtype(), shape, bytes.asSlice(off * item, numel * item));
    }

    private static String findDataPkl(Path file, ZipIndex zip) {
        List<String> pkls = zip.entries().keySet().stream()
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .toList();
        if (pkls.isEmpty()) throw new ModelFormatException(file, "not a PyTorch archive (no <dir>/data.pkl record)");
        if (pkls.size() > 1) throw new ModelFormatException(file, "ambiguous PyTorch archive (several data.pkl: " + pkls + ")");
        return pkls.getFirst();
    }

    private static String text(MemorySegment s) {
        return new String(s.asSlice(0, Math.min(s.byteSize(), 64)).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private static long mulOrMax(long a, long b) {
        try { return Math.multiplyExact(a, b); } catch (ArithmeticException e) { return Long.MAX_VALUE; }
    }

    private static long addOrMax(long a, long b) {
        try { return Math.addExact(a, b); } catch (ArithmeticException e) { return Long.MAX_VALUE; }
    }

    /** State-dict entries in file order. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** Unmaps the file; every tensor of this archive becomes invalid. */
    /**
     * Drops the pages of {@code data} (a view into this archive's mapping) from the resident set; they are read from
     * the page cache again if used later. Returns false (and does nothing) for memory outside the mapping, after
     * {@link #close()}, or where the platform has no such call. See {@link ResidentPages}.
     */
    public boolean releaseResident(MemorySegment data) {
        return !closed.get() && ResidentPages.release(mapping, data);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) arena.close();
    }
}
