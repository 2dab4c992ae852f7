package dev.cosyvoice4j.io;

import java.nio.file.Path;

/**
 * A model, checkpoint, array or audio file that cannot be used as it is. The message always names the
 * file and the problem, in one line, so that the CLI can print it without a stack trace.
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(String message) { super(message); }

    public ModelFormatException(String message, Throwable cause) { super(message, cause); }

    public ModelFormatException(Path file, String problem) { super(file + ": " + problem); }

    public ModelFormatException(Path file, String problem, Throwable cause) { super(file + ": " + problem, cause); }
}
