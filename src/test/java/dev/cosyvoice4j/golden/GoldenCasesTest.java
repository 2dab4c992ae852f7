package dev.cosyvoice4j.golden;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * One test per case of the fixture manifest (copied from ../shared/fixtures into the test resources).
 * Cases of stages that do not exist yet are reported as skipped with the reason. The system property
 * {@code golden.stage} (test-only) narrows the run to one stage while developing. The cases run on the fast
 * kernels the engine uses; the scalar specification is checked against them by the kernel tests (and
 * {@code verify --kernels scalar} runs the goldens on it).
 */
class GoldenCasesTest {
    static final Path GOLDEN = Path.of("src/test/resources/fixtures/golden");
    static final GoldenManifest MANIFEST = GoldenManifest.read(GOLDEN);
    static final GoldenRunner RUNNER = new GoldenRunner();
    static final GoldenContext CONTEXT = new GoldenContext(MANIFEST, MANIFEST.modelDir(), new dev.cosyvoice4j.backend.cpu.VectorKernels());
    static final Path DUMP = Path.of(System.getProperty("golden.dump", "target/golden-actual"));

    @TestFactory
    Stream<DynamicTest> goldenCases() {
        String only = System.getProperty("golden.stage");
        return MANIFEST.cases().stream()
                .filter(c -> only == null || only.isBlank() || only.equals(c.stage()))
                .map(c -> DynamicTest.dynamicTest(c.id(), () -> {
                    CaseResult r = RUNNER.run(c, CONTEXT, DUMP);
                    Assumptions.assumeTrue(r.status() != CaseResult.Status.SKIP, () -> "SKIP " + r.summary());
                    Assertions.assertEquals(CaseResult.Status.PASS, r.status(),
                            () -> r.line() + "\n" + String.join("\n", r.details()));
                }));
    }

    @AfterAll
    static void close() { CONTEXT.close(); }
}
