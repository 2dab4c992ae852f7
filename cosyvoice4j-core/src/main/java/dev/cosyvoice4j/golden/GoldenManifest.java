package dev.cosyvoice4j.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed {@code manifest.json} in format {@code cosyvoice3-golden/1}. */
public final class GoldenManifest {
    public static final String FORMAT = "cosyvoice3-golden/1";
    public static final String COSYVOICE3 = "cosyvoice3", COSYVOICE2 = "cosyvoice2";

    private final Path dir;
    private final Path modelDir;
    private final String modelFamily;
    private final Map<String, GoldenCase> cases = new LinkedHashMap<>();

    private GoldenManifest(Path dir, JsonNode root) {
        this.dir = dir;
        this.modelDir = dir.resolve(root.path("model_dir").asText("")).normalize();
        this.modelFamily = root.path("model_family").asText(COSYVOICE3);
        for (JsonNode c : root.path("cases")) {
            GoldenCase gc = new GoldenCase(c.path("id").asText(), c.path("stage").asText(),
                    c.path("inputs"), c.path("outputs"), c.path("tolerance"), this);
            cases.put(gc.id(), gc);
        }
    }

    /** Reads {@code dirOrFile/manifest.json} (or the file itself). */
    public static GoldenManifest read(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("manifest.json") : dirOrFile;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read golden manifest: " + e.getMessage(), e);
        }
        String format = root.path("format").asText("");
        if (!FORMAT.equals(format)) {
            throw new ModelFormatException(file, "manifest format is '" + format + "', expected " + FORMAT);
        }
        return new GoldenManifest(file.toAbsolutePath().getParent(), root);
    }

    public Path dir() { return dir; }

    /** The model directory the manifest names ({@code model_dir}, relative to the manifest). */
    public Path modelDir() { return modelDir; }

    /** {@code model_family}: "cosyvoice3" (the default when absent) or "cosyvoice2". */
    public String modelFamily() { return modelFamily; }

    public List<GoldenCase> cases() { return new ArrayList<>(cases.values()); }

    public GoldenCase byId(String id) {
        GoldenCase c = cases.get(id);
        if (c == null) throw new IllegalArgumentException("no golden case '" + id + "' in " + dir.resolve("manifest.json"));
        return c;
    }
}
