package dev.cosyvoice4j.backend.onednn;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** float32 to bfloat16: round to nearest even, as torch and oneDNN do; the vector loop equals the scalar one. */
class Bf16Test {

    @Test
    void roundsToNearestEven() {
        assertEquals(1.0f, Bf16.toFloat(Bf16.fromFloat(1.0f + 0x1p-8f)), "tie goes to the even 1.0");
        assertEquals(1.0f + 0x1p-6f, Bf16.toFloat(Bf16.fromFloat(1.0f + 0x1p-7f + 0x1p-8f)), "tie goes to even");
        assertEquals(1.0f + 0x1p-7f, Bf16.toFloat(Bf16.fromFloat(1.0f + 0x1p-8f + 0x1p-20f)), "above the tie");
        assertEquals(-3.0f, Bf16.toFloat(Bf16.fromFloat(-3.0f)));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.toFloat(Bf16.fromFloat(Float.POSITIVE_INFINITY)));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.toFloat(Bf16.fromFloat(Float.MAX_VALUE)), "overflows like torch");
        assertTrue(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.intBitsToFloat(0x7F800001)))), "NaN stays NaN");
    }

    @Test
    void vectorLoopEqualsScalarIncludingTailAndSpecials() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 1000 + 13;
        float[] x = new float[n + 5];
        for (int i = 0; i < x.length; i++) x[i] = Float.intBitsToFloat(rnd.nextInt());
        x[7] = Float.NaN;
        x[8] = Float.intBitsToFloat(0xFF800001); // signalling-looking NaN with low bits only
        x[9] = Float.NEGATIVE_INFINITY;
        x[10] = -0.0f;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(n * 2L);
            Bf16.convert(x, 5, n, dst);
            for (int i = 0; i < n; i++) {
                short got = dst.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i), want = Bf16.fromFloat(x[5 + i]);
                assertEquals(want, got, "element " + i + " of " + x[5 + i]);
            }
        }
    }
}
