package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.backend.cpu.ScalarKernels;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;
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
    static final Kernels K = new ScalarKernels();
    static final FlowConfig CFG = RandomFlowModels.config(40, 32, 1, 2, 16, 2);
    static final FlowModel MODEL = RandomFlowModels.model(CFG, 11);

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
        float[] mel = MODEL.inference(gen, prompt, promptMel, 12, emb, false, true, K, timings);
        assertEquals(80 * 18, mel.length);
        assertEquals(FlowModel.N_TIMESTEPS, timings.ditCalls());
        assertEquals(30, timings.frames());
        for (float v : mel) assertTrue(Float.isFinite(v));
    }

    @Test
    void nonFinalCallUsesTheLastTokensAsLookaheadOnly() {
        int[] prompt = tokens(4, 5), gen = tokens(10, 6);
        float[] promptMel = randomFloats(8 * 80, 7), emb = randomFloats(192, 8);
        FlowEncoding fin = MODEL.encode(gen, prompt, promptMel, 8, emb, true, K);
        FlowEncoding part = MODEL.encode(gen, prompt, promptMel, 8, emb, false, K);
        assertEquals(14, fin.tokens());
        assertEquals(11, part.tokens());
        assertEquals(22, part.frames());
        assertEquals(3 * 80, part.lookaheadContext().length);
        // the look-ahead context is the real tokens' embeddings: same h as the final call for every produced token
        assertArrayEquals(Arrays.copyOf(fin.h(), 11 * 80), part.h());
        // with zero padding instead, the last produced tokens' h would differ
        FlowEncoding cut = MODEL.encode(Arrays.copyOf(gen, 7), prompt, promptMel, 8, emb, true, K);
        assertFalse(Arrays.equals(Arrays.copyOfRange(cut.h(), 10 * 80, 11 * 80), Arrays.copyOfRange(part.h(), 10 * 80, 11 * 80)));
        assertEquals(80 * (22 - 8), MODEL.inference(gen, prompt, promptMel, 8, emb, true, false, K, null).length);
    }

    @Test
    void encodingRepeatsTokensAndPlacesThePromptMelFirst() {
        int[] prompt = tokens(3, 9), gen = tokens(2, 10);
        gen[1] = -1; // clamp(token, 0): a negative id embeds as token 0
        float[] promptMel = randomFloats(6 * 80, 11), emb = randomFloats(192, 12);
        FlowEncoding e = MODEL.encode(gen, prompt, promptMel, 6, emb, true, K);
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
        assertArrayEquals(e.spks(), MODEL.encode(gen, prompt, promptMel, 6, scaled, true, K).spks(), 1e-6f);
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        float[] emb = randomFloats(192, 1);
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(new int[] {6561}, new int[0], new float[0], 0, emb, true, K));
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(new int[] {1, 2, 3}, new int[0], new float[0], 0, emb, false, K));
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(new int[] {1}, new int[0], new float[3 * 80], 3, emb, true, K));
        assertThrows(IllegalArgumentException.class, () -> MODEL.encode(new int[] {1}, new int[0], new float[0], 0, new float[10], true, K));
        assertThrows(IllegalArgumentException.class, () -> CausalConditionalCfm.initialNoise(80, CausalConditionalCfm.NOISE_FRAMES + 1));
    }

    @Test
    void loadingIsStrict() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        WeightStore full = RandomFlowModels.weights(CFG, 1);
        for (String n : full.names()) t.put(n, full.takeAnyShape(n));
        t.put("decoder.estimator.extra", Tensor.of(new float[1], 1));
        assertThrows(ModelFormatException.class, () -> FlowModel.load(new WeightStore(Path.of("x.pt"), t, null), CFG));
        t.remove("decoder.estimator.extra");
        t.remove("decoder.estimator.rotary_embed.inv_freq");
        assertThrows(ModelFormatException.class, () -> FlowModel.load(new WeightStore(Path.of("x.pt"), t, null), CFG));
        FlowConfig deeper = RandomFlowModels.config(40, 32, 2, 2, 16, 2);
        assertThrows(ModelFormatException.class, () -> FlowModel.load(RandomFlowModels.weights(CFG, 1), deeper));
    }

    @Test
    void cosineTimeGridMatchesTheSpec() {
        float[] t = CausalConditionalCfm.tSpan(10, true);
        float[] spec = {0f, 0.012312f, 0.048943f, 0.108993f, 0.190983f, 0.292893f, 0.412215f, 0.546010f, 0.690983f, 0.843566f, 1f};
        assertArrayEquals(spec, t, 1e-6f);
    }
}
