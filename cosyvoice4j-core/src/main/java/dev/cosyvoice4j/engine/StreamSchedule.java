package dev.cosyvoice4j.engine;

/**
 * The token hop schedule of {@code CosyVoice2Model.tts(stream=True)} (cosyvoice/cli/model.py:343-374), reused
 * by CosyVoice3Model: the first hop is {@code 25 + pad} tokens with {@code pad = ceil(P/25)*25 - P} for P flow
 * prompt tokens (so chunk ends fall on the DiT's 50-frame chunk grid, prompt included), later hops double up to
 * 100; each chunk also needs {@code preLookaheadTokens} (3) look-ahead tokens.
 *
 * <p>Deliberate deviation: the official model keeps {@code token_hop_len} as a field it never resets, so a second
 * utterance starts with the grown hop; here one schedule lives per utterance and always starts at 25.
 * Checked by the golden case {@code stream/token2wav} (chunk token counts 29 / 79 / 85 for P = 24).
 */
public final class StreamSchedule {
    private final int chunkTokens;
    private final int maxHopTokens;
    private final int preLookaheadTokens;
    private final int padTokens;
    private int hopLenTokens;
    private int tokenOffset;

    /**
     * @param promptTokens       P, the number of flow prompt speech tokens
     * @param chunkTokens        the initial hop ({@code chunk_size} = 25, the DiT static chunk in tokens)
     * @param maxHopTokens       {@code token_max_hop_len} (4 x 25 = 100)
     * @param preLookaheadTokens {@code flow.pre_lookahead_len} (3)
     */
    public StreamSchedule(int promptTokens, int chunkTokens, int maxHopTokens, int preLookaheadTokens) {
        if (chunkTokens <= 0 || maxHopTokens < chunkTokens || preLookaheadTokens < 0 || promptTokens < 0) {
            throw new IllegalArgumentException("bad stream schedule parameters");
        }
        this.chunkTokens = chunkTokens;
        this.maxHopTokens = maxHopTokens;
        this.preLookaheadTokens = preLookaheadTokens;
        this.padTokens = (promptTokens + chunkTokens - 1) / chunkTokens * chunkTokens - promptTokens;
        this.hopLenTokens = chunkTokens;
    }

    /** The official defaults: chunk 25 tokens, max hop 100, 3 look-ahead tokens. */
    public static StreamSchedule official(int promptTokens) { return new StreamSchedule(promptTokens, 25, 100, 3); }

    /** Tokens already turned into audio (mel frames before {@code 2 * tokenOffset} have been emitted). */
    public int tokenOffset() { return tokenOffset; }

    /** The hop of the next chunk. */
    public int nextHopTokens() { return tokenOffset == 0 ? hopLenTokens + padTokens : hopLenTokens; }

    /** Total generated tokens the next non-final chunk needs (offset + hop + look-ahead). */
    public int tokensNeededForNextChunk() { return tokenOffset + nextHopTokens() + preLookaheadTokens; }

    /** Whether {@code availableTokens} generated tokens are enough for the next non-final chunk. */
    public boolean chunkReady(int availableTokens) { return availableTokens >= tokensNeededForNextChunk(); }

    /** Records that the next chunk was emitted: advances the offset and doubles the hop (capped). */
    public void advance() {
        tokenOffset += nextHopTokens();
        hopLenTokens = Math.min(maxHopTokens, hopLenTokens * 2);
    }

    public int padTokens() { return padTokens; }

    public int chunkTokens() { return chunkTokens; }
}
