package dev.cosyvoice4j.backend;

/**
 * Which keys a query may attend to. Query {@code i} (0-based within this call) and key {@code j}:
 * <ul>
 *   <li>{@code CAUSAL}: {@code j <= i + queryOffset} (Qwen2 prefill/decode with a KV cache, queryOffset = cached positions);</li>
 *   <li>{@code FULL}: every {@code j < validKeys};</li>
 *   <li>{@code CHUNK}: {@code j < min(validKeys, ((i + queryOffset) / chunkSize + 1) * chunkSize)} (DiT streaming chunk
 *   mask; queryOffset = frames whose keys come from a cache).</li>
 * </ul>
 */
public record AttentionMask(Kind kind, int queryOffset, int validKeys, int chunkSize) {
    public enum Kind { CAUSAL, FULL, CHUNK }

    public static AttentionMask causal(int queryOffset) { return new AttentionMask(Kind.CAUSAL, queryOffset, Integer.MAX_VALUE, 0); }

    public static AttentionMask full(int validKeys) { return new AttentionMask(Kind.FULL, 0, validKeys, 0); }

    public static AttentionMask chunk(int chunkSize, int validKeys) { return chunk(chunkSize, validKeys, 0); }

    /** The chunk mask for queries at absolute positions {@code queryOffset, queryOffset + 1, ...} over keys from 0. */
    public static AttentionMask chunk(int chunkSize, int validKeys, int queryOffset) {
        if (chunkSize < 1 || queryOffset < 0) throw new IllegalArgumentException("chunk mask of " + chunkSize + " from " + queryOffset);
        return new AttentionMask(Kind.CHUNK, queryOffset, validKeys, chunkSize);
    }

    /** Number of keys (a prefix 0..n-1) that query {@code i} sees out of {@code keys}. */
    public int visibleKeys(int i, int keys) {
        int n = switch (kind) {
            case CAUSAL -> i + queryOffset + 1;
            case FULL -> validKeys;
            case CHUNK -> (int) Math.min(validKeys, ((long) (i + queryOffset) / chunkSize + 1) * chunkSize);
        };
        return Math.min(n, keys);
    }
}
