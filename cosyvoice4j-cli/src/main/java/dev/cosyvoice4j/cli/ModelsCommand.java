package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.HubOptions;
import dev.cosyvoice4j.hub.LocalModel;
import dev.cosyvoice4j.hub.ModelHub;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code models}: the models on this machine, in the Hugging Face cache, ModelScope's and the old cosyvoice4j folder. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List local models: id, cache, revision, size, whether the engine's files are all there, directory.")
public final class ModelsCommand implements Callable<Integer> {
    @Mixin
    HubFlags hubFlags = new HubFlags();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HubEnv env = hubFlags.env();
        HubOptions options = hubFlags.options();
        List<LocalModel> models = new ArrayList<>(new ModelHub(options).localModels());
        models.addAll(legacy(env.legacyModels()));
        if (models.isEmpty()) {
            out.println("no models in " + options.hfCache() + ", " + options.modelScopeCache().resolve("models") + " or "
                    + env.legacyModels() + "; './cosyvoice4j pull ID' downloads one");
            out.flush();
            return 0;
        }
        out.printf("%-40s %-12s %-20s %10s  %-10s %s%n", "ID", "CACHE", "REVISION", "SIZE", "STATUS", "DIRECTORY");
        for (LocalModel m : models) {
            List<String> missing = EngineFiles.missing(m.directory());
            String status = missing.isEmpty() ? "complete" : "incomplete (no " + String.join(", ", missing) + ")";
            if (m.interrupted()) status += "; a download was interrupted: pull resumes it";
            out.printf("%-40s %-12s %-20s %10s  %-10s %s%n", m.id(), m.hub() == null ? "cosyvoice4j" : m.hub().label(),
                    m.revision(), PullProgress.bytes(m.bytes()), status, m.directory());
        }
        out.flush();
        return 0;
    }

    /** Models in the old cosyvoice4j folder: models/owner/name. */
    private static List<LocalModel> legacy(Path root) {
        List<LocalModel> out = new ArrayList<>();
        for (Path owner : list(root)) {
            for (Path model : list(owner)) {
                if (!Files.isDirectory(model)) continue;
                long bytes = 0;
                int files = 0;
                try (Stream<Path> s = Files.walk(model)) {
                    for (Path p : s.filter(Files::isRegularFile).toList()) {
                        bytes += Files.size(p);
                        files++;
                    }
                } catch (IOException e) {
                    // listed with what could be read
                }
                out.add(new LocalModel(owner.getFileName() + "/" + model.getFileName(), null, "-", model, bytes, files, false));
            }
        }
        return out;
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
