package dev.cosyvoice4j.model.flow;

/**
 * The streaming DiT state of a voice's prompt region: the complete chunks of prompt frames that no generated token can
 * change (the {@link PreLookaheadLayer} lets the last {@code pre_lookahead_len} prompt tokens see the first generated
 * ones, so those frames' chunk is left out). Computed once per voice ({@link FlowModel#promptPrefix}) and copied into each
 * streaming utterance's {@link DitCache} by its first chunk call. Immutable once built; shareable between requests.
 *
 * <p>Only the voice's own inputs are in it. Note that the unconditional CFG row depends on the speaker too after the
 * first Euler step: both rows read the same x, which the conditional row's velocity moves.
 */
public final class DitPrefix {
    final DitCache cache;

    DitPrefix(DitCache cache) { this.cache = cache; }

    /** Prompt frames held. */
    public int frames() { return cache.frames(); }

    /**
     * Memory held: keys and values of every step, block and CFG row (bfloat16 for a bf16 DiT, whose attention rounds
     * them so anyway; float32 otherwise) and the float32 solver states.
     */
    public long bytes() { return cache.bytes(); }

    /** Whether this prefix was computed from these prompt inputs. */
    public boolean matches(int[] promptTokens, float[] promptFeat, int promptFrames, float[] embedding) {
        return cache.matches(promptTokens, promptFeat, promptFrames, embedding);
    }
}
