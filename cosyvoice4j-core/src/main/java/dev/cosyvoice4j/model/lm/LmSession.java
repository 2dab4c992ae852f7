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
