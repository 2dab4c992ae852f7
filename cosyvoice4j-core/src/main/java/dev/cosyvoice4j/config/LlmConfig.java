package dev.cosyvoice4j.config;

/** {@code llm: !new:cosyvoice.llm.llm.CosyVoice3LM} of cosyvoice3.yaml, with its {@code sampling} arguments. */
public record LlmConfig(int llmInputSize, int llmOutputSize, int speechTokenSize,
                        double topP, int topK, int winSize, double tauR) {
}
