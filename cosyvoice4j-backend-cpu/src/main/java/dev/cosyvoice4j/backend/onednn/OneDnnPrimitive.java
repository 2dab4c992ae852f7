package dev.cosyvoice4j.backend.onednn;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A oneDNN matmul primitive with the memory descriptors it was created for (owned by its primitive descriptor) and
 * its user scratchpad size; both are destroyed by a cleaner once unreachable. Shared by {@link OneDnnMatmul} and
 * {@link OneDnnAttention}.
 */
final class OneDnnPrimitive {
    private static final Cleaner CLEANER = Cleaner.create();

    final OneDnn lib;
    final MemorySegment pd, primitive, srcMd, weightsMd, biasMd, dstMd, scratchMd;
    final long scratchBytes;
    /**
     * Per stream (so per thread): one memory object per argument ({@link #SRC} .. {@link #SCRATCH}), created at its first
     * execution and re-pointed by every later one; destroyed with the primitive.
     */
    private final Map<OneDnnStream, MemorySegment[]> memories = new ConcurrentHashMap<>();
    private static final int SRC = 0, WEIGHTS = 1, BIAS = 2, DST = 3, SCRATCH = 4;

    /** Takes ownership of {@code pd} (destroyed here if the primitive cannot be created). */
    OneDnnPrimitive(OneDnn lib, MemorySegment pd) {
        this.lib = lib;
        this.pd = pd;
        MemorySegment p;
        try {
            p = lib.primitiveCreate(pd);
        } catch (RuntimeException e) {
            lib.pdDestroy(pd);
            throw e;
        }
        this.primitive = p;
        this.srcMd = lib.queryMd(pd, OneDnn.QUERY_SRC_MD);
        this.weightsMd = lib.queryMd(pd, OneDnn.QUERY_WEIGHTS_MD);
        this.dstMd = lib.queryMd(pd, OneDnn.QUERY_DST_MD);
        this.scratchMd = lib.queryMd(pd, OneDnn.QUERY_SCRATCHPAD_MD);
        this.scratchBytes = scratchMd.address() == 0 ? 0 : lib.mdSize(scratchMd);
        this.biasMd = lib.queryMd(pd, OneDnn.QUERY_WEIGHTS_MD, 1);
        MemorySegment pdFinal = pd, primFinal = p;
        Map<OneDnnStream, MemorySegment[]> mems = memories;
        CLEANER.register(this, () -> {
            for (MemorySegment[] m : mems.values()) {
                for (MemorySegment mem : m) if (mem != null) lib.memoryDestroy(mem);
            }
            lib.primitiveDestroy(primFinal);
            lib.pdDestroy(pdFinal);
        });
    }

    /**
     * Executes on the calling thread's {@code stream}: {@code bias} may be {@link MemorySegment#NULL} (none),
     * {@code scratch} must hold {@link #scratchBytes}.
     */
    void execute(OneDnnStream stream, MemorySegment src, MemorySegment weights, MemorySegment bias, MemorySegment dst,
                 MemorySegment scratch) {
        MemorySegment[] m = memories.computeIfAbsent(stream, s -> new MemorySegment[5]);
        MemorySegment args = stream.args;
        int nargs = 0;
        nargs = bind(m, SRC, args, nargs, OneDnn.ARG_SRC, srcMd, src, stream);
        nargs = bind(m, WEIGHTS, args, nargs, OneDnn.ARG_WEIGHTS, weightsMd, weights, stream);
        if (!MemorySegment.NULL.equals(bias)) nargs = bind(m, BIAS, args, nargs, OneDnn.ARG_BIAS, biasMd, bias, stream);
        nargs = bind(m, DST, args, nargs, OneDnn.ARG_DST, dstMd, dst, stream);
        if (scratchBytes > 0) nargs = bind(m, SCRATCH, args, nargs, OneDnn.ARG_SCRATCHPAD, scratchMd, scratch, stream);
        lib.execute(primitive, stream.stream, nargs, args);
        Reference.reachabilityFence(this);
    }

    /** Points this stream's memory object of {@code which} at {@code data} (creating it once) as entry {@code i} of {@code args}. */
    private int bind(MemorySegment[] m, int which, MemorySegment args, int i, int argKind, MemorySegment md, MemorySegment data,
                     OneDnnStream stream) {
        MemorySegment mem = m[which];
        if (mem == null) {
            m[which] = mem = lib.memoryCreate(stream.slots.asSlice(which * 8L, 8), md, data);
        } else {
            lib.memorySetDataHandle(mem, data);
        }
        args.set(JAVA_INT, i * 16L, argKind);
        args.set(ADDRESS, i * 16L + 8, mem);
        return i + 1;
    }

    /** Creates a oneDNN memory object for {@code data} in slot {@code i} of {@code args}; returns {@code i + 1}. */
    static int arg(OneDnn lib, MemorySegment args, MemorySegment slots, int i, int argKind, MemorySegment md,
                   MemorySegment data) {
        MemorySegment mem = lib.memoryCreate(slots.asSlice(i * 8L, 8), md, data);
        args.set(JAVA_INT, i * 16L, argKind);
        args.set(ADDRESS, i * 16L + 8, mem);
        return i + 1;
    }

    /** Destroys the memory objects of the first {@code nargs} entries of {@code args}. */
    static void destroyArgs(OneDnn lib, MemorySegment args, int nargs) {
        for (int i = 0; i < nargs; i++) lib.memoryDestroy(args.get(ADDRESS, i * 16L + 8));
    }
}
