package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelConfigTest {
    static final Path TINY = CosyVoiceYamlTest.TINY;

    @TempDir Path tmp;

    @Test
    void loadsTheFixtureModel() {
        ModelConfig c = ModelDir.open(TINY).config();
        assertEquals(24000, c.sampleRate());
        assertEquals(25, c.tokenFrameRate());
        assertEquals(2, c.tokenMelRatio());
        assertEquals(25, c.chunkSize());
        assertEquals(new LlmConfig(56, 56, 6561, 0.8, 25, 10, 0.1), c.llm());
        assertEquals(new Qwen2Config(56, 2, 4, 2, 14, 128, 151936, 1e-6, 1e6, true), c.qwen2());
        FlowConfig f = c.flow();
        assertEquals(64, f.preLookaheadChannels());
        assertEquals(List.of(64, 2, 4, 16, 2), List.of(f.ditDim(), f.ditDepth(), f.ditHeads(), f.ditDimHead(), f.ditFfMult()));
        assertEquals(50, f.staticChunkSize());
        assertEquals(-1, f.numDecodingLeftChunks());
        assertEquals(0.7, f.inferenceCfgRate());
        assertEquals("cosine", f.tScheduler());
        assertEquals(240, f.decoderInChannels());
        HiftConfig h = c.hift();
        assertEquals(32, h.baseChannels());
        assertEquals(32, h.f0CondChannels());
        assertEquals(List.of(16, 11, 7), h.upsampleKernelSizes());
        assertEquals(16, h.istftNFft());
        assertEquals(4, h.istftHopLen());
        assertEquals(0.99, h.audioLimit());
    }

    @Test
    void loadsARealSizeConfig() throws IOException {
        Path dir = realSizeConfigDir(tmp);
        ModelConfig c = ModelConfig.load(dir);
        assertEquals(new Qwen2Config(896, 24, 14, 2, 64, 4864, 151936, 1e-6, 1e6, true), c.qwen2());
        assertEquals(896, c.llm().llmInputSize());
        FlowConfig f = c.flow();
        assertEquals(List.of(1024, 22, 16, 64, 2), List.of(f.ditDim(), f.ditDepth(), f.ditHeads(), f.ditDimHead(), f.ditFfMult()));
        assertEquals(1024, f.preLookaheadChannels());
        assertEquals(512, c.hift().baseChannels());
        assertEquals(512, c.hift().f0CondChannels());
    }

    @Test
    void missingKeyGivesOneLine() throws IOException {
        Path dir = copyConfigs(tmp, TINY);
        Path y = dir.resolve("cosyvoice3.yaml");
        Files.writeString(y, Files.readString(y).replace("            depth: 2\n", ""));
        var e = assertThrows(ModelFormatException.class, () -> ModelConfig.load(dir));
        assertEquals(y + ": missing key flow.decoder.estimator.depth", e.getMessage());
    }

    @Test
    void unexpectedClassIsReported() throws IOException {
        Path dir = copyConfigs(tmp, TINY);
        Path y = dir.resolve("cosyvoice3.yaml");
        Files.writeString(y, Files.readString(y).replace("!new:cosyvoice.flow.DiT.dit.DiT", "!new:cosyvoice.flow.decoder.ConditionalDecoder"));
        var e = assertThrows(ModelFormatException.class, () -> ModelConfig.load(dir));
        assertTrue(e.getMessage().contains("flow.decoder.estimator is !new:cosyvoice.flow.decoder.ConditionalDecoder, expected !new:cosyvoice.flow.DiT.dit.DiT"), e.getMessage());
    }

    @Test
    void missingFilesAreListed() throws IOException {
        Path dir = copyConfigs(tmp, TINY);
        var e = assertThrows(ModelFormatException.class, () -> ModelDir.open(dir));
        assertTrue(e.getMessage().contains("missing: llm.pt, flow.pt, hift.pt, campplus.onnx, speech_tokenizer_v3.onnx, "
                + "CosyVoice-BlankEN/vocab.json"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /** cosyvoice3.yaml + CosyVoice-BlankEN/config.json of the fixture, copied to {@code tmp}. */
    static Path copyConfigs(Path tmp, Path from) throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir.resolve("CosyVoice-BlankEN"));
        Files.copy(from.resolve("cosyvoice3.yaml"), dir.resolve("cosyvoice3.yaml"));
        Files.copy(from.resolve("CosyVoice-BlankEN/config.json"), dir.resolve("CosyVoice-BlankEN/config.json"));
        dir.resolve("cosyvoice3.yaml").toFile().setWritable(true);
        return dir;
    }

    /** The configs of the real Fun-CosyVoice3-0.5B (sizes from the fixture README), no weights. */
    static Path realSizeConfigDir(Path tmp) throws IOException {
        Path dir = copyConfigs(tmp, TINY);
        Path y = dir.resolve("cosyvoice3.yaml");
        String yaml = Files.readString(y)
                .replace("llm_input_size: 56", "llm_input_size: 896").replace("llm_output_size: 56", "llm_output_size: 896")
                .replace("channels: 64\n", "channels: 1024\n")
                .replace("dim: 64\n            depth: 2\n            heads: 4\n            dim_head: 16",
                        "dim: 1024\n            depth: 22\n            heads: 16\n            dim_head: 64")
                .replace("base_channels: 32", "base_channels: 512").replace("cond_channels: 32", "cond_channels: 512");
        Files.writeString(y, yaml);
        Path json = dir.resolve("CosyVoice-BlankEN/config.json");
        json.toFile().setWritable(true);
        Files.writeString(json, Files.readString(json).replace("\"hidden_size\": 56", "\"hidden_size\": 896")
                .replace("\"intermediate_size\": 128", "\"intermediate_size\": 4864")
                .replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 14")
                .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 24"));
        return dir;
    }
}
