package dev.cosyvoice4j.server;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control in front of the engine: {@code slots} syntheses at once, up to {@code maxQueue} waiting in
 * arrival order (a fair semaphore) for at most {@code timeout}, everyone else 429 at once. Fast rejection with
 * Retry-After instead of an unbounded backlog (serving reference 5.2).
 */
final class Admission {
    private final Semaphore slots;
    private final int capacity, maxQueue;
    private final Duration timeout;
    private final AtomicInteger waiting = new AtomicInteger();

    Admission(int slots, int maxQueue, Duration timeout) {
        this.slots = new Semaphore(slots, true);
        this.capacity = slots;
        this.maxQueue = maxQueue;
        this.timeout = timeout;
    }

    /** A held slot; release exactly once (try-with-resources). */
    final class Permit implements AutoCloseable {
        private boolean released;

        @Override
        public void close() {
            if (!released) {
                released = true;
                slots.release();
            }
        }
    }

    /** Takes a slot, waiting in line if allowed; 429 when the line is full or the wait runs out. */
    Permit acquire() throws InterruptedException {
        if (slots.tryAcquire(0, TimeUnit.NANOSECONDS)) return new Permit();    // honours the line (fair)
        if (waiting.incrementAndGet() > maxQueue) {
            waiting.decrementAndGet();
            throw ApiException.busy("server busy: " + capacity + " syntheses running and " + maxQueue
                    + " waiting; retry later", retryAfterSeconds());
        }
        try {
            if (!slots.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw ApiException.busy("server busy: no synthesis slot within " + timeout.toMillis() + " ms; retry later",
                        retryAfterSeconds());
            }
            return new Permit();
        } finally {
            waiting.decrementAndGet();
        }
    }

    private long retryAfterSeconds() { return Math.max(1, (timeout.toMillis() + 999) / 1000 / 2); }

    int active() { return capacity - slots.availablePermits(); }

    int queued() { return waiting.get(); }

    int capacity() { return capacity; }
}
