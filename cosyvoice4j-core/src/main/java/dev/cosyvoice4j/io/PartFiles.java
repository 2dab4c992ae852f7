package dev.cosyvoice4j.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The temporary sibling a file is written to before it is renamed into place. Unlike
 * {@link Files#createTempFile}, which creates it readable by the owner only (0600), the part file gets the default
 * permissions of a new file (0666 minus the umask), so the renamed result is an ordinary file, e.g. a WAV a web server
 * can read, or a model directory another user can load.
 */
public final class PartFiles {
    private PartFiles() {}

    /** Creates an empty, hidden, uniquely named file {@code .NAME.RANDOM.SUFFIX} in {@code dir}. */
    public static Path create(Path dir, String name, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + suffix);
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 8) throw e;
            }
        }
    }
}
