package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flow section of cosyvoice2.yaml: the fixture's values, and clear errors for what the port does not implement. */
class Cv2FlowConfigTest {
    static final Path YAML = Path.of("src/test/resources/fixtures/cosyvoice2-tiny/cosyvoice2.yaml");

    static Cv2FlowConfig parse(String text) {
        return Cv2FlowConfig.read(CosyVoiceYaml.parse(text, YAML.toString()), YAML);
    }

    @Test
    void readsTheFixtureFlowSection() throws Exception {
        Cv2FlowConfig c = parse(Files.readString(YAML));
        assertEquals(512, c.inputSize());
        assertEquals(80, c.outputSize());
        assertEquals(4, c.encoderAttentionHeads());
        assertEquals(64, c.encoderLinearUnits());
        assertEquals(1, c.encoderNumBlocks());
        assertEquals(25, c.encoderStaticChunkSize());
        assertEquals(List.of(64), c.channels());
        assertEquals(16, c.attentionHeadDim());
        assertEquals(2, c.numMidBlocks());
        assertEquals(50, c.estimatorStaticChunkSize());          // !ref <chunk_size> * <token_mel_ratio>
        assertEquals(0.7, c.inferenceCfgRate());
        assertEquals("cosine", c.tScheduler());
    }

    @Test
    void aCosyVoice3OrUnsupportedFlowIsRefusedNamingTheKey() throws Exception {
        String text = Files.readString(YAML);
        var e = assertThrows(ModelFormatException.class,
                () -> parse(text.replace("cosyvoice.flow.decoder.CausalConditionalDecoder", "cosyvoice.flow.DiT.dit.DiT")));
        assertTrue(e.getMessage().contains("flow.decoder.estimator"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> parse(text.replace("channels: [64]", "channels: [64, 64]")));
        assertTrue(e.getMessage().contains("estimator.channels"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> parse(text.replace("use_cnn_module: False", "use_cnn_module: True")));
        assertTrue(e.getMessage().contains("use_cnn_module"), e.getMessage());
    }
}
