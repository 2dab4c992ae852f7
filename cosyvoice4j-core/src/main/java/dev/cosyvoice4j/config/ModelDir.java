package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The official Fun-CosyVoice3-0.5B model directory layout. {@link #open} checks that every file inference needs
 * is there and lists all missing ones in one message. {@code CosyVoice-BlankEN/model.safetensors} is not needed:
 * CosyVoice overwrites those Qwen2 weights from {@code llm.pt}.
 */
public record ModelDir(Path root) {
    public static final String YAML = "cosyvoice3.yaml";
    public static final String LLM_PT = "llm.pt";
    public static final String FLOW_PT = "flow.pt";
    public static final String HIFT_PT = "hift.pt";
    public static final String CAMPPLUS_ONNX = "campplus.onnx";
    public static final String SPEECH_TOKENIZER_ONNX = "speech_tokenizer_v3.onnx";
    public static final String BLANK_EN = "CosyVoice-BlankEN";

    /** Every file {@link #open} requires, relative to the model directory. */
    public static final List<String> REQUIRED = List.of(YAML, LLM_PT, FLOW_PT, HIFT_PT, CAMPPLUS_ONNX,
            SPEECH_TOKENIZER_ONNX, BLANK_EN + "/config.json", BLANK_EN + "/vocab.json", BLANK_EN + "/merges.txt",
            BLANK_EN + "/tokenizer_config.json");

    /** {@code dir} as a model directory, after checking that every {@link #REQUIRED} file exists. */
    public static ModelDir open(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelFormatException(dir, "not a model directory (does not exist or is not a directory)");
        List<String> missing = new ArrayList<>();
        for (String f : REQUIRED) if (!Files.isRegularFile(dir.resolve(f))) missing.add(f);
        if (!missing.isEmpty()) {
            throw new ModelFormatException(dir, "incomplete Fun-CosyVoice3 model directory, missing: " + String.join(", ", missing));
        }
        return new ModelDir(dir);
    }

    public Path yaml() { return root.resolve(YAML); }
    public Path llmPt() { return root.resolve(LLM_PT); }
    public Path flowPt() { return root.resolve(FLOW_PT); }
    public Path hiftPt() { return root.resolve(HIFT_PT); }
    public Path campplusOnnx() { return root.resolve(CAMPPLUS_ONNX); }
    public Path speechTokenizerOnnx() { return root.resolve(SPEECH_TOKENIZER_ONNX); }
    /** The Qwen2 tokenizer + config folder. */
    public Path blankEn() { return root.resolve(BLANK_EN); }
    public Path qwen2ConfigJson() { return blankEn().resolve("config.json"); }
    public Path vocabJson() { return blankEn().resolve("vocab.json"); }
    public Path mergesTxt() { return blankEn().resolve("merges.txt"); }
    public Path tokenizerConfigJson() { return blankEn().resolve("tokenizer_config.json"); }

    /** The parsed configuration ({@link ModelConfig#load}). */
    public ModelConfig config() { return ModelConfig.load(root); }
}
