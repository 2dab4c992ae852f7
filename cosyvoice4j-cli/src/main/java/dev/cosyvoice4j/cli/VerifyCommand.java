package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.CaseResult;
import dev.cosyvoice4j.golden.GoldenManifest;
import dev.cosyvoice4j.golden.GoldenRunner;
import dev.cosyvoice4j.config.CosyVoiceYaml;
import dev.cosyvoice4j.io.PtArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code verify}: runs golden cases of a {@code cosyvoice3-golden/1} manifest against its model dir. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check this build against golden tensors made by the official PyTorch code.")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--golden", required = true, description = "Directory containing manifest.json.")
    Path golden;

    @Option(names = "--stage", completionCandidates = GoldenRunner.StageNames.class,
            description = "Only this stage: ${COMPLETION-CANDIDATES}.")
    String stage;

    @Option(names = "--case", description = "Only this case id.")
    String caseId;

    @Option(names = "--model", description = "Model directory or model id (owner/name) (default: the manifest's model_dir).")
    String model;

    @picocli.CommandLine.Mixin
    HubFlags hubFlags = new HubFlags();

    @Option(names = "--dump", description = "Write every actual output of the cases run here, as <DIR>/<case id>/<output>.npy.")
    Path dump;

    @picocli.CommandLine.Mixin
    OneDnnOption oneDnn = new OneDnnOption();

    @Option(names = "--backend", defaultValue = Backends.DEFAULT,
            description = "The backend to check: a name of './cosyvoice4j backends' (scalar is the plain-loop specification); default ${DEFAULT-VALUE}.")
    String backendName;

    @Option(names = {"-v", "--verbose"}, description = "Print a line per recorded output of each case (metrics and bound), and failure details.")
    boolean verbose;

    @Override
    public Integer call() {
        GoldenManifest m = GoldenManifest.read(golden);
        Path modelDir = model != null ? hubFlags.locator(false).resolve(model) : m.modelDir();
        GoldenRunner runner = new GoldenRunner();
        if (stage != null && !runner.hasStage(stage)) {
            throw new UserException("--stage: no stage '" + stage + "' (stages: " + String.join(", ", runner.stageNames()) + ")");
        }
        if (stage != null && m.cases().stream().noneMatch(c -> c.stage().equals(stage))) {
            throw new UserException("--stage: no case of stage '" + stage + "' in " + golden.resolve("manifest.json"));
        }
        if (caseId != null) m.byId(caseId);
        checkModelFiles(modelDir);
        List<CaseResult> results;
        Backend backend;
        try {
            backend = Backends.open(backendName, oneDnn.apply(BackendOptions.defaults()));
        } catch (IllegalArgumentException e) {
            throw new UserException("--backend: " + e.getMessage());
        }
        try (backend) {
            results = runner.runAll(m, modelDir, backend, stage, caseId, dump, CaseCheck.Dump.ALL);
        }
        int pass = 0, fail = 0, skip = 0;
        for (CaseResult r : results) {
            System.out.println(r.line());
            if (verbose) {
                r.comparisons().forEach(c -> System.out.println("     " + c.line()));
                r.details().forEach(d -> System.out.println("     " + d));
            }
            switch (r.status()) {
                case PASS -> pass++;
                case FAIL -> fail++;
                case SKIP -> skip++;
            }
        }
        System.out.println(pass + " passed, " + fail + " failed" + (skip > 0 ? ", " + skip + " skipped" : ""));
        return fail == 0 ? 0 : 1;
    }

    /**
     * Reads the model's config and indexes its checkpoints before any case runs, so that an unreadable or hostile
     * model directory is one error line (exit 1), not the same failure once per case.
     */
    private static void checkModelFiles(Path modelDir) {
        for (String yaml : new String[]{"cosyvoice3.yaml", "cosyvoice2.yaml"}) {
            if (Files.isRegularFile(modelDir.resolve(yaml))) CosyVoiceYaml.read(modelDir.resolve(yaml));
        }
        for (String pt : new String[]{"llm.pt", "flow.pt", "hift.pt"}) {
            if (Files.isRegularFile(modelDir.resolve(pt))) {
                try (PtArchive ignored = PtArchive.open(modelDir.resolve(pt))) {
                    // indexing checks the zip, the pickle and every tensor's bounds; nothing is read
                }
            }
        }
    }
}
