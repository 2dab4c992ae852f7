package dev.cosyvoice4j.engine;

import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The speech tokens of one utterance, written by the LLM thread and read by the token-to-audio thread. The
 * reader blocks until enough tokens arrived or generation ended (no polling: the official code sleeps 0.1 s).
 */
final class TokenBuffer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int[] tokens = new int[256];
    private int size;
    private boolean finished;
    private boolean held;
    private Throwable failure;

    /** Adds a token, then waits while the reader holds the producer (see {@link #hold}). */
    void add(int token) throws InterruptedException {
        lock.lock();
        try {
            if (size == tokens.length) tokens = Arrays.copyOf(tokens, size * 2);
            tokens[size++] = token;
            changed.signalAll();
            while (held) changed.await();
        } finally {
            lock.unlock();
        }
    }

    /**
     * While held, the producer stops after its next token: the reader turns what it has into audio with all the
     * cores (the first chunk of a stream: first audio sooner, same tokens, about the same total time on few cores).
     */
    void hold(boolean hold) {
        lock.lock();
        try {
            held = hold;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the end of generation, normally or with a failure that the reader rethrows. */
    void finish(Throwable failureOrNull) {
        lock.lock();
        try {
            finished = true;
            failure = failureOrNull;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until at least {@code n} tokens are available or generation finished; returns the number of tokens
     * available then.
     */
    int awaitAtLeast(int n) throws InterruptedException {
        lock.lock();
        try {
            while (size < n && !finished) changed.await();
            rethrow();
            return size;
        } finally {
            lock.unlock();
        }
    }

    boolean isFinished() {
        lock.lock();
        try {
            return finished;
        } finally {
            lock.unlock();
        }
    }

    /** A copy of the first {@code n} tokens. */
    int[] prefix(int n) {
        lock.lock();
        try {
            if (n > size) throw new IllegalArgumentException("asked " + n + " of " + size + " tokens");
            return Arrays.copyOf(tokens, n);
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    private void rethrow() {
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException("speech token generation failed: " + failure.getMessage(), failure);
    }
}
