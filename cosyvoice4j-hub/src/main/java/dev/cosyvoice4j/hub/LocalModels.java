package dev.cosyvoice4j.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Finds the models in the Hugging Face and ModelScope caches (for {@code models}). */
final class LocalModels {
    private LocalModels() {}

    static List<LocalModel> scan(HfCache hf, ModelScopeCache ms) {
        List<LocalModel> out = new ArrayList<>();
        for (Path repo : list(hf.root())) {
            String folder = repo.getFileName().toString();
            String[] parts = folder.split("--");
            if (!folder.startsWith("models--") || parts.length != 3 || !Files.isDirectory(repo)) continue;
            if (!ModelId.looksLikeId(parts[1] + "/" + parts[2])) continue;
            ModelId id = new ModelId(parts[1], parts[2]);
            boolean interrupted = list(repo.resolve("blobs")).stream().anyMatch(b -> b.toString().endsWith(".incomplete"));
            for (Path snap : hf.snapshots(id)) {
                String commit = snap.getFileName().toString();
                String refs = list(repo.resolve("refs")).stream().filter(r -> hf.readRef(id, r.getFileName().toString())
                        .filter(commit::equals).isPresent()).map(r -> r.getFileName().toString()).collect(Collectors.joining(","));
                String rev = (refs.isEmpty() ? "" : refs + " ") + commit.substring(0, Math.min(12, commit.length()));
                long[] size = size(snap);
                out.add(new LocalModel(id.toString(), HubKind.HUGGING_FACE, rev, snap, size[0], (int) size[1], interrupted));
            }
        }
        for (Path owner : list(ms.modelsRoot())) {
            if (owner.getFileName().toString().startsWith(".")) continue;
            for (Path model : list(owner)) {
                if (!Files.isDirectory(model) || Files.isSymbolicLink(model)) continue;    // the plain-name link to the masked folder
                String name = ModelScopeCache.unmasked(model.getFileName().toString());
                String id = owner.getFileName() + "/" + name;
                Path tmp = ms.modelsRoot().resolve(".tmp").resolve(owner.getFileName().toString()).resolve(name);
                boolean interrupted = Files.isDirectory(tmp) && walk(tmp).anyMatch(p -> p.toString().endsWith(".incomplete"));
                long[] size = size(model);
                out.add(new LocalModel(id, HubKind.MODELSCOPE, modelScopeRevision(model), model, size[0], (int) size[1], interrupted));
            }
        }
        return out;
    }

    /** The revision ModelScope recorded in {@code .mv} ("Revision:v1.0,CreatedAt:..."), or "-". */
    private static String modelScopeRevision(Path model) {
        try {
            String mv = Files.readString(model.resolve(".mv")).strip();
            return mv.startsWith("Revision:") ? mv.substring(9).split(",")[0] : mv;
        } catch (IOException e) {
            return "-";
        }
    }

    /** {bytes, files} of the regular files under {@code dir} (through symlinks, skipping ModelScope's dot files). */
    private static long[] size(Path dir) {
        long[] r = new long[2];
        walk(dir).filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)).forEach(p -> {
            try {
                r[0] += Files.size(p);
                r[1]++;
            } catch (IOException ignored) {
                // vanished while listing
            }
        });
        return r;
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Stream<Path> walk(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.toList().stream();
        } catch (IOException | RuntimeException e) {
            return Stream.empty();
        }
    }
}
