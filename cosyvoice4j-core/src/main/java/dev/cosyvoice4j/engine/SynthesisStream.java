package dev.cosyvoice4j.engine;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The audio of one request as it is produced: iterate to receive {@link AudioChunk}s as soon as they exist
 * (blocking), {@link #cancel()} to stop early. A failure of the synthesis is rethrown by {@link #next()}.
 * Closing cancels. Use from one consumer thread.
 */
public final class SynthesisStream implements Iterator<AudioChunk>, AutoCloseable {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final StageTimings timings = new StageTimings();
    private final long startNanos = System.nanoTime();
    private Object next;
    private boolean done;
    private volatile Thread producer;

    /** Time of request start, for chunk timestamps. */
    long startNanos() { return startNanos; }

    StageTimings timingsSink() { return timings; }

    boolean isCancelled() { return cancelled.get(); }

    void producerThread(Thread t) { producer = t; }

    void emit(AudioChunk chunk) { queue.add(chunk); }

    void finish() { queue.add(END); }

    void fail(Throwable t) { queue.add(t); }

    /** Per-stage timings of this request (complete once the stream is exhausted). */
    public StageTimings timings() { return timings; }

    @Override
    public boolean hasNext() {
        if (done) return false;
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new IllegalStateException("interrupted while waiting for audio", e);
            }
        }
        if (next == END) {
            done = true;
            return false;
        }
        if (next instanceof Throwable t) {
            done = true;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new IllegalStateException("synthesis failed: " + t.getMessage(), t);
        }
        return true;
    }

    @Override
    public AudioChunk next() {
        if (!hasNext()) throw new NoSuchElementException();
        AudioChunk c = (AudioChunk) next;
        next = null;
        return c;
    }

    /** All remaining audio concatenated (offline use). */
    public float[] readAll() {
        float[] all = new float[0];
        int n = 0;
        while (hasNext()) {
            float[] s = next().samples();
            if (n + s.length > all.length) all = java.util.Arrays.copyOf(all, Math.max(n + s.length, all.length * 2));
            System.arraycopy(s, 0, all, n, s.length);
            n += s.length;
        }
        return java.util.Arrays.copyOf(all, n);
    }

    /** Stops generation as soon as possible; the stream then ends. */
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            Thread p = producer;
            if (p != null) p.interrupt();
        }
    }

    @Override
    public void close() {
        if (!done) cancel();
    }
}
