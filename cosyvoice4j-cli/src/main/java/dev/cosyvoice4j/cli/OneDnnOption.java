package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.backend.BackendOptions;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --onednn-library}: a {@code libdnnl} for the cpu backend's bf16 products instead of the bundled one. */
final class OneDnnOption {
    @Option(names = "--onednn-library", paramLabel = "FILE",
            description = "A libdnnl.so.3 for bf16 products (default: the bundled copy, then the system's).")
    Path library;

    /** {@code options} with the library, checked to exist. */
    BackendOptions apply(BackendOptions options) {
        if (library == null) return options;
        if (!Files.isRegularFile(library)) throw new UserException("--onednn-library: no such file: " + library);
        return options.withOneDnnLibrary(library);
    }
}
