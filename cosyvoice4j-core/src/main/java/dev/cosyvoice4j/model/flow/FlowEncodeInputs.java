package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The start of {@code inference} that {@code CausalMaskedDiffWithDiT} ({@link FlowModel}) and
 * {@code CausalMaskedDiffWithXvec} ({@code cv2.CausalMaskedDiffWithXvec}) share
 * ({@code cosyvoice/flow/flow.py} @ ace7c47): the input checks, {@code spks} and the clamped token ids. Checked by
 * the {@code flow/.../encode} golden cases of both families.
 */
public final class FlowEncodeInputs {
    private FlowEncodeInputs() {}

    /**
     * Checks the token count, the speaker embedding and the prompt mel {@code [promptFrames, melBins]}; returns how
     * many tokens produce frames: all when finalizing, else all but the last {@code lookahead} (look-ahead only).
     */
    public static int produced(int total, int lookahead, boolean finalize, float[] embedding, int spkEmbedDim,
                               float[] promptFeat, int promptFrames, int melBins) {
        int produced = finalize ? total : total - lookahead;
        if (produced < 1) {
            throw new IllegalArgumentException("flow needs at least " + (finalize ? 1 : lookahead + 1) + " tokens (prompt included) for finalize="
                    + finalize + ", got " + total);
        }
        if (embedding.length != spkEmbedDim) {
            throw new IllegalArgumentException("speaker embedding has " + embedding.length + " values, expected " + spkEmbedDim);
        }
        if (promptFrames < 0 || promptFeat.length != promptFrames * melBins) {
            throw new IllegalArgumentException("prompt mel has " + promptFeat.length + " values, expected " + promptFrames + " x " + melBins);
        }
        return produced;
    }

    /** {@code spks = spk_embed_affine_layer(F.normalize(embedding, dim=1))}, {@code embeddingRow} its scratch row. */
    public static void spks(Backend backend, float[] embedding, Buf embeddingRow, Buf spks, Tensor weight, Tensor bias) {
        backend.write(embeddingRow, embedding, 0);
        backend.l2NormalizeRows(embeddingRow);
        backend.linear(spks, embeddingRow, weight, bias);
    }

    /** {@code clamp(concat(prompt_token, token), min=0)}, each id checked against the flow vocabulary. */
    public static int[] ids(int[] promptTokens, int[] tokens, int vocabSize) {
        int total = promptTokens.length + tokens.length;
        int[] ids = new int[total];
        for (int i = 0; i < total; i++) {
            int id = Math.max(i < promptTokens.length ? promptTokens[i] : tokens[i - promptTokens.length], 0);
            if (id >= vocabSize) {
                throw new IllegalArgumentException("speech token " + id + " is outside the flow vocabulary [0, " + vocabSize + ")");
            }
            ids[i] = id;
        }
        return ids;
    }
}
