package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session keeps the KV positions a new input shares with its previous one (a saved voice's sos + prompt text, the
 * segments of one request): the logits are those of a fresh session, and the kept part is not forwarded again.
 */
class LmPrefixReuseTest {
    static final Path MODEL = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");

    static float[] run(CosyVoice3LM lm, LmSession s, LmInput in, int[] steps) {
        s.reset();
        float[] last = lm.prefillLogProbs(s, in).clone();
        for (int t : steps) last = lm.stepLogProbs(s, t).clone();
        return last;
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "cpu"})
    void sharedPrefixGivesTheLogitsOfAFreshSession(String backendName) throws Exception {
        ModelConfig cfg = ModelConfig.load(MODEL);
        try (Backend b = Backends.open(backendName, BackendOptions.defaults().withThreads(2));
             CosyVoice3LM lm = CosyVoice3LM.open(MODEL.resolve("llm.pt"), cfg.llm(), cfg.qwen2(), b)) {
            SplittableRandom r = new SplittableRandom(4);
            int[] promptText = r.ints(20, 0, 1000).toArray(), speech = r.ints(30, 0, 6561).toArray();
            promptText[7] = CosyVoice3LM.ENDOFPROMPT_TOKEN_ID;
            LmInput first = lm.lmInput(LmPrompt.zeroShot(promptText, r.ints(9, 0, 1000).toArray(), speech));
            LmInput second = lm.lmInput(LmPrompt.zeroShot(promptText, r.ints(12, 0, 1000).toArray(), speech));
            int[] steps = {5, 77, 1024};
            LmSession reused = lm.newSession(16);
            run(lm, reused, first, steps);
            float[] expected = run(lm, lm.newSession(16), second, steps), actual = run(lm, reused, second, steps);
            double max = 0;
            for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i] - actual[i]));
            assertTrue(max <= 1e-5, "max log-prob difference " + max);
            // the same input again: everything but the last row kept
            reused.reset();
            assertEquals(second.rows() - 1, reused.resume(second));
            // an input without row keys keeps nothing
            reused.reset();
            assertEquals(0, reused.resume(new LmInput(second.embeddings(), 0, 10)));
        }
    }
}
