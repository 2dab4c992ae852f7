package dev.cosyvoice4j.golden;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One test per case of every fixture set (each directory with a {@code manifest.json} under the test resources'
 * {@code fixtures/}, copied from ../shared/fixtures: model A, model C of other shapes, the text-in streaming cases,
 * CosyVoice2) on every backend on the class path ({@code scalar}, the specification, and {@code cpu}, what the engine
 * runs). Cases the code does not cover yet (a stage or model family not implemented) are reported as skipped with the
 * reason. The system property {@code golden.stage} (test-only) narrows the run to one stage while developing.
 */
class GoldenCasesTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    static final GoldenRunner RUNNER = new GoldenRunner();
    static final Path DUMP = Path.of(System.getProperty("golden.dump", "target/golden-actual"));
    static final List<GoldenContext> CONTEXTS = new ArrayList<>();
    static final List<Backend> BACKENDS = new ArrayList<>();

    /** Every fixture set: the directories holding a manifest. */
    static List<Path> sets() throws IOException {
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json"))).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicContainer> goldenCases() throws IOException {
        List<Path> sets = sets();
        Assertions.assertTrue(sets.size() >= 4, "expected golden, golden-c, golden-bistream and golden-cv2 in " + FIXTURES);
        List<String> backends = Backends.names();
        Assertions.assertTrue(backends.containsAll(List.of("scalar", "cpu")), "backends found: " + backends);
        return backends.stream().map(name -> DynamicContainer.dynamicContainer(name, sets.stream()
                .map(set -> cases(name, set))));
    }

    private static DynamicContainer cases(String backendName, Path set) {
        String only = System.getProperty("golden.stage");
        GoldenManifest manifest = GoldenManifest.read(set);
        Backend backend = Backends.open(backendName, BackendOptions.defaults());
        BACKENDS.add(backend);
        GoldenContext context = new GoldenContext(manifest, manifest.modelDir(), backend);
        CONTEXTS.add(context);
        Path dump = DUMP.resolve(backendName).resolve(set.getFileName().toString());
        return DynamicContainer.dynamicContainer(set.getFileName().toString(), manifest.cases().stream()
                .filter(c -> only == null || only.isBlank() || only.equals(c.stage()))
                .map(c -> DynamicTest.dynamicTest(c.id(), () -> {
                    CaseResult r = RUNNER.run(c, context, dump, CaseCheck.Dump.FAILURES);
                    Assumptions.assumeTrue(r.status() != CaseResult.Status.SKIP, () -> "SKIP " + r.summary());
                    Assertions.assertEquals(CaseResult.Status.PASS, r.status(),
                            () -> r.line() + "\n" + String.join("\n", r.details()));
                })));
    }

    @AfterAll
    static void close() {
        CONTEXTS.forEach(GoldenContext::close);
        BACKENDS.forEach(Backend::close);
    }
}
