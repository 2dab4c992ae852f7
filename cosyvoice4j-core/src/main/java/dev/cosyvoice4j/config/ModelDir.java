package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The official Fun-CosyVoice3-0.5B / CosyVoice2-0.5B model directory layout ({@link ModelFamily}: the yaml and
 * speech tokenizer file names differ). {@link #open} checks that every file inference needs is there and lists all
 * missing ones in one message. {@code CosyVoice-BlankEN/model.safetensors} is not needed: CosyVoice overwrites those
 * Qwen2 weights from {@code llm.pt}.
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

    /** The files {@link #open} requires for a model of {@code family} ({@link #REQUIRED} with the family's names). */
    public static List<String> required(ModelFamily family) {
        return REQUIRED.stream().map(f -> f.equals(YAML) ? family.yamlFile()
                : f.equals(SPEECH_TOKENIZER_ONNX) ? family.speechTokenizerFile() : f).toList();
    }

    /**
     * {@code dir} as a model directory, after checking that every file its family ({@link ModelFamily#detect})
     * {@linkplain #required requires} exists.
     */
    public static ModelDir open(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelFormatException(dir, "not a model directory (does not exist or is not a directory)");
        boolean cv2 = Files.isRegularFile(dir.resolve(ModelFamily.COSYVOICE2.yamlFile()))
                && !Files.isRegularFile(dir.resolve(ModelFamily.COSYVOICE3.yamlFile()));
        ModelFamily family = cv2 ? ModelFamily.COSYVOICE2 : ModelFamily.COSYVOICE3;     // no yaml: list CosyVoice3's files
        List<String> missing = new ArrayList<>();
        for (String f : required(family)) if (!Files.isRegularFile(dir.resolve(f))) missing.add(f);
        if (!missing.isEmpty()) {
            throw new ModelFormatException(dir, "incomplete " + family.displayName() + " model directory, missing: "
                    + String.join(", ", missing) + (missing.contains(YAML)
                    ? " (a CosyVoice2-0.5B directory has " + ModelFamily.COSYVOICE2.yamlFile() + " instead)" : ""));
        }
        return new ModelDir(dir);
    }

    /** The model family, by the yaml present ({@link ModelFamily#detect}). */
    public ModelFamily family() { return ModelFamily.detect(root); }

    public Path yaml() { return root.resolve(family().yamlFile()); }
    public Path llmPt() { return root.resolve(LLM_PT); }
    public Path flowPt() { return root.resolve(FLOW_PT); }
    public Path hiftPt() { return root.resolve(HIFT_PT); }
    public Path campplusOnnx() { return root.resolve(CAMPPLUS_ONNX); }
    public Path speechTokenizerOnnx() { return root.resolve(family().speechTokenizerFile()); }
    /** The Qwen2 tokenizer + config folder. */
    public Path blankEn() { return root.resolve(BLANK_EN); }
    public Path qwen2ConfigJson() { return blankEn().resolve("config.json"); }
    public Path vocabJson() { return blankEn().resolve("vocab.json"); }
    public Path mergesTxt() { return blankEn().resolve("merges.txt"); }
    public Path tokenizerConfigJson() { return blankEn().resolve("tokenizer_config.json"); }

    /** The parsed configuration ({@link ModelConfig#load}). */
    public ModelConfig config() { return ModelConfig.load(root); }
}
