package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.PtArchive;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model family from the directory, CosyVoice2's configuration, and the fixture's shared-storage flow.pt. */
class ModelFamilyTest {
    static final Path CV2 = Path.of("src/test/resources/fixtures/cosyvoice2-tiny");
    static final Path CV3 = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");

    @Test
    void detectedByTheYaml() {
        assertEquals(ModelFamily.COSYVOICE2, ModelFamily.detect(CV2));
        assertEquals(ModelFamily.COSYVOICE3, ModelFamily.detect(CV3));
        assertEquals(CV2.resolve("speech_tokenizer_v2.onnx"), ModelDir.open(CV2).speechTokenizerOnnx());
        assertEquals(ModelFamily.COSYVOICE2, ModelFamily.ofId("cosyvoice2"));
    }

    @Test
    void aDirectoryWithoutEitherYamlIsRejectedByName(@TempDir Path dir) {
        var e = assertThrows(ModelFormatException.class, () -> ModelDir.open(dir));
        assertTrue(e.getMessage().contains("cosyvoice3.yaml") && e.getMessage().contains("cosyvoice2.yaml"), e.getMessage());
        assertThrows(ModelFormatException.class, () -> ModelFamily.detect(dir));
    }

    @Test
    void aCosyVoice2DirectoryNamesItsMissingFiles(@TempDir Path dir) throws Exception {
        Files.copy(CV2.resolve("cosyvoice2.yaml"), dir.resolve("cosyvoice2.yaml"));
        var e = assertThrows(ModelFormatException.class, () -> ModelDir.open(dir));
        assertTrue(e.getMessage().contains("CosyVoice2-0.5B") && e.getMessage().contains("speech_tokenizer_v2.onnx"), e.getMessage());
    }

    @Test
    void cosyVoice2ConfigurationHasNoDitFlowAndANonCausalHift() {
        ModelConfig c = ModelConfig.load(CV2);
        assertEquals(ModelFamily.COSYVOICE2, c.family());
        assertNull(c.flow());
        assertEquals(0, c.hift().convPreLookRight());
        assertEquals(32, c.hift().baseChannels());
        assertEquals(32, c.qwen2().hiddenSize());
    }

    @Test
    void theFixturesSharedStorageFlowTensorsReadAtTheirOffsets() {
        // every large flow.pt tensor of the fixture is a view into the token embedding's storage (README CV2.3)
        try (PtArchive a = PtArchive.open(CV2.resolve("flow.pt"))) {
            Tensor embedding = a.tensors().get("input_embedding.weight");
            long base = embedding.data().address();
            int views = 0;
            for (var e : a.tensors().entrySet()) {
                Tensor t = e.getValue();
                long offsetBytes = t.data().address() - base;
                if (e.getKey().equals("input_embedding.weight") || offsetBytes < 0 || offsetBytes >= embedding.data().byteSize()) continue;
                views++;
                float[] whole = embedding.toFloatArray();
                float[] expected = java.util.Arrays.copyOfRange(whole, (int) (offsetBytes / 4), (int) (offsetBytes / 4 + t.numel()));
                assertArrayEquals(expected, t.toFloatArray(), e.getKey());
                if (views >= 3) break;
            }
            assertTrue(views >= 3, "the fixture has views at offsets into the shared storage");
        }
    }
}
