package dev.cosyvoice4j.backend.onednn;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;

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
        CLEANER.register(this, () -> {
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
        MemorySegment args = stream.args, slots = stream.slots;
        int nargs = 0;
        try {
            nargs = arg(lib, args, slots, nargs, OneDnn.ARG_SRC, srcMd, src);
            nargs = arg(lib, args, slots, nargs, OneDnn.ARG_WEIGHTS, weightsMd, weights);
            if (!MemorySegment.NULL.equals(bias)) nargs = arg(lib, args, slots, nargs, OneDnn.ARG_BIAS, biasMd, bias);
            nargs = arg(lib, args, slots, nargs, OneDnn.ARG_DST, dstMd, dst);
            if (scratchBytes > 0) nargs = arg(lib, args, slots, nargs, OneDnn.ARG_SCRATCHPAD, scratchMd, scratch);
            lib.execute(primitive, stream.stream, nargs, args);
        } finally {
            destroyArgs(lib, args, nargs);
        }
        Reference.reachabilityFence(this);
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
