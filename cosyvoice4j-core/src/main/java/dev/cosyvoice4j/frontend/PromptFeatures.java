package dev.cosyvoice4j.frontend;

import dev.cosyvoice4j.frontend.audio.FeatureMatrix;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a prompt (a "speaker") contributes to synthesis, after the zero-shot alignment: speech tokens for the
 * LLM and flow prompt, the flow prompt mel {@code [featFrames, melBins]} (natural-log mel, 50 Hz) and the CAM++
 * speaker embedding. Immutable: arrays are copied in and out. {@link #save} / {@link #load} store it as a
 * small versioned file ({@link PromptFeaturesFile}).
 *
 * <p>Ports the prompt part of {@code CosyVoiceFrontEnd.frontend_zero_shot} ({@code cosyvoice/cli/frontend.py:
 * 163-189}): {@code prompt_speech_token}, {@code prompt_speech_feat}, {@code llm/flow_embedding}.
 */
public record PromptFeatures(int[] speechTokens, float[] speechFeat, int featFrames, int melBins, float[] embedding) {
    public PromptFeatures {
        if (speechTokens == null || speechFeat == null || embedding == null) throw new IllegalArgumentException("null component");
        if (featFrames < 0 || melBins < 1 || (long) featFrames * melBins != speechFeat.length) {
            throw new IllegalArgumentException("speech feat has " + speechFeat.length + " values, not " + featFrames + " x " + melBins);
        }
        if (embedding.length == 0) throw new IllegalArgumentException("empty speaker embedding");
        for (int t : speechTokens) if (t < 0) throw new IllegalArgumentException("negative speech token " + t);
        speechTokens = speechTokens.clone();
        speechFeat = speechFeat.clone();
        embedding = embedding.clone();
    }

    /**
     * The zero-shot alignment ({@code frontend.py:174-178}): {@code token_len = min(feat_frames / ratio,
     * n_tokens)}; keeps {@code token_len} tokens and {@code ratio * token_len} mel frames.
     */
    public static PromptFeatures aligned(int[] tokens, FeatureMatrix speechFeat, float[] embedding, int tokenMelRatio) {
        int tokenLen = alignedTokenCount(speechFeat.rows(), tokens.length, tokenMelRatio);
        int frames = tokenLen * tokenMelRatio;
        return new PromptFeatures(Arrays.copyOf(tokens, tokenLen),
                Arrays.copyOf(speechFeat.values(), frames * speechFeat.cols()), frames, speechFeat.cols(), embedding);
    }

    /** {@code min(int(feat_frames / ratio), n_tokens)}. */
    public static int alignedTokenCount(int featFrames, int nTokens, int tokenMelRatio) {
        if (tokenMelRatio < 1) throw new IllegalArgumentException("token_mel_ratio must be positive: " + tokenMelRatio);
        return Math.min(featFrames / tokenMelRatio, nTokens);
    }

    @Override public int[] speechTokens() { return speechTokens.clone(); }

    @Override public float[] speechFeat() { return speechFeat.clone(); }

    @Override public float[] embedding() { return embedding.clone(); }

    public int tokenCount() { return speechTokens.length; }

    /** {@code prompt_speech_feat} as a tensor {@code [1, featFrames, melBins]} (over a copy). */
    public Tensor speechFeatTensor() { return Tensor.of(speechFeat.clone(), 1, featFrames, melBins); }

    /** The embedding as a tensor {@code [1, dim]} (over a copy). */
    public Tensor embeddingTensor() { return Tensor.of(embedding.clone(), 1, embedding.length); }

    /** Writes this to {@code file} atomically (temp file + rename). */
    public void save(Path file) throws IOException { PromptFeaturesFile.write(file, this); }

    /** Reads a file written by {@link #save}; {@link dev.cosyvoice4j.io.ModelFormatException} if it is not valid. */
    public static PromptFeatures load(Path file) { return PromptFeaturesFile.read(file); }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptFeatures p && p.featFrames == featFrames && p.melBins == melBins
                && Arrays.equals(p.speechTokens, speechTokens) && Arrays.equals(p.speechFeat, speechFeat)
                && Arrays.equals(p.embedding, embedding);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(speechTokens) * 961 + Arrays.hashCode(speechFeat) * 31 + Arrays.hashCode(embedding);
    }

    @Override
    public String toString() {
        return "PromptFeatures[" + speechTokens.length + " tokens, " + featFrames + "x" + melBins + " mel, embedding "
                + embedding.length + "]";
    }
}
