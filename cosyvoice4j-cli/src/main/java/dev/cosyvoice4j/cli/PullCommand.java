package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.FileSelection;
import dev.cosyvoice4j.hub.HubException;
import dev.cosyvoice4j.hub.HubKind;
import dev.cosyvoice4j.hub.HubOptions;
import dev.cosyvoice4j.hub.ModelHub;
import dev.cosyvoice4j.hub.ModelId;
import dev.cosyvoice4j.hub.PullResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code pull}: a model from the Hugging Face Hub (or a mirror) or ModelScope into that hub's local cache. */
@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a model into the Hugging Face cache ($HF_HOME/hub, as huggingface_hub lays it out, so Python",
                "tools share it) or, with --hub modelscope, ModelScope's ($MODELSCOPE_CACHE). Only the files the engine reads,",
                "unless --all. Files go in parallel, resume after a dropped connection or an interrupted run, and appear in",
                "the model directory only once their size and sha256 match the hub's file list; a corrupt one is deleted.",
                "Prints the model directory on stdout. HF_ENDPOINT selects a mirror, HF_TOKEN authorises gated or private repos."},
        footer = {"", "Examples:",
                "  cosyvoice4j pull FunAudioLLM/Fun-CosyVoice3-0.5B-2512",
                "  HF_ENDPOINT=https://hf-mirror.com cosyvoice4j pull FunAudioLLM/Fun-CosyVoice3-0.5B-2512",
                "  cosyvoice4j pull FunAudioLLM/Fun-CosyVoice3-0.5B-2512 --hub modelscope"})
public final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", defaultValue = ModelLocator.DEFAULT_MODEL,
            description = "Model id, owner/name (default ${DEFAULT-VALUE}).")
    String id;

    @Option(names = "--revision", paramLabel = "R", description = "Branch, tag or commit (default: main; ModelScope: master).")
    String revision;

    @Option(names = "--hub", defaultValue = "huggingface", description = "huggingface or modelscope (default ${DEFAULT-VALUE}).")
    String hub;

    @Option(names = "--all", description = "Every file of the repository, not only those the engine reads.")
    boolean all;

    @Option(names = "--parallel", defaultValue = "4", description = "Files downloaded at once (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = {"-q", "--quiet"}, description = "No progress display.")
    boolean quiet;

    @Mixin
    HubFlags hubFlags = new HubFlags();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ModelId mid;
        HubKind kind;
        try {
            mid = ModelId.parse(id);
        } catch (IllegalArgumentException e) {
            throw new UserException("ID: " + e.getMessage());
        }
        try {
            kind = HubKind.parse(hub);
        } catch (IllegalArgumentException e) {
            throw new UserException("--hub: " + e.getMessage());
        }
        if (parallel < 1 || parallel > 16) throw new UserException("--parallel must be 1-16, got " + parallel);
        HubOptions options = hubFlags.options().withParallelism(parallel);
        if (options.offline()) throw new UserException("pull: offline mode is on (--offline or HF_HUB_OFFLINE): pulling needs the network");
        ModelHub modelHub = new ModelHub(options);
        FileSelection selection = all ? FileSelection.ALL : EngineFiles.SELECTION;
        PullResult r;
        PullProgress p = new PullProgress(spec.commandLine().getErr(), !quiet && PullProgress.terminal(), false);
        try {
            r = modelHub.pull(mid, kind, revision, selection, p);
        } catch (HubException e) {
            throw new UserException(e.getMessage() + (kind == HubKind.MODELSCOPE ? modelScopeAdvice(e) : ModelLocator.advice(e, mid, modelHub)));
        } finally {
            p.close();
        }
        spec.commandLine().getErr().println(p.summary(r));
        List<String> missing = EngineFiles.missing(r.directory());
        if (!missing.isEmpty()) {
            spec.commandLine().getErr().println("note: " + mid + " lacks files the engine reads: " + String.join(", ", missing));
        }
        spec.commandLine().getErr().flush();
        spec.commandLine().getOut().println(r.directory());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static String modelScopeAdvice(HubException e) {
        return switch (e.kind()) {
            case NETWORK, TIMEOUT -> ". Check the connection to ModelScope (MODELSCOPE_DOMAIN names another host), or pull from "
                    + "the Hugging Face Hub (--hub huggingface, HF_ENDPOINT for a mirror)";
            case UNAUTHORIZED, FORBIDDEN -> ". Only public ModelScope models can be pulled";
            default -> "";
        };
    }
}
