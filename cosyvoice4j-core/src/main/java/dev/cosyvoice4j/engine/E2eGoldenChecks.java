package dev.cosyvoice4j.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.model.lm.ArgmaxSampler;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.GenerationOptions;
import dev.cosyvoice4j.model.lm.GenerationResult;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.model.lm.Sampler;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The engine and LLM checks the e2e golden stages of both families share ({@link E2eGoldenStage} for CosyVoice3,
 * {@link Cv2E2eGoldenStage} for CosyVoice2): lm_input, the argmax decode with its step log-probs, the top-10 log-probs.
 */
final class E2eGoldenChecks {
    private static final Tolerance LM_INPUT = new Tolerance(0, Double.NaN, Double.NaN, false);

    private E2eGoldenChecks() {}

    /** The engine of the run's model directory, on the run's backend (one per run, shared by the engine stages). */
    static Engine engine(GoldenContext ctx) {
        return ctx.component("engine", dir -> Engine.load(dir, EngineOptions.defaults()
                .withBackend(ctx.backend().name()).withThreads(ctx.backend().threads())));
    }

    /** {@code lm_input} of {@code prompt}, checked with its min_len and max_len. */
    static LmInput lmInput(GoldenCase c, Engine engine, LmPrompt prompt, CaseCheck check) {
        LmInput input = engine.llm().lmInput(prompt);
        check.compare("lm_input", engine.backend().read(input.embeddings()), new long[] {1, input.rows(), input.dim()},
                c.outputTensor("lm_input"), LM_INPUT);
        check.compareExact("min_len", input.minLen(), c.output("min_len").asInt());
        check.compareExact("max_len", input.maxLen(), c.output("max_len").asInt());
        return input;
    }

    /** An argmax decode and the log-probs the sampler saw at each step. */
    record Decoded(GenerationResult gen, List<float[]> stepLogp) {}

    /** The argmax decode of {@code input}, its tokens and step count checked. */
    static Decoded argmaxDecode(GoldenCase c, CosyVoice3LM lm, LmInput input, CaseCheck check) {
        List<float[]> stepLogp = new ArrayList<>();
        Sampler recording = (logp, n, decoded, count) -> {
            stepLogp.add(Arrays.copyOf(logp, n));
            return ArgmaxSampler.INSTANCE.sample(logp, n, decoded, count);
        };
        GenerationResult gen = lm.generate(input, recording, GenerationOptions.DEFAULT, t -> { });
        check.compareIds("llm_tokens", gen.tokens(), ints(c.output("llm_tokens")));
        check.compareExact("n_llm_steps", stepLogp.size(), c.output("n_llm_steps").asInt());
        return new Decoded(gen, stepLogp);
    }

    /**
     * Every step's log-probs of the golden top-10 ids. The golden ones are recorded before sampling_ids masks index
     * speech_token_size (eos) while i < min_len; the sampler sees the masked vector, so that entry is taken from the golden.
     */
    static void top10(GoldenCase c, CosyVoice3LM lm, LmInput input, List<float[]> stepLogp, Tolerance tolerance,
                      CaseCheck check) {
        float[] top10 = c.outputTensor("step_top10_logp").toFloatArray();
        int[] top10Ids = c.outputTensor("step_top10_ids").toIntArray();
        int steps = Math.min(stepLogp.size(), top10Ids.length / 10);
        float[] actual = new float[steps * 10];
        for (int i = 0; i < steps; i++) {
            for (int j = 0; j < 10; j++) {
                int id = top10Ids[i * 10 + j];
                boolean masked = i < input.minLen() && id == lm.speechTokenSize();
                actual[i * 10 + j] = masked ? top10[i * 10 + j] : stepLogp.get(i)[id];
            }
        }
        check.compare("step_top10_logp", actual, new long[] {steps, 10},
                Tensor.of(Arrays.copyOf(top10, steps * 10), steps, 10), tolerance);
    }

    static int[] ints(JsonNode arr) {
        int[] r = new int[arr.size()];
        for (int i = 0; i < r.length; i++) r[i] = arr.get(i).asInt();
        return r;
    }
}
