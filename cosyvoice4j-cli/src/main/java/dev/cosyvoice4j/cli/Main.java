package dev.cosyvoice4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Map;

/** The {@code cosyvoice4j} command line: one subcommand per job. */
@Command(name = "cosyvoice4j", mixinStandardHelpOptions = true, version = "cosyvoice4j 0.1.0",
        description = "Fun-CosyVoice3 text-to-speech in Java.",
        subcommands = {
                SynthCommand.class,
                ServeCommand.class,
                NormalizeCommand.class,
                BackendsCommand.class,
                VerifyCommand.class,
                InfoCommand.class,
                MakeSyntheticCommand.class,
                BenchCommand.class,
                SoakCommand.class,
                QualityCommand.class,
                PullCommand.class,
                ModelsCommand.class,
        })
public final class Main implements Runnable {
    private final Map<String, String> env;

    @CommandLine.Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print the Java stack trace after the one-line message.")
    boolean stackTrace;

    /** @param env the environment variables the commands read (HF_HOME, HF_ENDPOINT...): tests pass their own */
    Main(Map<String, String> env) { this.env = Map.copyOf(env); }

    Map<String, String> env() { return env; }

    @Override
    public void run() { CommandLine.usage(this, System.out); }

    public static void main(String[] args) {
        int exit;
        try {
            exit = commandLine().execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // picocli passes Errors through; a hostile input that still reached one gets a line, not a JVM dump
            System.err.println("error: " + e + " (raise -Xmx/-Xss, or report the input that caused it)");
            exit = 1;
        }
        System.exit(exit);
    }

    /** The configured picocli instance (one-line errors for bad arguments, exit code 2), on this process's environment. */
    public static CommandLine commandLine() { return commandLine(System.getenv()); }

    /** The same with {@code env} in place of the process's environment variables. */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new Main(env));
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage() + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cl;
    }
}
