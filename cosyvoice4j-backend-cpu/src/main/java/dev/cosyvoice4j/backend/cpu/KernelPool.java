package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.Backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of platform threads for data-parallel kernels, built for jobs of a few microseconds.
 *
 * <p>{@link #parallelFor} hands out indices {@code 0..n-1} through an atomic counter; the calling thread takes part,
 * so a job finishes even if every pool thread is descheduled (the machine may be shared), and faster participants
 * take more indices. Idle pool threads spin for {@link CpuOptions#spinMicros()} before parking.
 *
 * <p>Concurrency: one job runs on the pool at a time. A caller that finds the pool busy (another session's kernel
 * is running) does not queue: it runs its whole job on its own thread ("caller runs"). So concurrent sessions are
 * safe and never wait on each other, and the pool's threads are never oversubscribed. Nested parallelFor from
 * inside a body also runs inline. Bodies must only write disjoint data per index.
 *
 * <p>Priority: while a thread is inside a {@link #foreground()} section (the LLM's decode step), callers outside one
 * run their jobs inline too, leaving the pool threads to the foreground work as soon as its current job is done.
 */
public final class KernelPool implements AutoCloseable {

    /** A parallel loop body: called once per index. */
    @FunctionalInterface
    public interface Body {
        void run(int index);
    }

    private static final class Job {
        final Body body;
        final int n;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        volatile Thread waiter;
        volatile Throwable failure;

        Job(Body body, int n) {
            this.body = body;
            this.n = n;
            this.pending = new AtomicInteger(n);
        }

        /** Claims and runs indices until none are left. */
        void work() {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                try {
                    if (failure == null) body.run(i);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        Thread w = waiter;
                        if (w != null) LockSupport.unpark(w);
                    }
                }
            }
        }
    }

    private final int threads;
    private final long spinNanos;
    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    /** Threads inside a {@link #foreground()} section now. */
    private final AtomicInteger foreground = new AtomicInteger();
    /** This thread's {@link #foreground()} nesting depth. */
    private static final ThreadLocal<int[]> FOREGROUND_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private volatile Job current;
    private volatile boolean closed;
    /** parked[w] != 0 while pool thread w is (about to be) parked: the caller must unpark it. */
    private final AtomicIntegerArray parked;

    public KernelPool(int threads, int spinMicros) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.spinNanos = spinMicros * 1000L;
        this.workers = new Thread[threads - 1];
        this.parked = new AtomicIntegerArray(threads - 1);
        for (int w = 0; w < workers.length; w++) {
            int id = w;
            Thread t = new Thread(() -> workerLoop(id), "cv-kernel-" + (w + 1));
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    public KernelPool(CpuOptions options) { this(options.threads(), options.spinMicros()); }

    /** Participants of a parallel job (pool threads + the caller). */
    public int threads() { return threads; }

    /**
     * Runs {@code body.run(i)} for every {@code i} in {@code [0, n)}, in parallel, and returns when all are done.
     * The first exception thrown by a body is rethrown here (remaining indices are skipped).
     */
    public void parallelFor(int n, Body body) {
        if (n <= 0) return;
        if (n == 1 || workers.length == 0 || closed || lock.isHeldByCurrentThread() || yieldsToForeground() || !lock.tryLock()) {
            for (int i = 0; i < n; i++) body.run(i);
            return;
        }
        try {
            Job job = new Job(body, n);
            current = job;
            for (int w = 0; w < workers.length; w++) {
                if (parked.get(w) != 0) LockSupport.unpark(workers[w]);
            }
            job.work();
            awaitDone(job);
            Throwable f = job.failure;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException(f);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Opens a foreground section on the calling thread (closed by the handle, on the same thread): until it closes,
     * other threads' {@link #parallelFor} calls run on their callers.
     */
    public Backend.Foreground foreground() {
        int[] depth = FOREGROUND_DEPTH.get();
        if (depth[0]++ == 0) foreground.incrementAndGet();
        boolean[] open = {true};
        return () -> {
            if (!open[0]) return;                    // closing twice ends it once
            open[0] = false;
            if (--depth[0] == 0) foreground.decrementAndGet();
        };
    }


    /** Whether a foreground section of another thread is open while this thread has none (its jobs then run inline). */
    public boolean yieldsToForeground() {
        return foreground.get() > 0 && FOREGROUND_DEPTH.get()[0] == 0;
    }

    private static void awaitDone(Job job) {
        for (int spin = 0; job.pending.get() != 0; spin++) {
            if (spin < 20_000) {
                Thread.onSpinWait();
            } else {
                job.waiter = Thread.currentThread();
                if (job.pending.get() != 0) LockSupport.parkNanos(50_000);
            }
        }
    }

    private void workerLoop(int id) {
        Job seen = null;
        while (!closed) {
            Job job = current;
            if (job != seen && job != null) {
                seen = job;
                job.work();
                continue;
            }
            long deadline = System.nanoTime() + spinNanos;
            boolean found = false;
            while (System.nanoTime() < deadline) {
                for (int s = 0; s < 64; s++) Thread.onSpinWait();
                if (current != seen || closed) {
                    found = true;
                    break;
                }
            }
            if (found) continue;
            parked.set(id, 1);
            if (current == seen && !closed) LockSupport.park(this);
            parked.set(id, 0);
        }
    }

    /** Stops the pool threads (idempotent). Later parallelFor calls run on the caller. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }
}
