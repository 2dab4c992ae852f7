package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two model families this engine runs, told apart by the model directory's yaml (as the official
 * {@code AutoModel} does, {@code cosyvoice/cli/cosyvoice.py}): {@code cosyvoice3.yaml} (Fun-CosyVoice3-0.5B:
 * CosyVoice3LM, DiT flow, causal HiFT) or {@code cosyvoice2.yaml} (CosyVoice2-0.5B: Qwen2LM, Conformer + U-Net flow,
 * non-causal HiFT). The yaml's class tags are checked when the configuration is read ({@link ModelConfig#load}).
 */
public enum ModelFamily {
    COSYVOICE3("cosyvoice3", "Fun-CosyVoice3-0.5B", "cosyvoice3.yaml", "speech_tokenizer_v3.onnx"),
    COSYVOICE2("cosyvoice2", "CosyVoice2-0.5B", "cosyvoice2.yaml", "speech_tokenizer_v2.onnx");

    private final String id, displayName, yamlFile, speechTokenizerFile;

    ModelFamily(String id, String displayName, String yamlFile, String speechTokenizerFile) {
        this.id = id;
        this.displayName = displayName;
        this.yamlFile = yamlFile;
        this.speechTokenizerFile = speechTokenizerFile;
    }

    /** "cosyvoice3" / "cosyvoice2": the golden manifests' {@code model_family} and the CLI's {@code --family}. */
    public String id() { return id; }

    /** The released model's name, for {@code info} and logs. */
    public String displayName() { return displayName; }

    /** The configuration file of the model directory. */
    public String yamlFile() { return yamlFile; }

    /** The speech tokenizer ONNX file of the model directory. */
    public String speechTokenizerFile() { return speechTokenizerFile; }

    /** The family of {@code id} ("cosyvoice3" or "cosyvoice2"). */
    public static ModelFamily ofId(String id) {
        for (ModelFamily f : values()) if (f.id.equals(id)) return f;
        throw new IllegalArgumentException("unknown model family '" + id + "' (known: cosyvoice3, cosyvoice2)");
    }

    /**
     * The family of a model directory by its yaml; when both files are there, cosyvoice3.yaml wins (the official
     * loaders look for it first).
     *
     * @throws ModelFormatException when neither yaml is there
     */
    public static ModelFamily detect(Path modelDir) {
        for (ModelFamily f : values()) if (Files.isRegularFile(modelDir.resolve(f.yamlFile))) return f;
        throw new ModelFormatException(modelDir, "neither " + COSYVOICE3.yamlFile + " (Fun-CosyVoice3) nor "
                + COSYVOICE2.yamlFile + " (CosyVoice2) found: not a CosyVoice model directory");
    }
}
