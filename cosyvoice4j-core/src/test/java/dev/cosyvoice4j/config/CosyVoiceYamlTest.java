package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CosyVoiceYamlTest {
    static final Path TINY = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");

    @Test
    void readsTheFixtureYaml() {
        CosyVoiceYaml y = CosyVoiceYaml.read(TINY.resolve("cosyvoice3.yaml"));
        assertEquals(24000, y.getInt("sample_rate"));
        assertEquals(64, y.getInt("flow.decoder.estimator.dim"));
        assertEquals(50, y.getInt("flow.decoder.estimator.static_chunk_size"), "!ref <chunk_size> * <token_mel_ratio>");
        assertEquals(-1, y.getInt("flow.decoder.estimator.num_decoding_left_chunks"));
        assertEquals(24000, y.getInt("hift.sampling_rate"), "!ref <sample_rate>");
        assertEquals(1e-6, y.getDouble("flow.decoder.cfm_params.content.sigma_min"));
        assertEquals("cosine", y.getString("flow.decoder.cfm_params.content.t_scheduler"));
        assertEquals("", y.getString("qwen_pretrain_path"));
        assertEquals(List.of(8, 5, 3), y.getIntList("hift.upsample_rates"));
        assertEquals(List.of(List.of(1, 3, 5), List.of(1, 3, 5), List.of(1, 3, 5)), y.getIntListList("hift.resblock_dilation_sizes"));
        assertEquals("!new:cosyvoice.flow.flow.CausalMaskedDiffWithDiT", y.tag("flow"));
        assertEquals("!name:cosyvoice.utils.common.ras_sampling", y.tag("llm.sampling"));
        assertEquals("!apply:random.seed", y.tag("__set_seed1"));
        assertEquals("!new:matcha.hifigan.models.MultiPeriodDiscriminator", y.tag("hifigan.discriminator.mpd"));
        assertTrue(y.getBoolean("llm.length_normalized_loss"));
        assertEquals(0.8, y.getDouble("llm.sampling.top_p"));
        assertTrue(y.has("data_pipeline_gan"));
        assertFalse(y.has("flow.decoder.estimator.nope"));
        assertEquals(1e-5, y.getDouble("train_conf.optim_conf.lr"));
    }

    @Test
    void refArithmeticAndFlowCollections() {
        CosyVoiceYaml y = CosyVoiceYaml.parse("""
                a: 3  # comment
                b: !ref <a> * (<a> + 1) // 2
                c: !ref <b>
                s: "x # not a comment"
                lst: [
                    !ref <a>,
                    7,
                ]
                nested: [[1, 2], [!ref <a>]]
                blk:
                    - 4
                    - !ref <c>
                m: {k: 1, j: 'two'}
                """, "t.yaml");
        assertEquals(6, y.getInt("b"));
        assertEquals(6, y.getInt("c"));
        assertEquals("x # not a comment", y.getString("s"));
        assertEquals(List.of(4, 6), y.getIntList("blk"));
        assertEquals("two", y.getString("m.j"));
        assertEquals(List.of(3, 7), y.getIntList("lst"));
        assertEquals(List.of(List.of(1, 2), List.of(3)), y.getIntListList("nested"));
    }

    @Test
    void missingKeyIsOneLine() {
        CosyVoiceYaml y = CosyVoiceYaml.parse("flow:\n  decoder:\n    estimator:\n      dim: 4\n", "cosyvoice3.yaml");
        var e = assertThrows(ModelFormatException.class, () -> y.getInt("flow.decoder.estimator.depth"));
        assertEquals("cosyvoice3.yaml: missing key flow.decoder.estimator.depth", e.getMessage());
        var bad = assertThrows(ModelFormatException.class, () -> CosyVoiceYaml.parse("a: 1\n  b: 2\n", "x.yaml"));
        assertTrue(bad.getMessage().startsWith("x.yaml:2: "), bad.getMessage());
        var cyc = assertThrows(ModelFormatException.class, () -> CosyVoiceYaml.parse("a: !ref <b>\nb: !ref <a>\n", "c.yaml").getInt("a"));
        assertTrue(cyc.getMessage().contains("circular"), cyc.getMessage());
    }
}
