package dev.cosyvoice4j.golden;

import dev.cosyvoice4j.backend.Kernels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Runs golden cases through the registered {@link GoldenStage}s. Used by {@code verify} and the tests. */
public final class GoldenRunner {
    private final Map<String, GoldenStage> stages = new HashMap<>();

    public GoldenRunner() {
        for (GoldenStage s : ServiceLoader.load(GoldenStage.class)) stages.put(s.stage(), s);
    }

    public boolean hasStage(String stage) { return stages.containsKey(stage); }

    /** Runs one case; never throws. */
    public CaseResult run(GoldenCase c, GoldenContext ctx, Path dumpDirOrNull) {
        long t0 = System.nanoTime();
        GoldenStage stage = stages.get(c.stage());
        if (stage == null) {
            return new CaseResult(c.id(), CaseResult.Status.SKIP, "stage '" + c.stage() + "' is not implemented yet", List.of(), 0);
        }
        CaseCheck check = new CaseCheck(c, dumpDirOrNull);
        try {
            stage.run(c, ctx, check);
        } catch (GoldenStage.SkipCase s) {
            return new CaseResult(c.id(), CaseResult.Status.SKIP, s.getMessage(), List.of(), secs(t0));
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            check.fail("error: " + e);
            List<String> d = new ArrayList<>(check.failures());
            for (StackTraceElement el : e.getStackTrace()) {
                d.add("    at " + el);
                if (d.size() > 25) break;
            }
            return new CaseResult(c.id(), CaseResult.Status.FAIL, "error: " + e.getMessage(), d, secs(t0));
        }
        Comparison worst = check.worst();
        String summary = worst == null ? "" : worst.describe();
        if (check.passed()) {
            if (check.comparisons().isEmpty()) {
                return new CaseResult(c.id(), CaseResult.Status.FAIL, "stage compared nothing", List.of(), secs(t0));
            }
            return new CaseResult(c.id(), CaseResult.Status.PASS, summary, List.of(), secs(t0));
        }
        return new CaseResult(c.id(), CaseResult.Status.FAIL, check.failures().get(0), check.failures(), secs(t0));
    }

    /** Runs the cases selected by stage and/or id (null = all). */
    public List<CaseResult> runAll(GoldenManifest m, Path modelDir, Kernels kernels, String stageOrNull, String idOrNull, Path dumpDirOrNull) {
        List<CaseResult> out = new ArrayList<>();
        try (GoldenContext ctx = new GoldenContext(m, modelDir, kernels)) {
            for (GoldenCase c : m.cases()) {
                if (stageOrNull != null && !stageOrNull.equals(c.stage())) continue;
                if (idOrNull != null && !idOrNull.equals(c.id())) continue;
                out.add(run(c, ctx, dumpDirOrNull));
            }
        }
        return out;
    }

    private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }
}
