package dev.cosyvoice4j.model.lm;

/**
 * The assembled LLM input of {@code Qwen2LM.inference} ({@code lm_input}, {@code [rows, dim]} row-major) with the
 * decode length bounds it computes: {@code min_len = int(len(text) * 2)}, {@code max_len = int(len(text) * 20)}.
 * Golden case: {@code llm/lm_input}.
 */
public record LmInput(float[] embeddings, int rows, int dim, int minLen, int maxLen) {
    public LmInput {
        if (rows < 1 || embeddings.length != rows * dim) {
            throw new IllegalArgumentException("lm_input must be " + rows + " x " + dim + " values, got " + embeddings.length);
        }
    }
}
