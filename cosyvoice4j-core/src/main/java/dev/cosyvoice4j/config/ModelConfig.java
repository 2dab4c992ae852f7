package dev.cosyvoice4j.config;

import java.nio.file.Path;

/**
 * Everything a model directory's configuration files say that inference needs: the top-level constants of
 * cosyvoice3.yaml / cosyvoice2.yaml, its llm/flow/hift sections and the Qwen2 config.json.
 *
 * @param flow   the CosyVoice3 DiT flow section; null for {@link ModelFamily#COSYVOICE2}, whose Conformer + U-Net
 *               flow reads its own section of cosyvoice2.yaml
 * @param hift   the vocoder section ({@code conv_pre_look_right} is 0 for CosyVoice2's non-causal HiFT)
 * @param family which model family the yaml describes
 */
public record ModelConfig(int sampleRate, int tokenFrameRate, int tokenMelRatio, int chunkSize,
                          LlmConfig llm, FlowConfig flow, HiftConfig hift, Qwen2Config qwen2, ModelFamily family) {

    /** A CosyVoice3 configuration. */
    public ModelConfig(int sampleRate, int tokenFrameRate, int tokenMelRatio, int chunkSize,
                       LlmConfig llm, FlowConfig flow, HiftConfig hift, Qwen2Config qwen2) {
        this(sampleRate, tokenFrameRate, tokenMelRatio, chunkSize, llm, flow, hift, qwen2, ModelFamily.COSYVOICE3);
    }

    /**
     * Reads the yaml of the directory's family ({@link ModelFamily#detect}) and {@code CosyVoice-BlankEN/config.json}
     * (nothing in them is executed), checks that the yaml names the classes of that family, and fills the records.
     */
    public static ModelConfig load(Path modelDir) {
        return ModelConfigLoader.load(modelDir);
    }
}
