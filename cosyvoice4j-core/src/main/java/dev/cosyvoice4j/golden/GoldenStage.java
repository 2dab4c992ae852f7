package dev.cosyvoice4j.golden;

/**
 * Reproduces the golden cases of one pipeline stage. Implementations are listed in
 * {@code META-INF/services/dev.cosyvoice4j.golden.GoldenStage} so that {@code verify} and the test suite
 * find every stage that exists; a case whose stage has no implementation is reported as SKIP.
 */
public interface GoldenStage {
    /** The manifest {@code stage} value this handles ("frontend", "tokenizer", "llm", ...). */
    String stage();

    /**
     * Runs one case and records every comparison in {@code check}. Throwing marks the case failed with the
     * exception message. Throw {@link SkipCase} when a case cannot run yet (the reason is reported).
     */
    void run(GoldenCase goldenCase, GoldenContext context, CaseCheck check) throws Exception;

    /**
     * The manifest {@code model_family} values this stage reproduces (absent in a manifest = "cosyvoice3"); cases
     * of other families are reported as SKIP with the reason.
     */
    default java.util.Set<String> modelFamilies() { return java.util.Set.of(GoldenManifest.COSYVOICE3); }

    /** Thrown by a stage to report a case as skipped with a reason. */
    final class SkipCase extends RuntimeException {
        public SkipCase(String reason) { super(reason); }
    }
}
