package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.io.PtArchive;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CosyVoice2 flow key list: exact at the fixture's sizes, and the real config's parameter count. */
class Cv2SyntheticLayoutTest {
    static final Path TINY = Path.of("src/test/resources/fixtures/cosyvoice2-tiny");

    @Test
    void tinyConfigReproducesEveryFixtureFlowKeyAndShapeInOrder() {
        List<String> actual = Cv2SyntheticLayout.flow(Cv2FlowConfig.load(TINY)).stream().map(TensorSpec::toString).toList();
        try (PtArchive a = PtArchive.open(TINY.resolve("flow.pt"))) {
            List<String> expected = new ArrayList<>();
            a.tensors().forEach((k, t) -> expected.add(k + " " + Arrays.toString(t.shape())));
            assertEquals(expected, actual);
        }
    }

    /**
     * Derived from the official constructors at the cosyvoice2.yaml sizes (encoder 6 + 4 conformer blocks of 512,
     * U-Net [256] with 4 blocks per stage and 12 mid stages); also recomputed by hand, not yet compared with the
     * released flow.pt.
     */
    @Test
    void realConfigParameterCount() {
        // 112.5 M float32 parameters = the ~450 MB of the released flow.pt; the exact count is this derivation's
        assertEquals(112_549_360L, SyntheticLayout.parameterCount(Cv2SyntheticLayout.flow(Cv2SyntheticLayout.cosyVoice2Flow())));
    }
}
