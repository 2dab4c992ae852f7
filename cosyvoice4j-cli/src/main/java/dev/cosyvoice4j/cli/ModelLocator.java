package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.HubException;
import dev.cosyvoice4j.hub.HubKind;
import dev.cosyvoice4j.hub.ModelHub;
import dev.cosyvoice4j.hub.ModelId;
import dev.cosyvoice4j.hub.PullResult;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves {@code --model}: an existing directory is used as is; a model id ({@code owner/name}) is looked up in the
 * Hugging Face cache (refs/main's snapshot first, then any other complete one), ModelScope's cache and the old
 * cosyvoice4j model folder, and downloaded from the Hugging Face Hub (or {@code HF_ENDPOINT}) when it is in none
 * of them, unless offline.
 */
final class ModelLocator {
    /** The official model id, the default of {@code --model}. */
    static final String DEFAULT_MODEL = "FunAudioLLM/Fun-CosyVoice3-0.5B-2512";

    private final ModelHub hub;
    private final Path legacyModels;
    private final PrintWriter err;
    private final boolean progress;

    ModelLocator(ModelHub hub, Path legacyModels, PrintWriter err, boolean progress) {
        this.hub = hub;
        this.legacyModels = legacyModels;
        this.err = err;
        this.progress = progress;
    }

    /** The cosyvoice4j folder ({@code $COSYVOICE4J_HOME}, default {@code ~/.cache/cosyvoice4j}) + "/models": its siblings hold speakers and quantised weights. */
    static Path cacheRoot() {
        String home = System.getenv("COSYVOICE4J_HOME");
        Path root = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".cache", "cosyvoice4j");
        return root.resolve("models");
    }

    Path resolve(String model) {
        Path asDir = Path.of(model);
        if (Files.isDirectory(asDir)) return asDir;
        if (!ModelId.looksLikeId(model)) {
            throw new UserException("--model: no such directory: " + model + " (a model id is owner/name, e.g. " + DEFAULT_MODEL + ")");
        }
        ModelId id = ModelId.parse(model);
        List<String> looked = new ArrayList<>();
        Path local = findLocal(id, looked);
        if (local != null) return local;
        if (hub.options().offline()) {
            throw new UserException("--model: " + id + " is not on this machine and offline mode is on (--offline or HF_HUB_OFFLINE): "
                    + "looked in " + String.join("; ", looked) + ". Pass --model DIR, or go online to download it");
        }
        err.println(id + " is not on this machine (looked in " + String.join("; ", looked) + "): downloading it from "
                + hub.options().hfEndpoint() + " into " + hub.hfCache().root());
        err.flush();
        PullResult r;
        PullProgress p = new PullProgress(err, progress, true);
        try {
            r = hub.pull(id, HubKind.HUGGING_FACE, null, EngineFiles.SELECTION, p);
        } catch (HubException e) {
            throw new UserException(e.getMessage() + advice(e, id, hub));
        } finally {
            p.close();
        }
        err.println(p.summary(r));
        err.flush();
        List<String> missing = EngineFiles.missing(r.directory());
        if (!missing.isEmpty()) {
            throw new UserException("--model: " + id + " is not a model this engine reads: it has no " + String.join(", ", missing));
        }
        return r.directory();
    }

    /** A complete local copy of {@code id}, or null; {@code looked} gets every place tried. */
    private Path findLocal(ModelId id, List<String> looked) {
        Set<Path> hf = new LinkedHashSet<>();
        hub.hfCache().snapshot(id, "main").ifPresent(hf::add);
        hf.addAll(hub.hfCache().snapshots(id));
        List<Path> candidates = new ArrayList<>(hf);
        hub.modelScopeCache().find(id).ifPresent(candidates::add);
        Path legacy = legacyModels.resolve(id.owner()).resolve(id.name());
        if (Files.isDirectory(legacy)) candidates.add(legacy);
        for (Path dir : candidates) {
            List<String> missing = EngineFiles.missing(dir);
            if (missing.isEmpty()) return dir;
            looked.add(dir + " (incomplete: no " + String.join(", ", missing) + ")");
        }
        if (hf.isEmpty()) looked.add(hub.hfCache().repoDir(id).toString());
        if (hub.modelScopeCache().find(id).isEmpty()) looked.add(hub.modelScopeCache().modelDir(id).toString());
        if (!Files.isDirectory(legacy)) looked.add(legacy.toString());
        return null;
    }

    /** What the user can do about a failed download, beyond what the hub's message says. */
    static String advice(HubException e, ModelId id, ModelHub hub) {
        return switch (e.kind()) {
            case NETWORK, TIMEOUT -> ". To go on: pass --model DIR with the official files; or set HF_ENDPOINT to a mirror you "
                    + "can reach (e.g. HF_ENDPOINT=https://hf-mirror.com); or run './cosyvoice4j pull " + id + "' where the hub "
                    + "is reachable and copy " + hub.hfCache().repoDir(id) + " to this machine";
            case UNAUTHORIZED, FORBIDDEN -> ". Set HF_TOKEN (or run 'hf auth login'), or pass --model DIR";
            case NOT_FOUND -> ". Or pass --model DIR";
            default -> "";
        };
    }
}
