package dev.cosyvoice4j.backend.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * A oneDNN stream for one thread, with the argument arrays its executions fill ({@code dnnl_exec_arg_t[8]} and the
 * memory-object slots); the stream is destroyed once this object is unreachable (its thread is gone).
 */
final class OneDnnStream {
    private static final Cleaner CLEANER = Cleaner.create();

    final MemorySegment stream, args, slots;

    OneDnnStream(OneDnn lib) {
        this.stream = lib.streamCreate();
        Arena auto = Arena.ofAuto();
        this.args = auto.allocate(OneDnn.EXEC_ARG, 8);
        this.slots = auto.allocate(ADDRESS, 8);
        MemorySegment s = stream;
        CLEANER.register(this, () -> lib.streamDestroy(s));
    }

    /** {@code current} if it holds {@code bytes}, else a new 64-byte aligned buffer (at least 1.5x the old size). */
    static MemorySegment grow(MemorySegment current, long bytes) {
        if (current.byteSize() >= bytes) return current;
        long size = Math.max(bytes, current.byteSize() + current.byteSize() / 2);
        return Arena.ofAuto().allocate(Math.max(64, size), 64);
    }
}
