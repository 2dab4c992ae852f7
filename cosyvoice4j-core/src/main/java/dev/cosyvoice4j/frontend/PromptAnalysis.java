package dev.cosyvoice4j.frontend;

/**
 * The result of analysing one prompt WAV: the aligned features plus what the engine may want to show.
 *
 * @param features         the aligned prompt features
 * @param timings          wall time per step
 * @param durationSeconds  the prompt's duration
 * @param sampleRateHz     the file's sample rate
 * @param rawTokenCount    tokenizer output length before alignment
 * @param rawFeatFrames    matcha mel frames before alignment
 */
public record PromptAnalysis(PromptFeatures features, FrontendTimings timings, double durationSeconds, int sampleRateHz,
                             int rawTokenCount, int rawFeatFrames) {
}
