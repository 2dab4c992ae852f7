package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.spi.BackendProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code backends}: every backend on the class path, what it supports and, for one that cannot run here, why. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List the backends (--backend NAME of synth, bench, verify and quality): availability, precisions, what computes.")
public final class BackendsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<BackendProvider> providers = Backends.providers();
        out.printf("%-8s %-11s %-22s %s%n", "NAME", "STATUS", "PRECISIONS", "WHAT");
        for (BackendProvider p : providers) {
            String status = p.unavailableReason().isPresent() ? "unavailable" : "available";
            String precisions = p.precisions().stream().sorted().map(Precision::label).collect(Collectors.joining(", "));
            out.printf("%-8s %-11s %-22s %s%s%n", p.name(), status, precisions, p.summary(),
                    Backends.DEFAULT.equals(p.name()) ? " (default)" : "");
            p.unavailableReason().ifPresent(why -> out.printf("%-8s %-11s %s%n", "", "", "why: " + why));
        }
        return 0;
    }
}
