package dev.cosyvoice4j.config;

/**
 * Everything a model directory's configuration files say that inference needs: the top-level constants of
 * cosyvoice3.yaml, its llm/flow/hift sections and the Qwen2 config.json.
 */
public record ModelConfig(int sampleRate, int tokenFrameRate, int tokenMelRatio, int chunkSize,
                          LlmConfig llm, FlowConfig flow, HiftConfig hift, Qwen2Config qwen2) {
}
