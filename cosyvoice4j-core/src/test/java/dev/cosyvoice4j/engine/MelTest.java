package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MelTest {
    @Test
    void sliceAndConcatAreInverse() {
        float[] d = new float[2 * 5];
        for (int i = 0; i < d.length; i++) d[i] = i;
        Mel m = new Mel(d, 2, 5);
        Mel head = new Mel(new float[] {0, 1, 5, 6}, 2, 2);
        assertArrayEquals(d, head.concat(m.fromFrame(2)).data());
    }

    @Test
    void linearResizeMatchesTorchAlignCornersFalse() {
        // F.interpolate(torch.tensor([[[0., 1., 2., 3.]]]), size=2, mode='linear') -> [0.5, 2.5]
        Mel m = new Mel(new float[] {0, 1, 2, 3}, 1, 4);
        assertArrayEquals(new float[] {0.5f, 2.5f}, m.resizeLinear(2).data(), 1e-6f);
        // size=8 -> [0, .25, .75, 1.25, 1.75, 2.25, 2.75, 3]
        assertArrayEquals(new float[] {0, .25f, .75f, 1.25f, 1.75f, 2.25f, 2.75f, 3}, m.resizeLinear(8).data(), 1e-6f);
        assertEquals(3, m.resizeLinear(3).frames());
    }
}
