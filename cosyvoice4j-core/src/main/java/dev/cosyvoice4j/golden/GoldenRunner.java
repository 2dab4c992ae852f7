package dev.cosyvoice4j.golden;

import dev.cosyvoice4j.backend.Backend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Runs golden cases through the registered {@link GoldenStage}s. Used by {@code verify} and the tests. */
public final class GoldenRunner {
    /** Stage name -> its implementations (one per model family set: the CosyVoice3 and CosyVoice2 flows share "flow"). */
    private final Map<String, List<GoldenStage>> stages = new HashMap<>();

    public GoldenRunner() {
        for (GoldenStage s : ServiceLoader.load(GoldenStage.class)) stages.computeIfAbsent(s.stage(), k -> new ArrayList<>()).add(s);
    }

    public boolean hasStage(String stage) { return stages.containsKey(stage); }

    /** The registered stage names, in pipeline order as the manifests list them, then any others. */
    public List<String> stageNames() { return stageNames(stages.keySet()); }

    static List<String> stageNames(java.util.Collection<String> names) {
        List<String> order = List.of("frontend", "tokenizer", "llm", "flow", "hift", "streaming", "e2e");
        List<String> out = new ArrayList<>();
        for (String n : order) if (names.contains(n)) out.add(n);
        names.stream().filter(n -> !order.contains(n)).sorted().forEach(out::add);
        return out;
    }

    /** The stage names of the registry, for {@code --stage}'s help and completion. */
    public static final class StageNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() { return new GoldenRunner().stageNames().iterator(); }
    }

    /** Runs one case; never throws. */
    public CaseResult run(GoldenCase c, GoldenContext ctx, Path dumpDirOrNull, CaseCheck.Dump dump) {
        long t0 = System.nanoTime();
        List<GoldenStage> candidates = stages.get(c.stage());
        if (candidates == null) {
            return new CaseResult(c.id(), CaseResult.Status.SKIP, "stage '" + c.stage() + "' is not implemented yet", List.of(), 0);
        }
        String family = c.manifest().modelFamily();
        GoldenStage stage = candidates.stream().filter(st -> st.modelFamilies().contains(family)).findFirst().orElse(null);
        if (stage == null) {
            List<String> supported = candidates.stream().flatMap(st -> st.modelFamilies().stream()).sorted().toList();
            return new CaseResult(c.id(), CaseResult.Status.SKIP, "model family '" + family + "': stage '" + c.stage()
                    + "' supports " + String.join(", ", supported) + " only", List.of(), 0);
        }
        CaseCheck check = new CaseCheck(c, dumpDirOrNull, dump);
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
            return new CaseResult(c.id(), CaseResult.Status.FAIL, "error: " + e.getMessage(), d, secs(t0), check.comparisons());
        }
        Comparison worst = check.worst();
        String summary = worst == null ? "" : worst.describe();
        List<Comparison> all = check.comparisons();
        if (check.passed()) {
            if (all.isEmpty()) {
                return new CaseResult(c.id(), CaseResult.Status.FAIL, "stage compared nothing", List.of(), secs(t0));
            }
            return new CaseResult(c.id(), CaseResult.Status.PASS, summary, check.notes(), secs(t0), all);
        }
        List<String> details = new ArrayList<>(check.failures());
        details.addAll(check.notes());
        return new CaseResult(c.id(), CaseResult.Status.FAIL, check.failures().get(0), details, secs(t0), all);
    }

    /** Runs the cases selected by stage and/or id (null = all). */
    public List<CaseResult> runAll(GoldenManifest m, Path modelDir, Backend backend, String stageOrNull, String idOrNull,
                                   Path dumpDirOrNull, CaseCheck.Dump dump) {
        List<CaseResult> out = new ArrayList<>();
        try (GoldenContext ctx = new GoldenContext(m, modelDir, backend)) {
            for (GoldenCase c : m.cases()) {
                if (stageOrNull != null && !stageOrNull.equals(c.stage())) continue;
                if (idOrNull != null && !idOrNull.equals(c.id())) continue;
                out.add(run(c, ctx, dumpDirOrNull, dump));
            }
        }
        return out;
    }

    private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }
}
