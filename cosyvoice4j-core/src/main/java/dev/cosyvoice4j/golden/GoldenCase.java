package dev.cosyvoice4j.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.Npy;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One case of a {@code cosyvoice3-golden/1} manifest: its id, stage, raw {@code inputs}/{@code outputs}
 * JSON and helpers to load the {@code .npy} files it names (paths relative to the manifest).
 */
public record GoldenCase(String id, String stage, JsonNode inputs, JsonNode outputs, JsonNode tolerance,
                         GoldenManifest manifest) {

    public Path dir() { return manifest.dir(); }

    /** The tensor of a file spec {@code {"file": ..., "dtype": ..., "shape": ...}}; checks the shape. */
    public Tensor tensor(JsonNode spec) {
        if (spec == null || !spec.has("file")) throw new IllegalArgumentException(id + ": not a file spec: " + spec);
        Tensor t = Npy.read(dir().resolve(spec.get("file").asText()));
        JsonNode shape = spec.get("shape");
        if (shape != null) {
            long[] s = new long[shape.size()];
            for (int i = 0; i < s.length; i++) s[i] = shape.get(i).asLong();
            if (!t.hasShape(s)) {
                throw new ModelFormatException(id + ": " + spec.get("file").asText() + " has shape "
                        + Arrays.toString(t.shape()) + ", manifest says " + Arrays.toString(s));
            }
        }
        return t;
    }

    /** {@code inputs[name]}; a {@code {"ref": id}} is returned as is (see {@link #ref}). */
    public JsonNode input(String name) { return require(inputs, name, "inputs"); }

    public JsonNode output(String name) { return require(outputs, name, "outputs"); }

    public Tensor inputTensor(String name) { return tensor(input(name)); }

    public Tensor outputTensor(String name) { return tensor(output(name)); }

    /** The case a {@code {"ref": id}} input points at. */
    public GoldenCase ref(String inputName) {
        JsonNode n = input(inputName);
        if (!n.has("ref")) throw new IllegalArgumentException(id + ": input " + inputName + " is not a ref");
        return manifest.byId(n.get("ref").asText());
    }

    /**
     * The tolerance for one output: the manifest gives either one object for the whole case or one object
     * per output name.
     */
    public Tolerance toleranceFor(String outputName) {
        JsonNode per = tolerance.get(outputName);
        if (per != null && per.isObject()) return Tolerance.of(per);
        return Tolerance.of(tolerance);
    }

    private JsonNode require(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        if (v == null) throw new IllegalArgumentException(id + ": no " + where + "." + name + " in the manifest");
        return v;
    }
}
