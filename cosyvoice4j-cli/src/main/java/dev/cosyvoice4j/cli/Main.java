package dev.cosyvoice4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

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
                QualityCommand.class,
        })
public final class Main implements Runnable {
    @Override
    public void run() { CommandLine.usage(this, System.out); }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured picocli instance (one-line errors for bad arguments, exit code 2). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage() + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cl;
    }
}
