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
 * @param requestCacheBytes the most memory one request's DiT cache may take (float32 keys and values of every step,
 *                         block and CFG row: 3.6 MB per frame at full size); an utterance that would need more is
 *                         computed the official way (every chunk recomputed) from there on
 * @param firstChunk       how the first chunk is delivered ({@link FirstChunk}): {@code SPLIT} sends it in two pieces
 *                         ({@link StreamSchedule#splitFirstChunk}), the prompt pad's tokens computed as soon as they
 *                         exist and sent once the utterance has the official first chunk's tokens, then the rest of it:
 *                         the same samples (both pieces end on the DiT chunk grid), only the first audio sooner and one
 *                         chunk more; {@code AUTO} splits when the utterance is expected to be long enough. Splitting
 *                         needs {@code ditCache} (without it the second piece would recompute the first): {@code SPLIT}
 *                         is refused without it, {@code AUTO} is then {@code OFFICIAL}. CosyVoice3 only (CosyVoice2 streams
 *                         its official chunks, its vocoder cross-fading them)
 */
public record StreamingOptions(boolean ditCache, boolean causalFinalChunk, long voiceCacheBytes, long requestCacheBytes,
                               FirstChunk firstChunk) {
    /** 2 GiB of saved-voice prompt state: about four 3.5 s prompts at full size in float32. */
    public static final long DEFAULT_VOICE_CACHE_BYTES = 2L << 30;
    /** 3 GiB per request: about 17 s of prompt and speech at full size (the JVM's default heap is a quarter of RAM). */
    public static final long DEFAULT_REQUEST_CACHE_BYTES = 3L << 30;

    public StreamingOptions(boolean ditCache, boolean causalFinalChunk, long voiceCacheBytes) {
        this(ditCache, causalFinalChunk, voiceCacheBytes, DEFAULT_REQUEST_CACHE_BYTES, FirstChunk.AUTO);
    }

    public StreamingOptions {
        if (voiceCacheBytes < 0) throw new IllegalArgumentException("voice cache of " + voiceCacheBytes + " bytes");
        if (requestCacheBytes < 0) throw new IllegalArgumentException("request cache of " + requestCacheBytes + " bytes");
        if (causalFinalChunk && !ditCache) throw new IllegalArgumentException("a chunk-causal final chunk needs the DiT cache");
        java.util.Objects.requireNonNull(firstChunk, "firstChunk");
        if (firstChunk == FirstChunk.SPLIT && !ditCache) throw new IllegalArgumentException("a split first chunk needs the DiT cache");
    }

    /** The DiT cache on, the official full-attention final chunk, 2 GiB for saved voices, {@link FirstChunk#AUTO}. */
    public static StreamingOptions defaults() { return new StreamingOptions(true, false, DEFAULT_VOICE_CACHE_BYTES); }

    /** The official recomputation of every chunk (no caches): for comparisons. */
    public static StreamingOptions recompute() { return new StreamingOptions(false, false, 0); }

    public StreamingOptions withCausalFinalChunk(boolean on) {
        return new StreamingOptions(ditCache || on, on, voiceCacheBytes, requestCacheBytes, firstChunk);
    }

    public StreamingOptions withVoiceCacheBytes(long bytes) {
        return new StreamingOptions(ditCache, causalFinalChunk, bytes, requestCacheBytes, firstChunk);
    }

    public StreamingOptions withRequestCacheBytes(long bytes) {
        return new StreamingOptions(ditCache, causalFinalChunk, voiceCacheBytes, bytes, firstChunk);
    }

    public StreamingOptions withFirstChunk(FirstChunk f) {
        return new StreamingOptions(ditCache, causalFinalChunk, voiceCacheBytes, requestCacheBytes, f);
    }

    /** The first-chunk choice as it applies: {@code AUTO} without the DiT cache cannot split, so it is {@code OFFICIAL}. */
    public FirstChunk effectiveFirstChunk() {
        return firstChunk == FirstChunk.AUTO && !ditCache ? FirstChunk.OFFICIAL : firstChunk;
    }
}
