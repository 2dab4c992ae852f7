package dev.cosyvoice4j.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * ModelScope's cache layout, as the {@code modelscope} Python library's {@code snapshot_download} writes it (read
 * from its 2025-2026 source):
 * <pre>
 * &lt;cache&gt;/models/owner/name/...          the files as they are; '.' in the name is written "___"
 *                                           (Fun-CosyVoice3-0.5B-2512 -> Fun-CosyVoice3-0___5B-2512)
 * &lt;cache&gt;/models/.tmp/owner/name/...     downloads in progress
 * </pre>
 * where {@code <cache>} is {@code $MODELSCOPE_CACHE}, by default {@code ~/.cache/modelscope/hub}. The library also
 * keeps a pickled index of the files ({@code .msc}) that this code neither reads nor writes.
 */
public final class ModelScopeCache {
    private final Path root;

    public ModelScopeCache(Path root) { this.root = root; }

    public Path root() { return root; }

    Path modelsRoot() { return root.resolve("models"); }

    /** Where ModelScope puts {@code id}'s files. */
    public Path modelDir(ModelId id) { return modelsRoot().resolve(id.owner()).resolve(masked(id.name())); }

    /** {@code id}'s directory if it exists: the masked name, or the plain name ModelScope links to it. */
    public Optional<Path> find(ModelId id) {
        for (Path p : List.of(modelDir(id), modelsRoot().resolve(id.owner()).resolve(id.name()))) {
            if (Files.isDirectory(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    Path partial(ModelId id, RepoFile f) {
        return modelsRoot().resolve(".tmp").resolve(id.owner()).resolve(id.name()).resolve(f.path() + ".incomplete");
    }

    Path lock(ModelId id, RepoFile f) {
        return modelsRoot().resolve(".tmp").resolve(id.owner()).resolve(id.name()).resolve(f.path() + ".lock");
    }

    /** ModelScope's directory name for a model name: dots become "___". */
    static String masked(String name) { return name.replace(".", "___"); }

    static String unmasked(String dirName) { return dirName.replace("___", "."); }
}
