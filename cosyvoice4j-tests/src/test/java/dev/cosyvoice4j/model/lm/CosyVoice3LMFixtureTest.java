package dev.cosyvoice4j.model.lm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The LLM part of {@code e2e/zero_shot} on the tiny fixture model: lm_input, min/max_len, argmax decoding to the
 * stop token, the first three steps' log-probabilities. (The e2e stage itself belongs to the engine.)
 */
class CosyVoice3LMFixtureTest {
    static final Path GOLDEN = Path.of("src/test/resources/fixtures/golden");
    static Backend scalar;
    static CosyVoice3LM lm;
    static GoldenCase e2e;

    @BeforeAll
    static void load() {
        GoldenManifest m = GoldenManifest.read(GOLDEN);
        e2e = m.byId("e2e/zero_shot");
        ModelConfig cfg = ModelConfig.load(m.modelDir());
        scalar = Backends.open("scalar", BackendOptions.defaults());
        lm = CosyVoice3LM.open(m.modelDir().resolve("llm.pt"), cfg.llm(), cfg.qwen2(), scalar);
    }

    @AfterAll
    static void close() throws Exception {
        lm.close();
        scalar.close();
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    @Test
    void e2eZeroShotArgmaxTokens() {
        LmInput in = lm.lmInput(LmPrompt.zeroShot(ints(e2e.input("prompt_text_ids")), ints(e2e.input("text_ids")),
                e2e.inputTensor("llm_prompt_speech_token").toIntArray()));
        assertArrayEquals(e2e.outputTensor("lm_input").toFloatArray(), scalar.read(in.embeddings()));
        assertEquals(e2e.output("min_len").asInt(), in.minLen());
        assertEquals(e2e.output("max_len").asInt(), in.maxLen());

        List<float[]> logps = new ArrayList<>();
        Sampler recording = (logp, n, decoded, count) -> {
            if (logps.size() < 3) logps.add(Arrays.copyOf(logp, n));
            return ArgmaxSampler.INSTANCE.sample(logp, n, decoded, count);
        };
        GenerationResult r = lm.generate(in, recording, GenerationOptions.DEFAULT, t -> { });
        assertArrayEquals(ints(e2e.output("llm_tokens")), r.tokens());
        assertEquals(StopReason.STOP_TOKEN, r.stopReason());
        assertEquals(e2e.output("n_llm_steps").asInt(), 1 + r.decodeSteps());
        assertArrayEquals(ints(e2e.output("flow_tokens")), SilentTokenFilter.filter(r.tokens()));

        float[] golden = e2e.outputTensor("step_logp_first3").toFloatArray();
        int v = lm.vocabSize();
        for (int step = 0; step < 3; step++) {
            for (int j = 0; j < v; j++) {
                if (j == lm.sosToken()) continue;   // masked to -inf by sampling_ids while i < min_len
                assertEquals(golden[step * v + j], logps.get(step)[j], 1e-4, "step " + step + " id " + j);
            }
        }
    }

    @Test
    void theCpuBackendGivesTheSameTokensAndLogits() throws Exception {
        GoldenManifest m = GoldenManifest.read(GOLDEN);
        ModelConfig cfg = ModelConfig.load(m.modelDir());
        LmPrompt prompt = LmPrompt.zeroShot(ints(e2e.input("prompt_text_ids")), ints(e2e.input("text_ids")),
                e2e.inputTensor("llm_prompt_speech_token").toIntArray());
        LmInput in = lm.lmInput(prompt);
        try (Backend fast = Backends.open("cpu", BackendOptions.defaults().withThreads(2));
             CosyVoice3LM fastLm = CosyVoice3LM.open(m.modelDir().resolve("llm.pt"), cfg.llm(), cfg.qwen2(), fast)) {
            LmInput fastIn = fastLm.lmInput(prompt);
            // gathering embedding rows is a copy: bit-identical on both backends
            assertArrayEquals(scalar.read(in.embeddings()), fast.read(fastIn.embeddings()));
            GenerationResult r = fastLm.generate(fastIn, ArgmaxSampler.INSTANCE, GenerationOptions.DEFAULT, t -> { });
            assertArrayEquals(ints(e2e.output("llm_tokens")), r.tokens());
            LmSession a = lm.newSession(in.rows() + 1), b = fastLm.newSession(in.rows() + 1);
            float[] expected = lm.prefill(a, in).clone(), actual = fastLm.prefill(b, fastIn);
            for (int j = 0; j < expected.length; j++) assertEquals(expected[j], actual[j], 1e-4);
            expected = lm.step(a, 17).clone();
            actual = fastLm.step(b, 17);
            for (int j = 0; j < expected.length; j++) assertEquals(expected[j], actual[j], 1e-4);
        }
    }

    @Test
    void fixtureRejectsTextWithoutEndOfPrompt() {
        assertThrows(IllegalArgumentException.class, () -> lm.lmInput(LmPrompt.instruct2(new int[] {2610}, new int[] {9707})));
    }
}
