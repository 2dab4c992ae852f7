package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile {@code cosyvoice3.yaml}: language tags, deep nesting, unclosed brackets, size; one line each, fast. */
class HostileYamlTest {
    @TempDir Path tmp;

    private static void refused(String yaml, String fragment) {
        var e = assertThrows(ModelFormatException.class, () -> CosyVoiceYaml.parse(yaml, "evil.yaml"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void yamlLanguageTagsAreRefused() {
        refused("llm: !!python/object/apply:os.system [\"touch /tmp/pwned\"]\n", "refusing the YAML tag '!!python/object/apply:os.system'");
        refused("x: !!binary aGVsbG8=\n", "'!!binary'");
        refused("x: [1, !!python/name:os.system]\n", "'!!python/name:os.system'");
        refused("x: !<tag:yaml.org,2002:python/object/new:os.system> a\n", "refusing the YAML tag");
        refused("x: !new:os.system; ls\n", "refusing the YAML tag");
        CosyVoiceYaml ok = CosyVoiceYaml.parse("x: !new:torch.nn.Identity\ny: !ref <x>\n", "ok.yaml");
        assertTrue(ok.has("x"));
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        refused("x: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n", "nested deeper than");
        StringBuilder blocks = new StringBuilder();
        for (int i = 0; i < 10_000; i++) blocks.append(" ".repeat(i)).append("k").append(i).append(":\n");
        refused(blocks.toString(), "nested deeper than");
    }

    @Test
    void unclosedBracketsOnManyLinesFailFast() {
        String lines = "x: [\n" + "[\n".repeat(200_000);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> refused(lines, "nested deeper than"));
        String flat = "x: [\n" + "1,\n".repeat(300_000);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> refused(flat, "unbalanced brackets"));
    }

    @Test
    void anOversizedConfigIsRefusedBeforeReading() throws Exception {
        Path big = tmp.resolve("cosyvoice3.yaml");
        Files.write(big, new byte[(int) CosyVoiceYaml.MAX_FILE_BYTES + 1]);
        var e = assertThrows(ModelFormatException.class, () -> CosyVoiceYaml.read(big));
        assertTrue(e.getMessage().contains("too large for a model config"), e.getMessage());
        Files.write(big, new byte[]{'x', ':', ' ', (byte) 0xff, '\n'});
        assertTrue(assertThrows(ModelFormatException.class, () -> CosyVoiceYaml.read(big)).getMessage().contains("not UTF-8"));
    }
}
