package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The tensors of one checkpoint file by name, with PyTorch-{@code strict=True}-style bookkeeping: a component
 * {@link #take}s each tensor it declares (shape and dtype checked), {@link #ignore}s the ones it does not
 * need, and {@link #checkAllUsed()} reports anything left over. Tensors are views into the mapped file.
 */
public final class WeightStore implements AutoCloseable {
    private final Path file;
    private final Map<String, Tensor> tensors;
    private final Set<String> used = ConcurrentHashMap.newKeySet();
    private final AutoCloseable owner;
    private final BiFunction<String, Tensor, Tensor> transform;
    /** The mapped archive the tensors view (null: not a {@code .pt} mapping), for {@link #releaseResident}. */
    private final PtArchive archive;

    public WeightStore(Path file, Map<String, Tensor> tensors, AutoCloseable ownerOrNull) {
        this(file, Collections.unmodifiableMap(new LinkedHashMap<>(tensors)), ownerOrNull, (n, t) -> t,
                ownerOrNull instanceof PtArchive a ? a : null);
    }

    private WeightStore(Path file, Map<String, Tensor> tensors, AutoCloseable owner,
                        BiFunction<String, Tensor, Tensor> transform, PtArchive archive) {
        this.file = file;
        this.tensors = tensors;
        this.owner = owner;
        this.transform = transform;
        this.archive = archive;
    }

    /**
     * A view of the same tensors whose {@link #take} results pass through {@code transform(name, tensor)} after the
     * declared shape and dtype were checked against the file (e.g. quantising linear weights at load). The view has
     * its own strict-loading bookkeeping; closing it closes nothing (the original store owns the mapping).
     */
    public WeightStore transformed(BiFunction<String, Tensor, Tensor> transform) {
        return new WeightStore(file, tensors, null, transform, archive);
    }

    /**
     * {@link #transformed} for conversions that make the original unnecessary: when {@code transform} returns another
     * tensor, the original's file pages are dropped from the resident set ({@link #releaseResident}). The quantised
     * LLM then does not also keep its 1.5 GB of float32 pages resident.
     */
    public WeightStore replacing(BiFunction<String, Tensor, Tensor> transform) {
        return new WeightStore(file, tensors, null, (name, t) -> {
            Tensor r = transform.apply(name, t);
            if (r != t) releaseResident(t);
            return r;
        }, archive);
    }

    /**
     * Drops {@code t}'s pages from this process's resident set if {@code t} is a view of this store's file mapping
     * (Linux {@code madvise(MADV_DONTNEED)}): reading it later faults the same bytes in again from the page cache.
     * Returns whether pages were dropped; false for other memory.
     */
    public boolean releaseResident(Tensor t) {
        return archive != null && archive.releaseResident(t.data());
    }

    /** Opens a PyTorch {@code .pt} state_dict (memory-mapped). */
    public static WeightStore openPt(Path file) {
        PtArchive archive = PtArchive.open(file);
        return new WeightStore(file, archive.tensors(), archive);
    }

    public Path file() { return file; }

    public Set<String> names() { return tensors.keySet(); }

    public boolean has(String name) { return tensors.containsKey(name); }

    /** The tensor {@code name}, which must exist, be float32 and have exactly {@code shape}. */
    public Tensor take(String name, long... shape) {
        return take(name, DType.F32, shape);
    }

    /** The tensor {@code name} with the given dtype and shape. */
    public Tensor take(String name, DType dtype, long... shape) {
        Tensor t = takeAnyShape(name);
        if (t.dtype() != dtype) {
            throw new ModelFormatException(file, "tensor '" + name + "' is " + t.dtype() + ", expected " + dtype);
        }
        if (!t.hasShape(shape)) {
            throw new ModelFormatException(file, "shape mismatch for '" + name + "': file has "
                    + Arrays.toString(t.shape()) + ", model expects " + Arrays.toString(shape));
        }
        return transform.apply(name, t);
    }

    /** The tensor {@code name}, which must exist; its shape is the caller's to check or derive from. */
    public Tensor takeAnyShape(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFormatException(file, "missing tensor '" + name + "'");
        used.add(name);
        return t;
    }

    /** Marks a tensor as deliberately unused. */
    public void ignore(String name) {
        if (!tensors.containsKey(name)) throw new ModelFormatException(file, "missing tensor '" + name + "' (expected, to be ignored)");
        used.add(name);
    }

    /** Marks every tensor whose name starts with {@code prefix} as deliberately unused. */
    public void ignorePrefix(String prefix) {
        for (String n : tensors.keySet()) if (n.startsWith(prefix)) used.add(n);
    }

    /** Throws if any tensor of the file was neither taken nor ignored (strict loading). */
    public void checkAllUsed() {
        Set<String> left = new TreeSet<>(tensors.keySet());
        left.removeAll(used);
        if (!left.isEmpty()) {
            throw new ModelFormatException(file, left.size() + " unexpected tensor(s) not used by the model: "
                    + String.join(", ", left.stream().limit(10).toList()) + (left.size() > 10 ? ", ..." : ""));
        }
    }

    /** Total bytes of tensor data. */
    public long byteSize() {
        return tensors.values().stream().mapToLong(t -> t.numel() * t.dtype().byteSize()).sum();
    }

    @Override
    public void close() throws Exception {
        if (owner != null) owner.close();
    }
}
