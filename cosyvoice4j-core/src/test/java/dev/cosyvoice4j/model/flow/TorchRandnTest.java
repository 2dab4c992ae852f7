package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.io.Npy;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchRandnTest {
    static final Path GOLDEN = Path.of("src/test/resources/fixtures/golden");

    @Test
    void firstValuesAfterManualSeedZeroMatchTorch() {
        float[] r = TorchRandn.randn(0, 32);
        assertEquals(-1.1258, r[0], 1e-4);
        assertEquals(-1.1524, r[1], 1e-4);
        assertEquals(-0.2506, r[2], 1e-4);
        assertEquals(-0.4339, r[3], 1e-4);
    }

    @Test
    void cfmNoiseMatchesRecordedZOfEveryFlowCase() {
        float[] noise = CausalConditionalCfm.noise(80);
        int len = CausalConditionalCfm.NOISE_FRAMES;
        for (String f : new String[] {"flow/offline/z.npy", "flow/stream_nonfinal/z.npy", "e2e/flow_z.npy"}) {
            Tensor z = Npy.read(GOLDEN.resolve(f));
            int c = z.dim(1), t = z.dim(2);
            float[] zv = z.toFloatArray();
            double worst = 0;
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < t; i++) worst = Math.max(worst, Math.abs(zv[ch * t + i] - noise[ch * len + i]));
            }
            assertTrue(worst < 1e-6, f + ": max |diff| " + worst); // measured 3.6e-7 (1 ulp: torch's vectorised log/sincos)
        }
    }

    @Test
    void tailBlockIsRedrawnWhenNotAMultipleOf16() {
        float[] a = TorchRandn.randn(0, 32), b = TorchRandn.randn(0, 40);
        // the first full block is untouched by the tail redraw
        for (int i = 0; i < 16; i++) assertEquals(a[i], b[i]);
    }
}
