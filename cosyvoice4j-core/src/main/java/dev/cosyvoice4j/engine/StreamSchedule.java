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
 *
 * <p>{@link #splitFirstChunk}: the first chunk delivered in two pieces, the pad's tokens (they end the prompt's last
 * DiT chunk) and then the 25-token chunk, when the pad has at least {@link #MIN_FIRST_PIECE_TOKENS}. Both pieces end on
 * the 50-frame chunk grid, so under the chunk mask their mel frames are the ones the official first call computes and
 * the stateful vocoder gives the same samples; every later offset is the official one. The first piece's audio exists
 * after pad + 3 tokens and half the flow frames; it is exact once the utterance has 25 + pad + 3 tokens (an utterance
 * that ends sooner the official code computes in one full-attention call), which {@code UtteranceSynthesizer} waits
 * for before sending it.
 */
public final class StreamSchedule {
    private final int chunkTokens;
    private final int maxHopTokens;
    private final int preLookaheadTokens;
    private final int padTokens;
    private final boolean firstPiece;
    private int hopLenTokens;
    private int tokenOffset;

    /**
     * @param promptTokens       P, the number of flow prompt speech tokens
     * @param chunkTokens        the initial hop ({@code chunk_size} = 25, the DiT static chunk in tokens)
     * @param maxHopTokens       {@code token_max_hop_len} (4 x 25 = 100)
     * @param preLookaheadTokens {@code flow.pre_lookahead_len} (3)
     */
    public StreamSchedule(int promptTokens, int chunkTokens, int maxHopTokens, int preLookaheadTokens) {
        this(promptTokens, chunkTokens, maxHopTokens, preLookaheadTokens, false);
    }

    private StreamSchedule(int promptTokens, int chunkTokens, int maxHopTokens, int preLookaheadTokens, boolean split) {
        if (chunkTokens <= 0 || maxHopTokens < chunkTokens || preLookaheadTokens < 0 || promptTokens < 0) {
            throw new IllegalArgumentException("bad stream schedule parameters");
        }
        this.chunkTokens = chunkTokens;
        this.maxHopTokens = maxHopTokens;
        this.preLookaheadTokens = preLookaheadTokens;
        this.padTokens = (promptTokens + chunkTokens - 1) / chunkTokens * chunkTokens - promptTokens;
        this.hopLenTokens = chunkTokens;
        this.firstPiece = split && padTokens >= MIN_FIRST_PIECE_TOKENS;
    }

    /**
     * Fewest pad tokens worth a piece of their own: the vocoder keeps 8 frames of look-ahead back, so 8 tokens (16 mel
     * frames) give 0.16 s of first audio at 24 kHz; a smaller pad stays in the official first chunk.
     */
    public static final int MIN_FIRST_PIECE_TOKENS = 8;

    /** The official defaults: chunk 25 tokens, max hop 100, 3 look-ahead tokens. */
    public static StreamSchedule official(int promptTokens) { return new StreamSchedule(promptTokens, 25, 100, 3); }

    /** The official schedule with its first chunk in two pieces when the prompt pad allows (see the class comment). */
    public static StreamSchedule splitFirstChunk(int promptTokens) { return new StreamSchedule(promptTokens, 25, 100, 3, true); }

    /** Whether the next chunk is the prompt pad's piece of a split first chunk. */
    public boolean nextIsPadPiece() { return firstPiece && tokenOffset == 0; }

    /** Whether the next chunk ends at or before the official first chunk's end (the first audio of the utterance). */
    public boolean nextIsFirstChunk() { return tokenOffset < chunkTokens + padTokens; }

    /** Tokens already turned into audio (mel frames before {@code 2 * tokenOffset} have been emitted). */
    public int tokenOffset() { return tokenOffset; }

    /** The hop of the next chunk. */
    public int nextHopTokens() {
        if (nextIsPadPiece()) return padTokens;
        return tokenOffset == 0 ? hopLenTokens + padTokens : hopLenTokens;
    }

    /** Total generated tokens the next non-final chunk needs (offset + hop + look-ahead). */
    public int tokensNeededForNextChunk() { return tokenOffset + nextHopTokens() + preLookaheadTokens; }

    /** Whether {@code availableTokens} generated tokens are enough for the next non-final chunk. */
    public boolean chunkReady(int availableTokens) { return availableTokens >= tokensNeededForNextChunk(); }

    /** Records that the next chunk was emitted: advances the offset and doubles the hop (capped) after a whole chunk. */
    public void advance() {
        boolean pad = nextIsPadPiece();
        tokenOffset += nextHopTokens();
        if (!pad) hopLenTokens = Math.min(maxHopTokens, hopLenTokens * 2);   // the pad piece keeps the first hop for the rest
    }

    public int padTokens() { return padTokens; }

    public int chunkTokens() { return chunkTokens; }
}
