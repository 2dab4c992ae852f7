package dev.cosyvoice4j.golden.stages;

import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;

/**
 * Golden stage {@code sampling}: the fixtures README files {@code sampling/ras} under a "sampling" stage while the
 * manifest gives it stage "llm"; this makes either spelling run the same check ({@link LlmStage}).
 */
public final class SamplingStage implements GoldenStage {
    private final LlmStage llm = new LlmStage();

    @Override
    public String stage() { return "sampling"; }

    @Override
    public void run(GoldenCase goldenCase, GoldenContext context, CaseCheck check) throws Exception {
        llm.run(goldenCase, context, check);
    }
}
