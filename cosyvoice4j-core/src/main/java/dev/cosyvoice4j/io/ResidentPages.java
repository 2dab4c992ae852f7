package dev.cosyvoice4j.io;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Drops pages of a read-only FILE mapping from this process's resident set ({@code madvise(MADV_DONTNEED)}, Linux):
 * the data stays in the page cache and is faulted in again, unchanged, if it is read later. Used for float32 weights
 * that were converted at load (quantised LLM matrices) so that a reduced-precision mode does not also keep the
 * float32 pages resident. Only whole pages inside the range are dropped; elsewhere, or off Linux, it does nothing.
 *
 * <p>Never call it on anonymous memory: there MADV_DONTNEED zeroes the pages. That is why the only entry point checks
 * the range against the file mapping it was given ({@link PtArchive} owns its mapping).
 */
final class ResidentPages {
    private ResidentPages() {}

    private static final int MADV_DONTNEED = 4;
    private static final MethodHandle MADVISE;
    private static final long PAGE_BYTES;

    static {
        MethodHandle madvise = null;
        long page = 0;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                MethodHandle getpagesize = linker.downcallHandle(libc.find("getpagesize").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT));
                page = (int) getpagesize.invokeExact();
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (Throwable e) {
                madvise = null;                     // no native access: keep everything resident
            }
        }
        MADVISE = page > 0 ? madvise : null;
        PAGE_BYTES = Math.max(page, 1);
    }

    /**
     * Drops the whole pages of {@code range} from the resident set, if {@code range} lies inside {@code fileMapping}
     * (a live read-only file mapping). Returns whether any page was dropped.
     */
    static boolean release(MemorySegment fileMapping, MemorySegment range) {
        if (MADVISE == null || !range.isNative() || !fileMapping.isNative()) return false;
        long start = range.address(), end = start + range.byteSize();
        if (start < fileMapping.address() || end > fileMapping.address() + fileMapping.byteSize()) return false;
        long first = (start + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES, last = end / PAGE_BYTES * PAGE_BYTES;
        if (last <= first) return false;
        try {
            return (int) MADVISE.invokeExact(MemorySegment.ofAddress(first), last - first, MADV_DONTNEED) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
