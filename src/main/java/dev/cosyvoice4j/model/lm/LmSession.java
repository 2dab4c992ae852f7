package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.model.qwen2.Qwen2Session;

import java.util.Arrays;

/**
 * Per-request state of {@link CosyVoice3LM}: the Qwen2 KV cache, the hidden/logits buffers of one step and the
 * tokens generated so far ({@code out_tokens}, the RAS window). Preallocated for a capacity (prompt positions +
 * tokens to generate); nothing is allocated per decode step. Not thread-safe: one request at a time; call
 * {@link #reset()} to reuse it for another utterance of the same or smaller size.
 */
public final class LmSession {
    final Qwen2Session qwen;
    final float[] hidden;
    final float[] logits;
    final float[] embedding;
    int[] decoded;
    int decodedCount;

    LmSession(Qwen2Session qwen, int hiddenSize, int vocab, int maxTokens) {
        this.qwen = qwen;
        this.hidden = new float[hiddenSize];
        this.logits = new float[vocab];
        this.embedding = new float[hiddenSize];
        this.decoded = new int[Math.max(16, maxTokens)];
    }

    /** The underlying Qwen2 KV cache. */
    public Qwen2Session qwen2() { return qwen; }

    /** Positions in the KV cache. */
    public int length() { return qwen.length(); }

    public int capacity() { return qwen.capacity(); }

    /** Number of tokens generated (emitted) so far. */
    public int generatedCount() { return decodedCount; }

    /** A copy of the generated tokens. */
    public int[] generatedTokens() { return Arrays.copyOf(decoded, decodedCount); }

    /** Empties the cache and the token history, keeping the buffers. */
    public void reset() {
        qwen.reset();
        decodedCount = 0;
    }

    void appendToken(int token) {
        if (decodedCount == decoded.length) decoded = Arrays.copyOf(decoded, decoded.length * 2);
        decoded[decodedCount++] = token;
    }
}
