package dev.cosyvoice4j.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** make-synthetic at the fixture's sizes: a full round trip through PtWriter and WeightStore.openPt. */
class SyntheticModelWriterTest {
    static final Path TEMPLATE = SyntheticLayoutTest.TINY;
    @TempDir Path tmp;

    SyntheticModelWriter.Result writeTiny(Path out, long seed) throws Exception {
        return new SyntheticModelWriter().write(new SyntheticModelWriter.Options(out, SyntheticPresets.tiny(), "tiny", seed, TEMPLATE, false),
                SyntheticModelWriter.Progress.NONE);
    }

    @Test
    void tinyModelRoundTripsKeysShapesAndValues() throws Exception {
        Path out = tmp.resolve("model");
        var result = writeTiny(out, 11);
        assertEquals(Map.of("llm.pt", SyntheticLayout.parameterCount(SyntheticLayout.llm(SyntheticPresets.tiny())),
                "flow.pt", 763_336L - 8, "hift.pt", 114_627L), result.params());
        WeightGenerator gen = new WeightGenerator(11);
        for (var f : SyntheticModelWriter.checkpoints(SyntheticPresets.tiny()).entrySet()) {
            try (WeightStore w = WeightStore.openPt(out.resolve(f.getKey()))) {
                assertEquals(f.getValue().stream().map(TensorSpec::name).toList(), List.copyOf(w.names()));
                for (TensorSpec s : f.getValue()) {
                    Tensor t = w.take(s.name(), s.shape());
                    if (s.tied() || s.numel() > 100_000) continue;
                    assertArrayEquals(gen.values(s), t.toFloatArray(), s.name());
                }
                w.checkAllUsed();
                if (f.getKey().equals("llm.pt")) {
                    Tensor emb = w.takeAnyShape("llm.model.model.embed_tokens.weight");
                    assertEquals(emb.data().address(), w.takeAnyShape("llm.model.lm_head.weight").data().address());
                    float[] row = new float[56];
                    gen.fill(SyntheticLayout.llm(SyntheticPresets.tiny()).getFirst(), 151_935L * 56, row, 56);
                    assertArrayEquals(row, emb.select(151_935).toFloatArray(), "last embedding row");
                }
            }
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("model"), s.map(p -> p.getFileName().toString()).toList(), "no DIR.tmp left");
        }
    }

    @Test
    void directoryHasTheOfficialLayoutWithSizesReplaced() throws Exception {
        Path out = tmp.resolve("m");
        var c = SyntheticPresets.funCosyVoice3(); // only text files checked; write them through the tiny path
        Path template = TEMPLATE;
        String yaml = ConfigFiles.yaml(Files.readString(template.resolve("cosyvoice3.yaml")), template, c, List.of("header"));
        assertTrue(yaml.startsWith("# header\n# set random seed"), yaml.substring(0, 60));
        for (String line : List.of("llm_input_size: 896", "llm_output_size: 896", "        channels: 1024", "            dim: 1024",
                "            depth: 22", "            heads: 16", "            dim_head: 64", "            ff_mult: 2",
                "    base_channels: 512", "        cond_channels: 512", "            mel_dim: 80", "        in_channels: 80")) {
            assertTrue(yaml.contains("\n" + line + "\n"), "yaml lacks '" + line + "'");
        }
        JsonNode j = new ObjectMapper().readTree(ConfigFiles.qwen2ConfigJson(
                Files.readString(template.resolve("CosyVoice-BlankEN/config.json")), template, c.qwen2()));
        assertEquals(896, j.get("hidden_size").asInt());
        assertEquals(4864, j.get("intermediate_size").asInt());
        assertEquals(14, j.get("num_attention_heads").asInt());
        assertEquals(2, j.get("num_key_value_heads").asInt());
        assertEquals(24, j.get("num_hidden_layers").asInt());
        assertEquals(151936, j.get("vocab_size").asInt());
        assertFalse(j.has("head_dim"));

        writeTiny(out, 1);
        for (String f : List.of("cosyvoice3.yaml", "llm.pt", "flow.pt", "hift.pt", "campplus.onnx", "speech_tokenizer_v3.onnx",
                "SYNTHETIC-MODEL.txt", "CosyVoice-BlankEN/config.json", "CosyVoice-BlankEN/vocab.json", "CosyVoice-BlankEN/merges.txt",
                "CosyVoice-BlankEN/tokenizer_config.json", "CosyVoice-BlankEN/generation_config.json", "CosyVoice-BlankEN/model.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve(SyntheticModelWriter.IN_PROGRESS_MARKER)));
        assertArrayEquals(Files.readAllBytes(TEMPLATE.resolve("CosyVoice-BlankEN/merges.txt")), Files.readAllBytes(out.resolve("CosyVoice-BlankEN/merges.txt")));
        // the tiny config rewrites the fixture yaml into itself, apart from the header comment
        assertEquals(body(Files.readString(TEMPLATE.resolve("cosyvoice3.yaml"))), body(Files.readString(out.resolve("cosyvoice3.yaml"))));
        try (var st = dev.cosyvoice4j.io.SafeTensors.open(out.resolve("CosyVoice-BlankEN/model.safetensors"))) {
            assertArrayEquals(new long[]{56}, st.tensors().get("model.norm.weight").shape());
        }
    }

    private static String body(String yaml) { return yaml.substring(yaml.indexOf("# set random seed")); }

    @Test
    void sameSeedGivesIdenticalFiles() throws Exception {
        writeTiny(tmp.resolve("a"), 5);
        writeTiny(tmp.resolve("b"), 5);
        for (String f : List.of("flow.pt", "hift.pt")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
    }

    @Test
    void existingDirectoryNeedsForceAndIsThenReplaced() throws Exception {
        Path out = tmp.resolve("m");
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "x");
        var e = assertThrows(IllegalArgumentException.class, () -> writeTiny(out, 1));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        new SyntheticModelWriter().write(new SyntheticModelWriter.Options(out, SyntheticPresets.tiny(), "tiny", 1, TEMPLATE, true),
                SyntheticModelWriter.Progress.NONE);
        assertFalse(Files.exists(out.resolve("old.txt")));
        assertTrue(Files.exists(out.resolve("llm.pt")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("m"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void cancellingLeavesNoDirectoryBehind() {
        Path out = tmp.resolve("m");
        SyntheticModelWriter w = new SyntheticModelWriter();
        SyntheticModelWriter.Progress cancelAfterFirstChunk = new SyntheticModelWriter.Progress() {
            public void begin(long totalBytes) {}
            public void file(String name, long bytes) {}
            public void advance(long bytes) { w.cancel(); }
            public void end() {}
        };
        assertThrows(InterruptedIOException.class, () -> w.write(
                new SyntheticModelWriter.Options(out, SyntheticPresets.tiny(), "tiny", 1, TEMPLATE, false), cancelAfterFirstChunk));
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve("m.tmp")));
    }

    @Test
    void badTemplateAndForeignTmpDirAreClearErrors() throws Exception {
        Path out = tmp.resolve("m");
        var e = assertThrows(IllegalArgumentException.class, () -> new SyntheticModelWriter().write(
                new SyntheticModelWriter.Options(out, SyntheticPresets.tiny(), "tiny", 1, tmp, false), SyntheticModelWriter.Progress.NONE));
        assertTrue(e.getMessage().startsWith("--template: "), e.getMessage());
        assertFalse(Files.exists(out));

        Files.createDirectories(tmp.resolve("m.tmp"));
        e = assertThrows(IllegalArgumentException.class, () -> writeTiny(out, 1));
        assertTrue(e.getMessage().contains("m.tmp"), e.getMessage());
        Files.writeString(tmp.resolve("m.tmp").resolve(SyntheticModelWriter.IN_PROGRESS_MARKER), "stale");
        writeTiny(out, 1); // a stale DIR.tmp of ours is replaced
        assertFalse(Files.exists(tmp.resolve("m.tmp")));
    }
}
