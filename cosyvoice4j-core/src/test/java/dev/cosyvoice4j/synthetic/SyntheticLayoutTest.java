package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.PtArchive;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The derived key lists: exact at the fixture's (tiny) sizes, real parameter counts at the real sizes. */
class SyntheticLayoutTest {
    static final Path TINY = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");

    @Test
    void tinyConfigReproducesEveryFixtureKeyAndShapeInOrder() {
        Map<String, List<TensorSpec>> files = SyntheticModelWriter.checkpoints(SyntheticPresets.tiny());
        assertEquals(List.of("llm.pt", "flow.pt", "hift.pt"), List.copyOf(files.keySet()));
        for (var f : files.entrySet()) {
            try (PtArchive a = PtArchive.open(TINY.resolve(f.getKey()))) {
                List<String> expected = new ArrayList<>();
                a.tensors().forEach((k, t) -> expected.add(k + " " + Arrays.toString(t.shape())));
                List<String> actual = f.getValue().stream().map(TensorSpec::toString).toList();
                assertEquals(expected, actual, f.getKey());
            }
        }
    }

    @Test
    void tiedLmHeadAndBufferMatchTheFixture() {
        ModelConfig tiny = SyntheticPresets.tiny();
        List<TensorSpec> llm = SyntheticLayout.llm(tiny);
        TensorSpec head = llm.stream().filter(s -> s.name().equals("llm.model.lm_head.weight")).findFirst().orElseThrow();
        assertEquals(new Init.Tied("llm.model.model.embed_tokens.weight"), head.init());
        try (PtArchive a = PtArchive.open(TINY.resolve("llm.pt"))) {
            assertEquals(a.tensors().get("llm.model.model.embed_tokens.weight").data().address(),
                    a.tensors().get("llm.model.lm_head.weight").data().address(), "fixture stores the tied weight once");
        }
        TensorSpec invFreq = SyntheticLayout.flow(tiny).stream().filter(TensorSpec::buffer).findFirst().orElseThrow();
        assertEquals("decoder.estimator.rotary_embed.inv_freq", invFreq.name());
        try (PtArchive a = PtArchive.open(TINY.resolve("flow.pt"))) {
            Tensor t = a.tensors().get(invFreq.name());
            float[] expected = t.toFloatArray();
            float[] actual = new WeightGenerator(1).values(invFreq);
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], Math.ulp(expected[i]) * 2, "inv_freq[" + i + "]");
        }
    }

    @Test
    void realConfigHasTheRealCheckpointsParameterCounts() {
        ModelConfig real = SyntheticPresets.funCosyVoice3();
        assertEquals(SyntheticPresets.REAL_LLM_PARAMS, SyntheticLayout.parameterCount(SyntheticLayout.llm(real)));
        assertEquals(506_148_480L, SyntheticLayout.parameterCount(SyntheticLayout.llm(real)));
        assertEquals(332_257_088L, SyntheticLayout.parameterCount(SyntheticLayout.flow(real)));
        assertEquals(20_779_887L, SyntheticLayout.parameterCount(SyntheticLayout.hift(real)));
    }

    @Test
    void realConfigShapesMatchTheSpecTables() {
        ModelConfig real = SyntheticPresets.funCosyVoice3();
        Map<String, String> expected = Map.of(
                "llm.model.model.layers.23.self_attn.k_proj.weight", "[128, 896]",
                "llm_decoder.weight", "[6761, 896]",
                "speech_embedding.weight", "[6761, 896]",
                "decoder.estimator.rotary_embed.inv_freq", "[32]",
                "decoder.estimator.transformer_blocks.21.attn_norm.linear.weight", "[6144, 1024]",
                "pre_lookahead_layer.conv1.weight", "[1024, 80, 4]",
                "decoder.estimator.input_embed.conv_pos_embed.conv1.0.weight", "[1024, 64, 31]",
                "source_downs.0.weight", "[256, 18, 30]",
                "f0_predictor.condnet.0.parametrizations.weight.original1", "[512, 80, 4]",
                "conv_post.parametrizations.weight.original1", "[18, 64, 7]");
        List<TensorSpec> all = new ArrayList<>();
        SyntheticModelWriter.checkpoints(real).values().forEach(all::addAll);
        for (var e : expected.entrySet()) {
            TensorSpec s = all.stream().filter(t -> t.name().equals(e.getKey())).findFirst().orElseThrow(() -> new AssertionError(e.getKey()));
            assertEquals(e.getValue(), Arrays.toString(s.shape()), e.getKey());
        }
        assertEquals(1 + 24 * 12 + 4, SyntheticLayout.llm(real).size()); // embed, layers, norm, lm_head, decoder, speech_embedding
        // ~3.44 GB of float32 (lm_head stored once)
        long bytes = SyntheticModelWriter.checkpoints(real).values().stream().mapToLong(SyntheticLayout::storedBytes).sum();
        assertEquals((506_148_480L + 332_257_088L + 20_779_887L + 32) * 4, bytes);
    }

    @Test
    void tinyPresetIsWhatTheFixtureConfigFilesSay() {
        assertEquals(ModelConfig.load(TINY), SyntheticPresets.tiny());
    }

    @Test
    void realConfigFilesWrittenFromTheTemplateLoadAsTheRealPreset(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ModelConfig real = SyntheticPresets.funCosyVoice3();
        java.nio.file.Files.createDirectories(dir.resolve("CosyVoice-BlankEN"));
        java.nio.file.Files.writeString(dir.resolve("cosyvoice3.yaml"), ConfigFiles.yaml(
                java.nio.file.Files.readString(TINY.resolve("cosyvoice3.yaml")), TINY, real, List.of("test")));
        java.nio.file.Files.writeString(dir.resolve("CosyVoice-BlankEN/config.json"), ConfigFiles.qwen2ConfigJson(
                java.nio.file.Files.readString(TINY.resolve("CosyVoice-BlankEN/config.json")), TINY, real.qwen2()));
        assertEquals(real, ModelConfig.load(dir));
    }

    @Test
    void unknownPresetNamesTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> SyntheticPresets.byName("cosyvoice2"));
        assertTrue(e.getMessage().contains("fun-cosyvoice3-0.5b"), e.getMessage());
    }
}
