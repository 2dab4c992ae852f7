package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelProfileTest {

    @Test
    void proxyForwardsEveryCallAndTimesOperationsByShape() {
        try (Backend scalar = Backends.open("scalar", BackendOptions.defaults())) {
            KernelProfile profile = new KernelProfile(scalar);
            Backend b = profile.proxy();
            assertEquals("scalar", b.name());
            Buf x = b.upload(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4), out = b.alloc(2, 3);
            b.parts(new int[] {1, 1}, i -> b.linear(out, x, Tensor.of(new float[12], 3, 4), Tensor.of(new float[] {1, 2, 3}, 3)));
            assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, b.read(out));
            b.conv1d(b.alloc(3, 4), x, Tensor.of(new float[3 * 2 * 3], 3, 2, 3), null, ConvSpec.same(1));
            assertThrows(IllegalArgumentException.class, () -> b.add(out, out, x), "the target's exception, unwrapped");
            String report = profile.report(1.0);
            assertTrue(report.contains("linear 2x4->3") && report.contains("    2 calls"), report);
            assertTrue(report.contains("conv1d: 0.0 GMAC"), report);
            assertTrue(profile.totalNanos() > 0);
            profile.reset();
            assertEquals(0, profile.totalNanos());
        }
    }
}
