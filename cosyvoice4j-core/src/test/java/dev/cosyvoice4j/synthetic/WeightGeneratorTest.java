package dev.cosyvoice4j.synthetic;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class WeightGeneratorTest {
    static final TensorSpec W = TensorSpec.param("a.weight", new Init.Normal(0, 1), 1000, 1000);

    @Test
    void normalsHaveUnitVarianceAndAreBounded() {
        float[] v = new WeightGenerator(7).values(W);
        double sum = 0, sq = 0, max = 0;
        for (float x : v) { sum += x; sq += x * x; max = Math.max(max, Math.abs(x)); }
        double mean = sum / v.length, std = Math.sqrt(sq / v.length - mean * mean);
        assertEquals(0, mean, 0.005);
        assertEquals(1, std, 0.005);
        assertTrue(max <= Math.sqrt(3) * 2 + 1e-6 && max > 2.5, "max " + max);
    }

    @Test
    void anySliceEqualsTheSameRangeOfTheWholeTensor() {
        WeightGenerator g = new WeightGenerator(42);
        float[] all = g.values(W);
        float[] part = new float[1234];
        g.fill(W, 500_000, part, part.length);
        assertArrayEquals(Arrays.copyOfRange(all, 500_000, 501_234), part);
    }

    @Test
    void valuesDependOnSeedAndNameOnly() {
        TensorSpec other = TensorSpec.param("b.weight", new Init.Normal(0, 1), 1000, 1000);
        float[] a = new WeightGenerator(1).values(W), b = new WeightGenerator(2).values(W), c = new WeightGenerator(1).values(other);
        assertArrayEquals(a, new WeightGenerator(1).values(W));
        assertFalse(Arrays.equals(a, b));
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void initKindsProduceWhatTheySay() {
        WeightGenerator g = new WeightGenerator(3);
        for (float x : g.values(TensorSpec.param("u", new Init.Uniform(0.5, 1.5), 10000))) assertTrue(x >= 0.5f && x < 1.5f);
        float[] pw = g.values(TensorSpec.param("p", new Init.Piecewise(9, new Init.Constant(-1), new Init.Normal(0, 0.05)), 18));
        for (int i = 0; i < 9; i++) assertEquals(-1f, pw[i]);
        for (int i = 9; i < 18; i++) assertTrue(Math.abs(pw[i]) < 0.2f);

        TensorSpec v = TensorSpec.param("c.original1", new Init.Normal(0, 0.1), 16, 8, 3);
        float[] vv = g.values(v), gg = g.values(TensorSpec.param("c.original0", new Init.WeightNormGain(v, 0.6, 1.4), 16, 1, 1));
        for (int o = 0; o < 16; o++) {
            double n = 0;
            for (int i = 0; i < 24; i++) n += vv[o * 24 + i] * vv[o * 24 + i];
            double ratio = gg[o] / Math.sqrt(n);
            assertTrue(ratio >= 0.6 - 1e-6 && ratio < 1.4, "g/||v|| " + ratio);
        }
    }

    @Test
    void sourceStreamsLittleEndianFloatsInChunksAndStopsWhenCancelled() throws IOException {
        TensorSpec big = TensorSpec.param("big", new Init.Normal(0, 1), WeightGenerator.CHUNK + 5);
        WeightGenerator g = new WeightGenerator(9);
        float[] expected = g.values(big);
        ByteBuffer all = ByteBuffer.allocate(expected.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        long[] progress = {0};
        g.source(big, n -> progress[0] += n, () -> false).writeTo(sink(all));
        assertEquals(expected.length * 4L, progress[0]);
        all.flip();
        for (float x : expected) assertEquals(x, all.getFloat());

        boolean[] cancel = {false};
        var src = g.source(big, n -> cancel[0] = true, () -> cancel[0]);
        assertThrows(java.io.InterruptedIOException.class, () -> src.writeTo(sink(ByteBuffer.allocate(expected.length * 4))));
    }

    private static WritableByteChannel sink(ByteBuffer into) {
        return new WritableByteChannel() {
            public int write(ByteBuffer b) { int n = b.remaining(); into.put(b); return n; }
            public boolean isOpen() { return true; }
            public void close() {}
        };
    }
}
