package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.HubException;
import dev.cosyvoice4j.io.ModelFormatException;
import picocli.CommandLine;

/**
 * Turns expected failures (bad files, bad arguments) into one line on stderr and exit code 1; anything else
 * is a bug and keeps its stack trace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof ModelFormatException || e instanceof IllegalArgumentException
                || e instanceof java.io.IOException || e instanceof UserException || e instanceof HubException) {
            cl.getErr().println("error: " + e.getMessage());
            return 1;
        }
        e.printStackTrace(cl.getErr());
        return 70;
    }
}
