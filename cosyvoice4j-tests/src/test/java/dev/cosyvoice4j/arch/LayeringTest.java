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
 * Dependencies flow one way: tensor/io/config -> backend -> model -> engine -> cli/bench. The Maven modules enforce
 * the coarse split (core cannot see backend-cpu, bench or cli); this test keeps the packages inside them honest: it
 * reads every main source file's imports in every module.
 */
class LayeringTest {
    static final String ROOT = "dev.cosyvoice4j.";

    /** Package prefix -> package prefixes it must not use. */
    static final Map<String, List<String>> FORBIDDEN = Map.ofEntries(
            Map.entry("tensor", List.of("io", "config", "backend", "model", "frontend", "text", "engine", "cli", "bench", "synthetic", "server", "hub")),
            Map.entry("io", List.of("backend", "model", "frontend", "text", "engine", "cli", "bench", "synthetic", "server", "hub")),
            Map.entry("config", List.of("backend", "model", "frontend", "text", "engine", "cli", "bench", "synthetic", "server", "hub")),
            Map.entry("backend", List.of("model", "frontend", "text", "engine", "cli", "bench", "synthetic", "server", "hub")),
            Map.entry("model", List.of("backend.cpu", "backend.onednn", "engine", "cli", "bench", "synthetic", "server", "hub")),
            Map.entry("frontend", List.of("backend.cpu", "backend.onednn", "model", "engine", "cli", "bench", "server", "hub")),
            Map.entry("text", List.of("backend", "model", "frontend", "engine", "cli", "bench", "server", "hub")),
            Map.entry("engine", List.of("backend.cpu", "backend.onednn", "cli", "bench", "quality", "server", "hub")),
            Map.entry("golden", List.of("backend.cpu", "backend.onednn", "model", "engine", "frontend", "text", "cli", "bench", "quality", "server", "hub")),
            Map.entry("audio", List.of("backend", "model", "frontend", "text", "engine", "cli", "bench", "quality", "server", "hub")),
            Map.entry("synthetic", List.of("backend", "model", "engine", "cli", "bench", "quality", "server", "hub")),
            Map.entry("quality", List.of("backend.cpu", "backend.onednn", "cli", "server", "hub")),
            Map.entry("bench", List.of("cli", "server", "hub")),
            Map.entry("server", List.of("backend.cpu", "backend.onednn", "model", "cli", "bench", "quality", "synthetic", "hub")),
            // the encoders stand alone: float samples in, bytes out
            Map.entry("codec", List.of("tensor", "io", "config", "backend", "model", "frontend", "text", "engine", "golden",
                    "audio", "synthetic", "quality", "bench", "server", "cli", "hub")),
            // models from the hubs: the JDK and Jackson only, no engine; only the command line uses it
            Map.entry("hub", List.of("tensor", "io", "config", "backend", "model", "frontend", "text", "engine", "golden",
                    "audio", "synthetic", "quality", "bench", "server", "cli", "codec")));

    static final Pattern USE = Pattern.compile("\\bdev\\.cosyvoice4j\\.([a-z0-9_.]+)\\.[A-Z]");

    @Test
    void noPackageUsesALayerAboveIt() throws IOException {
        List<String> violations = new ArrayList<>();
        List<Path> roots;
        try (Stream<Path> modules = Files.list(Path.of("."))) {
            roots = modules.filter(m -> m.getFileName().toString().startsWith("cosyvoice4j-"))
                    .map(m -> m.resolve("src/main/java/dev/cosyvoice4j")).filter(Files::isDirectory).toList();
        }
        assertEquals(true, roots.size() >= 4, "module source roots found: " + roots);
        for (Path src : roots) try (Stream<Path> files = Files.walk(src)) {
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
