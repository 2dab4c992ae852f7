package dev.cosyvoice4j.hub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small repositories and hub options for the tests. */
final class TestRepos {
    static final String WEIGHTS = "weights.pt", CONFIG = "config.yaml", NESTED = "tokenizer/vocab.json";

    private TestRepos() {}

    /** Two small (git) files, one of them nested, and a 60 kB LFS file. */
    static Map<String, byte[]> tiny() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(CONFIG, "sample_rate: 24000\n".getBytes(StandardCharsets.UTF_8));
        files.put(NESTED, "{\"hello\": 1}\n".getBytes(StandardCharsets.UTF_8));
        byte[] w = new byte[60_000];
        new Random(7).nextBytes(w);
        files.put(WEIGHTS, w);
        return files;
    }

    /** Options for {@code mirror} with caches under {@code dir}; short timeouts and back-off keep failing tests quick. */
    static HubOptions options(HubMirror mirror, Path dir) {
        return HubOptions.of(dir.resolve("hf"), dir.resolve("ms")).withHfEndpoint(mirror.endpoint())
                .withModelScopeEndpoint(mirror.endpoint()).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withRetries(0, Duration.ofMillis(1));
    }
}
