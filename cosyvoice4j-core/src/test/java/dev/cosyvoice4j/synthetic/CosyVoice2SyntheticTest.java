package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.ModelFamily;
import dev.cosyvoice4j.io.PtArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code make-synthetic --family cosyvoice2}: the key lists at the fixture's sizes, and a written directory that loads. */
class CosyVoice2SyntheticTest {
    static final Path TINY = Path.of("src/test/resources/fixtures/cosyvoice2-tiny");

    @Test
    void tinyPresetReproducesEveryFixtureKeyAndShapeInOrder() {
        Map<String, List<TensorSpec>> files = SyntheticModelWriter.checkpoints(SyntheticPresets.cosyVoice2Tiny(),
                SyntheticPresets.cosyVoice2Flow(SyntheticPresets.COSYVOICE2_TINY));
        for (var f : files.entrySet()) {
            try (PtArchive a = PtArchive.open(TINY.resolve(f.getKey()))) {
                List<String> expected = new ArrayList<>();
                a.tensors().forEach((k, t) -> expected.add(k + " " + Arrays.toString(t.shape())));
                assertEquals(expected, f.getValue().stream().map(TensorSpec::toString).toList(), f.getKey());
            }
        }
    }

    @Test
    void tinyPresetIsTheFixtureConfiguration() {
        ModelConfig fixture = ModelConfig.load(TINY);
        ModelConfig preset = SyntheticPresets.cosyVoice2Tiny();
        assertEquals(ModelFamily.COSYVOICE2, fixture.family());
        assertEquals(fixture.llm(), preset.llm());
        assertEquals(fixture.hift(), preset.hift());
        assertEquals(fixture.qwen2(), preset.qwen2());
        assertEquals(Cv2FlowConfig.load(TINY), SyntheticPresets.cosyVoice2Flow(SyntheticPresets.COSYVOICE2_TINY));
    }

    @Test
    void writesACosyVoice2DirectoryWhoseYamlDescribesTheWeights(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("cv2");
        new SyntheticModelWriter().write(new SyntheticModelWriter.Options(out, SyntheticPresets.cosyVoice2Tiny(),
                SyntheticPresets.COSYVOICE2_TINY, 3, TINY, false, SyntheticPresets.cosyVoice2Flow(SyntheticPresets.COSYVOICE2_TINY)),
                SyntheticModelWriter.Progress.NONE);
        assertTrue(Files.isRegularFile(out.resolve("cosyvoice2.yaml")));
        assertTrue(Files.isRegularFile(out.resolve("speech_tokenizer_v2.onnx")));
        assertEquals(ModelFamily.COSYVOICE2, ModelFamily.detect(out));
        assertEquals(ModelConfig.load(TINY).hift(), ModelConfig.load(out).hift());
        assertEquals(Cv2FlowConfig.load(TINY), Cv2FlowConfig.load(out));
    }
}
