package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.Npy;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.flow.FlowTimings;
import dev.cosyvoice4j.synthetic.Cv2SyntheticLayout;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CausalMaskedDiffWithXvec#inference} on the fixture model (scalar backend): the offline golden mel
 * ({@code flow/offline/cfm}) through the engine-facing call, a session reused across calls of other lengths, strict
 * loading, and a synthetic flow.pt written by {@link Cv2SyntheticLayout} loading and running.
 */
class CausalMaskedDiffWithXvecTest {
    static final Path TINY = Path.of("src/test/resources/fixtures/cosyvoice2-tiny");
    static final Path GOLDEN = Path.of("src/test/resources/fixtures/golden-cv2");
    static Backend backend;
    static WeightStore ws;
    static CausalMaskedDiffWithXvec model;

    @BeforeAll
    static void load() {
        backend = Backends.open("scalar", BackendOptions.defaults());
        ws = WeightStore.openPt(TINY.resolve("flow.pt"));
        model = CausalMaskedDiffWithXvec.load(ws, Cv2FlowConfig.load(TINY), backend);
    }

    @AfterAll
    static void close() throws Exception {
        ws.close();
        backend.close();
    }

    static float[] golden(String name) { return Npy.read(GOLDEN.resolve(name)).toFloatArray(); }

    static float[] offlineMel(Cv2FlowSession s, FlowTimings timings) {
        int[] tokens = Npy.read(GOLDEN.resolve("flow/target_token.npy")).toIntArray();
        int[] prompt = Npy.read(GOLDEN.resolve("flow/offline/prompt_token.npy")).toIntArray();
        Tensor feat = Npy.read(GOLDEN.resolve("flow/offline/prompt_feat.npy"));
        return model.inference(s, tokens, prompt, feat.toFloatArray(), feat.dim(1),
                golden("frontend/zero_shot_prompt/campplus_embedding.npy"), false, true, timings);
    }

    @Test
    void offlineInferenceGivesTheGoldenMelAndTimings() {
        FlowTimings timings = new FlowTimings();
        float[] mel = offlineMel(model.newSession(), timings);
        float[] expected = golden("flow/offline/mel.npy");
        assertEquals(expected.length, mel.length);
        double worst = 0;
        for (int i = 0; i < mel.length; i++) worst = Math.max(worst, Math.abs(mel[i] - expected[i]));
        assertTrue(worst <= 5e-4, "mel max_abs " + worst);
        assertEquals(CausalMaskedDiffWithXvec.N_TIMESTEPS, timings.ditCalls());
        assertEquals(model.framesFor(78, true), timings.frames());
    }

    static float[] run(Cv2FlowSession s, int nTokens, boolean streaming, boolean finalize) {
        int[] tokens = new int[nTokens];
        for (int i = 0; i < nTokens; i++) tokens[i] = (97 * i + 3) % 6561;
        return model.inference(s, tokens, new int[] {11, 12, 13}, new float[0], 0,
                golden("frontend/zero_shot_prompt/campplus_embedding.npy"), streaming, finalize, null);
    }

    @Test
    void aSessionReusedAcrossCallsOfOtherLengthsAndReleasedScratchGivesTheSameMel() {
        Cv2FlowSession reused = model.newSession();
        float[] longFirst = run(reused, 30, false, true);
        float[] shortAfter = run(reused, 9, true, false);          // views of larger buffers
        reused.releaseScratch();                                  // scratch dropped between calls is rebuilt
        float[] longAgain = run(reused, 30, false, true);
        assertArrayEquals(run(model.newSession(), 9, true, false), shortAfter);
        assertArrayEquals(longFirst, longAgain);
        assertEquals(80 * 2 * (3 + 30), longFirst.length);
        assertEquals(80 * 2 * (3 + 9 - 3), shortAfter.length);
    }

    @Test
    void badInputsAreRefusedNamingTheProblem() {
        Cv2FlowSession s = model.newSession();
        float[] emb = new float[192];
        var e = assertThrows(IllegalArgumentException.class,
                () -> model.inference(s, new int[] {1, 2, 3}, new int[0], new float[0], 0, emb, true, false, null));
        assertTrue(e.getMessage().contains("at least 4 tokens"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> model.inference(s, new int[] {6561}, new int[0], new float[0], 0, emb, false, true, null));
        assertTrue(e.getMessage().contains("outside the flow vocabulary"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> model.inference(s, new int[] {1}, new int[0], new float[0], 0, new float[3], false, true, null));
        assertTrue(e.getMessage().contains("speaker embedding"), e.getMessage());
    }

    @Test
    void loadingIsStrict() throws Exception {
        Map<String, Tensor> extra = new HashMap<>();
        ws.names().forEach(n -> extra.put(n, ws.takeAnyShape(n)));
        extra.put("decoder.estimator.unexpected.weight", Tensor.of(new float[] {1}, 1));
        var e = assertThrows(ModelFormatException.class, () -> CausalMaskedDiffWithXvec.load(
                new WeightStore(TINY.resolve("flow.pt"), extra, null), Cv2FlowConfig.load(TINY), backend));
        assertTrue(e.getMessage().contains("decoder.estimator.unexpected.weight"), e.getMessage());
        Map<String, Tensor> missing = new HashMap<>(extra);
        missing.remove("decoder.estimator.unexpected.weight");
        missing.remove("encoder.up_encoders.0.self_attn.pos_bias_v");
        e = assertThrows(ModelFormatException.class, () -> CausalMaskedDiffWithXvec.load(
                new WeightStore(TINY.resolve("flow.pt"), missing, null), Cv2FlowConfig.load(TINY), backend));
        assertTrue(e.getMessage().contains("encoder.up_encoders.0.self_attn.pos_bias_v"), e.getMessage());
    }

    @Test
    void aSyntheticFlowPtLoadsAndRuns(@TempDir Path dir) throws Exception {
        Cv2FlowConfig cfg = Cv2FlowConfig.load(TINY);
        Path file = dir.resolve("flow.pt");
        Cv2SyntheticLayout.writeFlow(file, cfg, 7);
        try (WeightStore synthetic = WeightStore.openPt(file)) {
            CausalMaskedDiffWithXvec m = CausalMaskedDiffWithXvec.load(synthetic, cfg, backend);
            float[] mel = m.inference(m.newSession(), new int[] {5, 6, 7, 8, 9, 10}, new int[] {1, 2}, new float[0], 0,
                    new float[192], true, false, null);
            assertEquals(80 * 2 * (8 - 3), mel.length);
            for (float v : mel) assertTrue(Float.isFinite(v));
        }
    }
}
