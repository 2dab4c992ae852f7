package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.HubException;
import dev.cosyvoice4j.io.ModelFormatException;
import picocli.CommandLine;

/**
 * Turns failures into one line on stderr: expected ones (bad files, bad arguments) exit 1; anything else is a bug,
 * reported as one line naming the exception and exit 70, with its stack trace only under {@code --stacktrace}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof ModelFormatException || e instanceof IllegalArgumentException
                || e instanceof java.io.IOException || e instanceof UserException || e instanceof HubException) {
            cl.getErr().println("error: " + ModelFormatException.oneLine(e.getMessage()));
            if (stackTraceWanted(parsed)) e.printStackTrace(cl.getErr());
            return 1;
        }
        if (stackTraceWanted(parsed)) {
            e.printStackTrace(cl.getErr());
        } else {
            cl.getErr().println("error: unexpected " + e.getClass().getName() + ": " + ModelFormatException.oneLine(e.getMessage())
                    + " (a bug: please report it with the output of --stacktrace)");
        }
        return 70;
    }

    /** Whether {@code --stacktrace} was given, on the main command or a subcommand. */
    static boolean stackTraceWanted(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--stacktrace")) return true;
        }
        return false;
    }
}
