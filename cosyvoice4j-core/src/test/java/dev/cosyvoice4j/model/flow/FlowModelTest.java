package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowModelTest {
    static final Backend B = Backends.open("scalar", BackendOptions.defaults());
    static final FlowConfig CFG = RandomFlowModels.config(40, 32, 1, 2, 16, 2);
    static final FlowModel MODEL = RandomFlowModels.model(CFG, 11, B);

    @AfterAll
    static void closeBackend() { B.close(); }

    /** A {@link FlowEncoding} read back to the host (the encoding itself views its session's memory). */
    record Enc(float[] tokenEmbedding, float[] lookaheadContext, float[] h, float[] spks, float[] mu, float[] cond,
               int tokens, int frames, int promptFrames) {}

    static Enc encode(FlowSession s, int[] tokens, int[] prompt, float[] promptMel, int promptFrames, float[] emb,
                      boolean finalize) {
        FlowEncoding e = MODEL.encode(s, tokens, prompt, promptMel, promptFrames, emb, finalize);
        return new Enc(B.read(e.tokenEmbedding()), e.lookaheadContext() == null ? null : B.read(e.lookaheadContext()),
                B.read(e.h()), B.read(e.spks()), B.read(e.mu()), B.read(e.cond()), e.tokens(), e.frames(), e.promptFrames());
    }

    static Enc encode(int[] tokens, int[] prompt, float[] promptMel, int promptFrames, float[] emb, boolean finalize) {
        return encode(MODEL.newSession(), tokens, prompt, promptMel, promptFrames, emb, finalize);
    }

    static int[] tokens(int n, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(CFG.vocabSize());
        return t;
    }

    static float[] randomFloats(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Test
    void offlineReturnsTwoFramesPerGeneratedToken() {
        int[] prompt = tokens(6, 1), gen = tokens(9, 2);
        float[] promptMel = randomFloats(12 * 80, 3), emb = randomFloats(192, 4);
        FlowTimings timings = new FlowTimings();
        float[] mel = MODEL.inference(MODEL.newSession(), gen, prompt, promptMel, 12, emb, false, true, timings);
        assertEquals(80 * 18, mel.length);
        assertEquals(FlowModel.N_TIMESTEPS, timings.ditCalls());
        assertEquals(30, timings.frames());
        for (float v : mel) assertTrue(Float.isFinite(v));
    }

    @Test
    void nonFinalCallUsesTheLastTokensAsLookaheadOnly() {
        int[] prompt = tokens(4, 5), gen = tokens(10, 6);
        float[] promptMel = randomFloats(8 * 80, 7), emb = randomFloats(192, 8);
        Enc fin = encode(gen, prompt, promptMel, 8, emb, true);
        Enc part = encode(gen, prompt, promptMel, 8, emb, false);
        assertEquals(14, fin.tokens());
        assertEquals(11, part.tokens());
        assertEquals(22, part.frames());
        assertEquals(3 * 80, part.lookaheadContext().length);
        assertEquals(null, fin.lookaheadContext());
        // the look-ahead context is the real tokens' embeddings: same h as the final call for every produced token
        assertArrayEquals(Arrays.copyOf(fin.h(), 11 * 80), part.h());
        assertArrayEquals(Arrays.copyOfRange(fin.tokenEmbedding(), 11 * 80, 14 * 80), part.lookaheadContext());
        // with zero padding instead, the last produced tokens' h would differ
        Enc cut = encode(Arrays.copyOf(gen, 7), prompt, promptMel, 8, emb, true);
        assertFalse(Arrays.equals(Arrays.copyOfRange(cut.h(), 10 * 80, 11 * 80), Arrays.copyOfRange(part.h(), 10 * 80, 11 * 80)));
        assertEquals(80 * (22 - 8), MODEL.inference(MODEL.newSession(), gen, prompt, promptMel, 8, emb, true, false, null).length);
    }

    @Test
    void encodingRepeatsTokensAndPlacesThePromptMelFirst() {
        int[] prompt = tokens(3, 9), gen = tokens(2, 10);
        gen[1] = -1; // clamp(token, 0): a negative id embeds as token 0
        float[] promptMel = randomFloats(6 * 80, 11), emb = randomFloats(192, 12);
        Enc e = encode(gen, prompt, promptMel, 6, emb, true);
        assertEquals(10, e.frames());
        for (int t = 0; t < 10; t++) {
            assertArrayEquals(Arrays.copyOfRange(e.h(), (t / 2) * 80, (t / 2 + 1) * 80), Arrays.copyOfRange(e.mu(), t * 80, (t + 1) * 80));
        }
        assertArrayEquals(promptMel, Arrays.copyOf(e.cond(), 6 * 80));
        for (int i = 6 * 80; i < 10 * 80; i++) assertEquals(0f, e.cond()[i]);
        float[] zeroRow = Arrays.copyOfRange(e.tokenEmbedding(), 4 * 80, 5 * 80);
        assertArrayEquals(MODEL.inputEmbedding.select(0).toFloatArray(), zeroRow);
        // spks depends only on the direction of the embedding (F.normalize)
        float[] scaled = emb.clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] *= 3f;
        assertArrayEquals(e.spks(), encode(gen, prompt, promptMel, 6, scaled, true).spks(), 1e-6f);
    }

    @Test
    void oneSessionServesSuccessiveCallsOfAnyLength() {
        // a request's session grows to its longest call and is reused: every call equals one on a fresh session
        float[] emb = randomFloats(192, 21);
        int[] prompt = tokens(3, 22);
        float[] promptMel = randomFloats(6 * 80, 23);
        FlowSession shared = MODEL.newSession();
        for (int n : new int[] {4, 11, 6, 11}) {
            int[] gen = tokens(n, 24);
            for (boolean finalize : new boolean[] {false, true}) {
                assertArrayEquals(MODEL.inference(MODEL.newSession(), gen, prompt, promptMel, 6, emb, true, finalize, null),
                        MODEL.inference(shared, gen, prompt, promptMel, 6, emb, true, finalize, null), n + " tokens");
                Enc fresh = encode(gen, prompt, promptMel, 6, emb, finalize), reused = encode(shared, gen, prompt, promptMel, 6, emb, finalize);
                assertArrayEquals(fresh.mu(), reused.mu());
                assertArrayEquals(fresh.cond(), reused.cond());
            }
        }
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        float[] emb = randomFloats(192, 1);
        FlowSession s = MODEL.newSession();
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(s, new int[] {6561}, new int[0], new float[0], 0, emb, true));
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(s, new int[] {1, 2, 3}, new int[0], new float[0], 0, emb, false));
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(s, new int[] {1}, new int[0], new float[3 * 80], 3, emb, true));
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(s, new int[] {1}, new int[0], new float[0], 0, new float[10], true));
        assertThrows(IllegalArgumentException.class, () -> CausalConditionalCfm.initialNoise(80, CausalConditionalCfm.NOISE_FRAMES + 1));
    }

    @Test
    void loadingIsStrict() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        WeightStore full = RandomFlowModels.weights(CFG, 1);
        for (String n : full.names()) t.put(n, full.takeAnyShape(n));
        t.put("decoder.estimator.extra", Tensor.of(new float[1], 1));
        assertThrows(ModelFormatException.class, () -> FlowModel.load(new WeightStore(Path.of("x.pt"), t, null), CFG, B));
        t.remove("decoder.estimator.extra");
        t.remove("decoder.estimator.rotary_embed.inv_freq");
        assertThrows(ModelFormatException.class, () -> FlowModel.load(new WeightStore(Path.of("x.pt"), t, null), CFG, B));
        FlowConfig deeper = RandomFlowModels.config(40, 32, 2, 2, 16, 2);
        assertThrows(ModelFormatException.class, () -> FlowModel.load(RandomFlowModels.weights(CFG, 1), deeper, B));
    }

    @Test
    void cosineTimeGridMatchesTheSpec() {
        float[] t = CausalConditionalCfm.tSpan(10, true);
        float[] spec = {0f, 0.012312f, 0.048943f, 0.108993f, 0.190983f, 0.292893f, 0.412215f, 0.546010f, 0.690983f, 0.843566f, 1f};
        assertArrayEquals(spec, t, 1e-6f);
    }
}
