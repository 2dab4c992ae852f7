package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.Map;

/**
 * A PyTorch {@code torch.save} zip archive of a state_dict, memory-mapped. PLACEHOLDER API: the
 * implementation (zip central directory + restricted unpickler) is being written; the signatures stay.
 */
public final class PtArchive implements AutoCloseable {
    private final Map<String, Tensor> tensors;

    private PtArchive(Map<String, Tensor> tensors) { this.tensors = tensors; }

    /** Opens and indexes {@code file}; tensors are views into a shared-arena mapping of the file. */
    public static PtArchive open(Path file) {
        throw new ModelFormatException(file, "PtArchive not implemented yet");
    }

    /** State-dict entries in file order. */
    public Map<String, Tensor> tensors() { return tensors; }

    @Override
    public void close() {}
}
