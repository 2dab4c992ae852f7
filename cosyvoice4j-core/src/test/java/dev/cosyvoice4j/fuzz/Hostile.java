package dev.cosyvoice4j.fuzz;

/**
 * The contract every parser of outside input keeps, checked by the fuzz targets: an input is either accepted or
 * refused with the parser's documented exception, whose message is one non-empty line (the CLI prints it as the
 * whole error). Anything else (another exception, an {@link Error} such as OutOfMemoryError or
 * StackOverflowError) escapes and is a finding. The one-second bound per input is libFuzzer's {@code -timeout=1}
 * in {@code scripts/fuzz}.
 */
public final class Hostile {
    private Hostile() {}

    /** A parse that may refuse the input. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    /** Runs {@code parse}; a {@code documented} exception must carry a one-line message, anything else escapes. */
    public static void refusedOnlyWith(Class<? extends RuntimeException> documented, Parse parse) throws Exception {
        try {
            parse.run();
        } catch (RuntimeException e) {
            if (!documented.isInstance(e)) throw e;
            requireOneLine(e);
        }
    }

    /** Throws (a finding) when {@code e}'s message is empty or spans lines. */
    public static void requireOneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new IllegalStateException("error message is not one clear line: " + (m == null ? null : m.replace("\n", "\\n")), e);
        }
    }
}
