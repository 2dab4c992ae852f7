package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Buf;

/**
 * The first half of {@code CausalMaskedDiffWithDiT.inference}: everything the CFM solver needs, time-major backend
 * buffers (views of the {@link FlowSession}'s memory, valid until its next call).
 *
 * @param tokenEmbedding   {@code input_embedding(clamp(token, 0))} of the tokens that produce frames, {@code [tokens, inputSize]}
 * @param lookaheadContext embeddings of the look-ahead tokens passed as context ({@code [preLookaheadLen, inputSize]}),
 *                         null when finalizing
 * @param h                PreLookaheadLayer output {@code [tokens, inputSize]}
 * @param spks             {@code spk_embed_affine_layer(normalize(embedding))}, {@code [1, outputSize]}
 * @param mu               {@code h} repeated {@code token_mel_ratio} times in time, {@code [frames, inputSize]}
 * @param cond             prompt mel in the first {@code promptFrames} frames, zeros after, {@code [frames, outputSize]}
 * @param tokens           number of tokens that produce frames (prompt included)
 * @param frames           {@code T = tokens * token_mel_ratio}
 * @param promptFrames     frames of the prompt mel (the returned mel starts after them)
 */
public record FlowEncoding(Buf tokenEmbedding, Buf lookaheadContext, Buf h, Buf spks, Buf mu, Buf cond, int tokens,
                           int frames, int promptFrames) {
}
