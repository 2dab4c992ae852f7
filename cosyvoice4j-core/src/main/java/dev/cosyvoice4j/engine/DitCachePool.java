package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.model.flow.DitCache;
import dev.cosyvoice4j.model.flow.FlowModel;

import java.util.ArrayDeque;

/**
 * Streaming DiT caches lent to utterances and taken back at their end, so that steady-state streaming reuses the same
 * memory instead of allocating a gigabyte per request: fresh allocations of that size cost seconds on a virtual machine
 * (first touch of the pages, and the collector copying them out of the young generation; measured 0.5-6 s of pauses
 * per request before this pool). At most {@code maxIdle} caches wait here between utterances; their memory is reported
 * by {@link #idleBytes()}. Thread-safe.
 */
final class DitCachePool {
    private final FlowModel flow;
    private final int maxIdle;
    private final ArrayDeque<DitCache> idle = new ArrayDeque<>();

    DitCachePool(FlowModel flow, int maxIdle) {
        this.flow = flow;
        this.maxIdle = maxIdle;
    }

    /** An empty cache (an idle one with memory when there is one). */
    synchronized DitCache borrow() {
        DitCache c = idle.pollFirst();
        return c != null ? c : flow.newCache();
    }

    /** Takes {@code cache} back, emptied; beyond {@code maxIdle} idle caches its memory is released. */
    synchronized void giveBack(DitCache cache) {
        cache.reset();
        if (idle.size() < maxIdle && cache.bytes() > 0) idle.addFirst(cache);
        else cache.clear();
    }

    /** Memory held by idle caches. */
    synchronized long idleBytes() {
        long b = 0;
        for (DitCache c : idle) b += c.bytes();
        return b;
    }
}
