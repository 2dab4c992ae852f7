package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Buf;

/**
 * The encoding half of {@link CausalMaskedDiffWithXvec#inference}: {@code spks [1, mel]}, {@code mu} and {@code cond}
 * channel-major {@code [mel, frames]}; {@code tokens} encoded (look-ahead excluded), {@code frames} =
 * {@code tokens * token_mel_ratio}, {@code promptFrames} the prompt mel's length. Views of the session's memory.
 */
public record Cv2FlowEncoding(Buf spks, Buf mu, Buf cond, int tokens, int frames, int promptFrames) {}
