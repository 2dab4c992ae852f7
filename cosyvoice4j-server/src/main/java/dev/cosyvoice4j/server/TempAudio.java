package dev.cosyvoice4j.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Uploaded audio as a private temporary file for the frontend (which reads files), deleted on close. Only the
 * file's bytes come from the request; its name never does.
 */
final class TempAudio implements AutoCloseable {
    final Path file;

    private TempAudio(Path file) { this.file = file; }

    static TempAudio of(byte[] bytes) {
        if (bytes == null) return null;
        try {
            Path f;
            try {
                f = Files.createTempFile("cosyvoice4j-upload-", ".wav", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                f = Files.createTempFile("cosyvoice4j-upload-", ".wav");
            }
            try {
                Files.write(f, bytes);
            } catch (IOException e) {
                Files.deleteIfExists(f);
                throw e;
            }
            return new TempAudio(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store uploaded audio: " + e.getMessage(), e);
        }
    }

    /** The frontend's message about this file, with the temporary path replaced by what the client called it. */
    String describe(String message, String field) {
        return message == null ? field + ": unreadable audio" : message.replace(file.toString(), field);
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the OS's temp cleaning removes it; nothing of the request depends on it any more
        }
    }
}
