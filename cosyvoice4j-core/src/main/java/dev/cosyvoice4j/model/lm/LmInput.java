package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Buf;

/**
 * The assembled LLM input of {@code Qwen2LM.inference} ({@code lm_input [rows, dim]}, a backend buffer) with the
 * decode length bounds it computes: {@code min_len = int(len(text) * 2)}, {@code max_len = int(len(text) * 20)}.
 * Golden case: {@code llm/lm_input}.
 */
public record LmInput(Buf embeddings, int minLen, int maxLen) {
    public LmInput {
        if (embeddings.rows() < 1) throw new IllegalArgumentException("lm_input needs at least one row");
    }

    public int rows() { return embeddings.rows(); }

    public int dim() { return embeddings.cols(); }
}
