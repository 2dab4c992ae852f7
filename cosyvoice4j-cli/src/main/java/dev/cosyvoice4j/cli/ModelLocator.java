package dev.cosyvoice4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves {@code --model}: an existing directory is used as is; anything else is a model id looked up in the
 * local model cache ({@code $COSYVOICE4J_HOME/models/<id>}, default {@code ~/.cache/cosyvoice4j/models/<id>}).
 */
final class ModelLocator {
    /** The official model id, the default of {@code --model}. */
    static final String DEFAULT_MODEL = "FunAudioLLM/Fun-CosyVoice3-0.5B-2512";

    private ModelLocator() {}

    static Path cacheRoot() {
        String home = System.getenv("COSYVOICE4J_HOME");
        Path root = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".cache", "cosyvoice4j");
        return root.resolve("models");
    }

    static Path resolve(String model) {
        Path asDir = Path.of(model);
        if (Files.isDirectory(asDir)) return asDir;
        Path cached = cacheRoot().resolve(model);
        if (Files.isDirectory(cached)) return cached;
        if (model.contains("/") && !model.startsWith(".") && !model.startsWith("/") && model.split("/").length == 2) {
            throw new UserException("--model: model '" + model + "' is not on this machine. Automatic download is not "
                    + "implemented yet: put the official files (cosyvoice3.yaml, llm.pt, flow.pt, hift.pt, campplus.onnx, "
                    + "speech_tokenizer_v3.onnx, CosyVoice-BlankEN/) in " + cached + " or pass --model DIR");
        }
        throw new UserException("--model: no such directory: " + model);
    }
}
