package dev.cosyvoice4j.engine;

/**
 * How streaming synthesis reuses work between chunk calls (docs/performance.md, "Streaming").
 *
 * @param ditCache         keep the flow DiT's keys, values and solver states of completed chunks, so each chunk call
 *                         computes only its new frames (no output changes: the frames are exactly the recomputed ones)
 * @param causalFinalChunk the last chunk of a streamed utterance with the chunk mask, reusing the caches, instead of the
 *                         official full-attention recomputation of every frame: a documented deviation (its effect on
 *                         the audio is measured by {@code quality --final-chunk causal}); needs {@code ditCache}
 * @param voiceCacheBytes  memory for the DiT state of saved voices' prompt regions (computed once per voice, least
 *                         recently used dropped first); 0 = none
 */
public record StreamingOptions(boolean ditCache, boolean causalFinalChunk, long voiceCacheBytes) {
    /** 2 GiB of saved-voice prompt state: about four 3.5 s prompts at full size in float32. */
    public static final long DEFAULT_VOICE_CACHE_BYTES = 2L << 30;

    public StreamingOptions {
        if (voiceCacheBytes < 0) throw new IllegalArgumentException("voice cache of " + voiceCacheBytes + " bytes");
        if (causalFinalChunk && !ditCache) throw new IllegalArgumentException("a chunk-causal final chunk needs the DiT cache");
    }

    /** The DiT cache on, the official full-attention final chunk, 2 GiB for saved voices. */
    public static StreamingOptions defaults() { return new StreamingOptions(true, false, DEFAULT_VOICE_CACHE_BYTES); }

    /** The official recomputation of every chunk (no caches): for comparisons. */
    public static StreamingOptions recompute() { return new StreamingOptions(false, false, 0); }

    public StreamingOptions withCausalFinalChunk(boolean on) { return new StreamingOptions(ditCache || on, on, voiceCacheBytes); }

    public StreamingOptions withVoiceCacheBytes(long bytes) { return new StreamingOptions(ditCache, causalFinalChunk, bytes); }
}
