package dev.cosyvoice4j.config;

import java.nio.file.Path;

/**
 * Everything a model directory's configuration files say that inference needs: the top-level constants of
 * cosyvoice3.yaml, its llm/flow/hift sections and the Qwen2 config.json.
 */
public record ModelConfig(int sampleRate, int tokenFrameRate, int tokenMelRatio, int chunkSize,
                          LlmConfig llm, FlowConfig flow, HiftConfig hift, Qwen2Config qwen2) {

    /**
     * Reads {@code cosyvoice3.yaml} and {@code CosyVoice-BlankEN/config.json} of {@code modelDir} (nothing in
     * them is executed), checks that the yaml names the expected CosyVoice3 classes, and fills the records.
     */
    public static ModelConfig load(Path modelDir) {
        return ModelConfigLoader.load(modelDir);
    }
}
