package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Buf;

/**
 * The assembled LLM input of {@code Qwen2LM.inference} ({@code lm_input [rows, dim]}, a backend buffer) with the
 * decode length bounds it computes: {@code min_len = int(len(text) * 2)}, {@code max_len = int(len(text) * 20)}.
 * {@code rowKeys} (or null) identify the rows (which embedding of which id), so that a session can keep the positions
 * an input shares with the previous one ({@link LmSession#resume}).
 * Golden case: {@code llm/lm_input}.
 */
public record LmInput(Buf embeddings, int minLen, int maxLen, long[] rowKeys) {
    /** An input whose rows are not identified (never resumed from a session's kept prefix). */
    public LmInput(Buf embeddings, int minLen, int maxLen) { this(embeddings, minLen, maxLen, null); }

    public LmInput {
        if (embeddings.rows() < 1) throw new IllegalArgumentException("lm_input needs at least one row");
        if (rowKeys != null && rowKeys.length != embeddings.rows()) {
            throw new IllegalArgumentException(rowKeys.length + " row keys for " + embeddings.rows() + " rows");
        }
    }

    /** Key of a row holding {@code speech_embedding[id]}. */
    public static long speechKey(int id) { return id & 0xffffffffL; }

    /** Key of a row holding the Qwen2 text embedding of {@code id}. */
    public static long textKey(int id) { return (1L << 32) | (id & 0xffffffffL); }

    public int rows() { return embeddings.rows(); }

    public int dim() { return embeddings.cols(); }
}
