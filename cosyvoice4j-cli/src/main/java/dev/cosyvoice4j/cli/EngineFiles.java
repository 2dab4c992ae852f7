package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.config.ModelDir;
import dev.cosyvoice4j.config.ModelFamily;
import dev.cosyvoice4j.hub.FileSelection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files of an official model repository that the engine reads: what {@code pull} fetches without {@code --all}. */
final class EngineFiles {
    /**
     * CosyVoice3 and CosyVoice2 (yaml, tokenizer version). CosyVoice-BlankEN's model.safetensors (the Qwen2 weights
     * before CosyVoice training, ~1 GB) is left out: the engine reads the LLM from llm.pt.
     */
    static final FileSelection SELECTION = new FileSelection(List.of("cosyvoice3.yaml", "cosyvoice2.yaml", "llm.pt", "flow.pt",
            "hift.pt", "campplus.onnx", "speech_tokenizer_v3.onnx", "speech_tokenizer_v2.onnx", "CosyVoice-BlankEN/**"),
            List.of("CosyVoice-BlankEN/*.safetensors"));

    private EngineFiles() {}

    /** The files the engine needs that {@code dir} lacks (CosyVoice2's names where its yaml is there); empty = complete. */
    static List<String> missing(Path dir) {
        boolean cv2 = !Files.isRegularFile(dir.resolve(ModelDir.YAML))
                && Files.isRegularFile(dir.resolve(ModelFamily.COSYVOICE2.yamlFile()));
        List<String> missing = new ArrayList<>();
        for (String f : ModelDir.required(cv2 ? ModelFamily.COSYVOICE2 : ModelFamily.COSYVOICE3)) {
            if (!Files.isRegularFile(dir.resolve(f))) missing.add(f);
        }
        return missing;
    }
}
