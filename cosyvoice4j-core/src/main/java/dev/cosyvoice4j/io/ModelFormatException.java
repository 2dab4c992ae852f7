package dev.cosyvoice4j.io;

import java.nio.file.Path;

/**
 * A model, checkpoint, array or audio file that cannot be used as it is. The message always names the
 * file and the problem, in one line, so that the CLI can print it without a stack trace: text quoted from a hostile
 * file (a key, a header) has its control characters escaped ({@link #oneLine}) and is cut to a readable length.
 */
public class ModelFormatException extends RuntimeException {
    /** Longest message kept; quoted file content beyond it is cut (a hostile header can be megabytes). */
    static final int MAX_MESSAGE_CHARS = 1000;

    public ModelFormatException(String message) { super(oneLine(message)); }

    public ModelFormatException(String message, Throwable cause) { super(oneLine(message), cause); }

    public ModelFormatException(Path file, String problem) { super(oneLine(file + ": " + problem)); }

    public ModelFormatException(Path file, String problem, Throwable cause) { super(oneLine(file + ": " + problem), cause); }

    /**
     * {@code message} as one printable line: control characters (line breaks included) as {@code \xNN} or
     * {@code \\uNNNN}, and at most {@value #MAX_MESSAGE_CHARS} characters (then "...").
     */
    public static String oneLine(String message) {
        if (message == null) return null;
        StringBuilder b = null;
        int n = Math.min(message.length(), MAX_MESSAGE_CHARS);
        for (int i = 0; i < n; i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || (c >= 0x80 && c < 0xa0);
            if (control && b == null) b = new StringBuilder(n + 16).append(message, 0, i);
            if (b != null) {
                if (control) b.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
                else b.append(c);
            }
        }
        String s = b == null ? message.substring(0, n) : b.toString();
        return message.length() > MAX_MESSAGE_CHARS ? s + "..." : s;
    }
}
