package dev.cosyvoice4j.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of this project's source tree (fixtures used as defaults) from the working directory or the classes' location. */
final class ProjectFiles {
    private ProjectFiles() {}

    /** {@code relative} under the working directory or under a parent of the running classes, or null. */
    static Path find(String relative) {
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.exists(cwd.resolve(relative))) return cwd.resolve(relative);
        try {
            Path p = Path.of(ProjectFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (; p != null; p = p.getParent()) {
                if (Files.exists(p.resolve(relative))) return p.resolve(relative);
            }
        } catch (URISyntaxException | SecurityException | NullPointerException | IllegalArgumentException ignored) {
            // not found
        }
        return null;
    }
}
