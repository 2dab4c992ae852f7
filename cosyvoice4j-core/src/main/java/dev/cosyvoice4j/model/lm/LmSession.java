package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.model.qwen2.Qwen2Session;

import java.util.Arrays;

/**
 * Per-request state of {@link CosyVoice3LM}: the Qwen2 KV cache, the backend buffers of one step (input embedding,
 * final hidden state, logits), the host copy of the logits the sampler reads, and the tokens generated so far
 * ({@code out_tokens}, the RAS window). Nothing is allocated per decode step. Not thread-safe: one request at a time;
 * {@link #reset()} reuses every buffer for the next segment or request (the KV cache grows when one needs more).
 */
public final class LmSession {
    final Qwen2Session qwen;
    private final Backend backend;
    final Buf hidden;
    final Buf logits;
    final Buf embedding;
    final int[] stepToken = new int[1];
    private final float[] hostLogits;
    int[] decoded;
    int decodedCount;

    LmSession(Qwen2Session qwen, Backend backend, int hiddenSize, int vocab, int maxTokens) {
        this.qwen = qwen;
        this.backend = backend;
        this.hidden = backend.alloc(1, hiddenSize);
        this.logits = backend.alloc(1, vocab);
        this.embedding = backend.alloc(1, hiddenSize);
        this.hostLogits = new float[vocab];
        this.decoded = new int[Math.max(16, maxTokens)];
    }

    /** The underlying Qwen2 KV cache. */
    public Qwen2Session qwen2() { return qwen; }

    /** Positions in the KV cache. */
    public int length() { return qwen.length(); }

    public int capacity() { return qwen.capacity(); }

    /** Makes room for {@code positions} positions in the KV cache. */
    public void ensureCapacity(int positions) { qwen.ensureCapacity(positions); }

    /** Number of tokens generated (emitted) so far. */
    public int generatedCount() { return decodedCount; }

    /** A copy of the generated tokens. */
    public int[] generatedTokens() { return Arrays.copyOf(decoded, decodedCount); }

    /** Identity of the KV cache's positions {@code [0, keyCount)} ({@link LmInput#rowKeys}); kept across reset. */
    private long[] keys = new long[0];
    private int keyCount;

    /**
     * After {@link #reset()}: keeps the positions {@code input} shares with what the cache held (same embeddings at the
     * same positions: equal keys and values), at most all but its last row (whose logits are needed). Returns the rows
     * of {@code input} still to forward from. A saved voice's {@code [sos, prompt text]} is such a prefix for every
     * request and segment served by this session.
     */
    int resume(LmInput input) {
        long[] k = input.rowKeys();
        int n = 0;
        if (k != null && qwen.length() == 0) {
            int max = Math.min(Math.min(keyCount, k.length - 1), keys.length);
            while (n < max && keys[n] == k[n]) n++;
        }
        qwen.resumeAt(n);
        if (k != null) {
            keys = k.length > keys.length ? Arrays.copyOf(k, Math.max(k.length, 2 * keys.length)) : keys;
            System.arraycopy(k, 0, keys, 0, k.length);
            keyCount = k.length;
        } else {
            keyCount = 0;
        }
        return n;
    }

    /** Records that the next position holds speech token {@code token}'s embedding. */
    void keyStep(int token) {
        int p = qwen.length();
        if (keyCount != p) {                                      // an unidentified row went in before: nothing to keep
            keyCount = 0;
            return;
        }
        if (p >= keys.length) keys = Arrays.copyOf(keys, Math.max(16, 2 * p + 1));
        keys[p] = LmInput.speechKey(token);
        keyCount = p + 1;
    }

    /** Unidentified rows go in at the current position: later positions can not be reused. */
    void keyUnknown() { keyCount = Math.min(keyCount, qwen.length()); }

    /** Empties the cache and the token history, keeping the buffers. */
    public void reset() {
        qwen.reset();
        decodedCount = 0;
    }

    /** The logits buffer on the host (after an in-place {@code log_softmax} by the backend when asked). */
    float[] hostLogits(Buf logits, boolean logSoftmax) {
        if (logSoftmax) backend.logSoftmax(logits);
        backend.read(logits, hostLogits, 0);
        return hostLogits;
    }

    void appendToken(int token) {
        if (decodedCount == decoded.length) decoded = Arrays.copyOf(decoded, decoded.length * 2);
        decoded[decodedCount++] = token;
    }
}
