package dev.cosyvoice4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Read-only memory mapping of a whole file into a caller-owned arena (one place for the error message). */
final class MappedFiles {
    private MappedFiles() {}

    /**
     * The file's bytes as a read-only segment of {@code arena}. The mapping is re-viewed as a plain native segment
     * (same address, size, arena and read-only flag): then weights mapped from files and weights computed into native
     * memory are one segment class, so the JIT's type profile of segment access stays monomorphic in the kernels
     * (a mapped + native mix compiled the weight-packing loops with virtual calls).
     */
    static MemorySegment map(Path file, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            if (mapped.byteSize() == 0) return mapped;
            return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null).asReadOnly();
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e, e);
        }
    }
}
