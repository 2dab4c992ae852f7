package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Npy#write} then {@link Npy#read}: every value and the shape come back; the header stays 64-byte aligned. */
class NpyTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReadsBackALongWaveform() throws Exception {
        float[] wave = new float[166_080];                      // model C's e2e tts_speech (failed before the fix)
        for (int i = 0; i < wave.length; i++) wave[i] = (float) Math.sin(i * 0.01) * 0.5f;
        Path f = dir.resolve("e2e/zero_shot/tts_speech.npy");
        Npy.write(f, Tensor.of(wave, 1, wave.length));
        Tensor back = Npy.read(f);
        assertArrayEquals(new long[] {1, wave.length}, back.shape());
        assertArrayEquals(wave, back.toFloatArray());
        assertEquals(0, (Files.size(f) - 4L * wave.length) % 64);
    }

    @Test
    void writesSmallAndIntegerTensors() throws Exception {
        for (long[] shape : new long[][] {{3}, {2, 3}, {1, 1, 5}}) {
            int n = (int) Tensor.numel(shape);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = i - 1.5f;
            Path f = dir.resolve("t" + shape.length + ".npy");
            Npy.write(f, Tensor.of(v, shape));
            assertArrayEquals(v, Npy.read(f).toFloatArray());
            assertArrayEquals(shape, Npy.read(f).shape());
        }
        Path ids = dir.resolve("ids.npy");
        Npy.write(ids, Tensor.ofLongs(new long[] {6561, -1, 42}, 3));
        assertArrayEquals(new int[] {6561, -1, 42}, Npy.read(ids).toIntArray());
    }
}
