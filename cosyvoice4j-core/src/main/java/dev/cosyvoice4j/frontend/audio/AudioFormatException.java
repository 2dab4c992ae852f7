package dev.cosyvoice4j.frontend.audio;

import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.file.Path;

/**
 * An audio file that cannot be decoded (not a WAV, corrupt header, empty or truncated data, unsupported
 * encoding). The message names the file and says what was found.
 */
public class AudioFormatException extends ModelFormatException {
    public AudioFormatException(Path file, String problem) { super(file, problem); }

    public AudioFormatException(Path file, String problem, Throwable cause) { super(file, problem, cause); }
}
