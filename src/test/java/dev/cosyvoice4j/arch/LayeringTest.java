package dev.cosyvoice4j.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dependencies flow one way: tensor/io/config -> backend -> model -> engine -> cli/bench. The project is one Maven
 * module, so this test is what keeps the layering honest: it reads every main source file's imports.
 */
class LayeringTest {
    static final String ROOT = "dev.cosyvoice4j.";

    /** Package prefix -> package prefixes it must not use. */
    static final Map<String, List<String>> FORBIDDEN = Map.of(
            "tensor", List.of("io", "config", "backend", "model", "frontend", "text", "engine", "cli", "bench", "synthetic"),
            "io", List.of("backend", "model", "frontend", "text", "engine", "cli", "bench", "synthetic"),
            "config", List.of("backend", "model", "frontend", "text", "engine", "cli", "bench", "synthetic"),
            "backend", List.of("model", "frontend", "text", "engine", "cli", "bench", "synthetic"),
            "model", List.of("backend.cpu", "backend.onednn", "engine", "cli", "bench", "synthetic"),
            "frontend", List.of("backend.cpu", "backend.onednn", "model", "engine", "cli", "bench"),
            "text", List.of("backend", "model", "frontend", "engine", "cli", "bench"),
            "engine", List.of("cli", "bench"));

    static final Pattern USE = Pattern.compile("\\bdev\\.cosyvoice4j\\.([a-z0-9_.]+)\\.[A-Z]");

    @Test
    void noPackageUsesALayerAboveIt() throws IOException {
        Path src = Path.of("src/main/java/dev/cosyvoice4j");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = src.relativize(f.getParent()).toString().replace('/', '.');
                String text = Files.readString(f);
                Matcher m = USE.matcher(text);
                while (m.find()) {
                    String used = m.group(1);
                    for (var rule : FORBIDDEN.entrySet()) {
                        if (!(pkg.equals(rule.getKey()) || pkg.startsWith(rule.getKey() + "."))) continue;
                        for (String bad : rule.getValue()) {
                            if (used.equals(bad) || used.startsWith(bad + ".")) violations.add(f + " uses " + ROOT + used);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations.stream().distinct().toList());
    }
}
