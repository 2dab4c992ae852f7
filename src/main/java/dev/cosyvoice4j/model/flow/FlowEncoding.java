package dev.cosyvoice4j.model.flow;

/**
 * The first half of {@code CausalMaskedDiffWithDiT.inference}: everything the CFM solver needs, time-major.
 *
 * @param tokenEmbedding  {@code input_embedding(clamp(token, 0))} of the tokens that produce frames, {@code [tokens, inputSize]}
 * @param lookaheadContext embeddings of the look-ahead tokens passed as context ({@code [preLookaheadLen, inputSize]}),
 *                         empty when finalizing
 * @param h               PreLookaheadLayer output {@code [tokens, inputSize]}
 * @param spks            {@code spk_embed_affine_layer(normalize(embedding))}, {@code [outputSize]}
 * @param mu              {@code h} repeated {@code token_mel_ratio} times in time, {@code [frames, inputSize]}
 * @param cond            prompt mel in the first {@code promptFrames} frames, zeros after, {@code [frames, outputSize]}
 * @param tokens          number of tokens that produce frames (prompt included)
 * @param frames          {@code T = tokens * token_mel_ratio}
 * @param promptFrames    frames of the prompt mel (the returned mel starts after them)
 */
public record FlowEncoding(float[] tokenEmbedding, float[] lookaheadContext, float[] h, float[] spks, float[] mu,
                           float[] cond, int tokens, int frames, int promptFrames) {
}
