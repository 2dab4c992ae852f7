package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;

/**
 * Scratch of one CFG row of a {@link CausalConditionalDecoder} call, grown to the longest call; buffers are flat and
 * viewed per call. Not thread-safe: one row of one call at a time.
 */
final class UnetWorkspace {
    private final Backend backend;
    private final int channels, innerDim, ffInner;
    private int capacity;
    Buf a, b, skip, xt, resA, resB, resTm, tfNorm, tfQ, tfK, tfV, tfAtt, tfFf;

    UnetWorkspace(CausalConditionalDecoder d, int frames) {
        this.backend = d.backend;
        this.channels = d.channels;
        BasicTransformerBlock any = d.downBlocks.length > 0 ? d.downBlocks[0] : null;
        this.innerDim = any == null ? 0 : any.innerDim;
        this.ffInner = any == null ? 0 : any.ffInner;
        if (frames > 0) ensure(frames);
    }

    /** Drops the buffers (the next {@link #ensure} reallocates them). */
    void release() {
        a = b = skip = xt = resA = resB = resTm = tfNorm = tfQ = tfK = tfV = tfAtt = tfFf = null;
        capacity = 0;
    }

    void ensure(int frames) {
        if (frames <= capacity) return;
        int n = frames, c = channels;
        a = backend.alloc(1, c * n);
        b = backend.alloc(1, c * n);
        skip = backend.alloc(1, 2 * c * n);
        xt = backend.alloc(1, c * n);
        resA = backend.alloc(1, c * n);
        resB = backend.alloc(1, c * n);
        resTm = backend.alloc(1, c * n);
        tfNorm = backend.alloc(1, c * n);
        tfQ = backend.alloc(1, Math.max(1, innerDim * n));
        tfK = backend.alloc(1, Math.max(1, innerDim * n));
        tfV = backend.alloc(1, Math.max(1, innerDim * n));
        tfAtt = backend.alloc(1, Math.max(1, innerDim * n));
        tfFf = backend.alloc(1, Math.max(1, ffInner * n));
        capacity = n;
    }
}
