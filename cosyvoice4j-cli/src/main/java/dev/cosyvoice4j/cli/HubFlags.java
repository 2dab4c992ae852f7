package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.HubOptions;
import dev.cosyvoice4j.hub.ModelHub;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --offline} and the hub settings of the environment, for every command that takes a model id. */
final class HubFlags {
    @Option(names = "--offline", description = "Never touch the network (as HF_HUB_OFFLINE=1): a model id must be in a local cache.")
    boolean offline;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    HubEnv env() {
        return new HubEnv(spec.root().userObject() instanceof Main m ? m.env() : System.getenv());
    }

    HubOptions options() { return env().options(offline); }

    /** Resolves --model values; download progress on stderr when it is a terminal and {@code quiet} is off. */
    ModelLocator locator(boolean quiet) {
        HubEnv e = env();
        return new ModelLocator(new ModelHub(e.options(offline)), e.legacyModels(), spec.commandLine().getErr(),
                !quiet && PullProgress.terminal());
    }
}
