package dev.cosyvoice4j.codec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PcmAndWavTest {
    @Test
    void sampleConversionIsTheEngineWavWritersRounding() {
        float[] x = {0f, 1f, -1f, 1.5f, -7f, Float.NaN, 0.5f, -0.5f, 1e-5f, -1e-5f, 0.25f / 32767f, Float.POSITIVE_INFINITY};
        short[] expected = {0, 32767, -32767, 32767, -32767, 0, 16384, -16383, 0, 0, 0, 32767};
        assertArrayEquals(expected, Signals.pcm16(x));
    }

    @Test
    void pcmIsRawLittleEndianSamples() {
        float[] x = Signals.speechLike(1.3, 24000, 1);
        byte[] pcm = AudioEncoders.encodeAll(AudioFormat.PCM, 24000, x);
        assertEquals(2 * x.length, pcm.length);
        assertArrayEquals(Signals.pcm16(x), Signals.s16le(pcm, 0));
        assertArrayEquals(new byte[] {(byte) 0xFF, 0x7F, 0x01, (byte) 0x80}, AudioEncoders.encodeAll(AudioFormat.PCM, 24000, new float[] {1f, -1f}));
    }

    @Test
    void pcmStreamedInOddChunksIsTheWholeEncoding() {
        float[] x = Signals.speechLike(2.1, 24000, 2);
        assertArrayEquals(AudioEncoders.encodeAll(AudioFormat.PCM, 24000, x),
                Signals.streamInChunks(AudioEncoders.streaming(AudioFormat.PCM, 24000), x));
    }

    @Test
    void wholeWavHasExactSizesAndTheSamples() {
        float[] x = Signals.speechLike(1.0, 22050, 3);
        byte[] wav = AudioEncoders.encodeAll(AudioFormat.WAV, 22050, x);
        assertEquals(44 + 2 * x.length, wav.length);
        assertEquals("RIFF", new String(wav, 0, 4));
        assertEquals(36 + 2 * x.length, OggTestReader.le(wav, 4, 4));
        assertEquals("WAVEfmt ", new String(wav, 8, 8));
        assertEquals(16, OggTestReader.le(wav, 16, 4));
        assertEquals(1, OggTestReader.le(wav, 20, 2));       // PCM
        assertEquals(1, OggTestReader.le(wav, 22, 2));       // mono
        assertEquals(22050, OggTestReader.le(wav, 24, 4));
        assertEquals(44100, OggTestReader.le(wav, 28, 4));   // byte rate
        assertEquals(2, OggTestReader.le(wav, 32, 2));       // block align
        assertEquals(16, OggTestReader.le(wav, 34, 2));
        assertEquals("data", new String(wav, 36, 4));
        assertEquals(2 * x.length, OggTestReader.le(wav, 40, 4));
        assertArrayEquals(Signals.pcm16(x), Signals.s16le(wav, 44));
    }

    @Test
    void streamedWavDiffersFromTheWholeFileOnlyInItsUnknownSizes() {
        float[] x = Signals.speechLike(2.1, 24000, 4);
        byte[] whole = AudioEncoders.encodeAll(AudioFormat.WAV, 24000, x);
        byte[] streamed = Signals.streamInChunks(AudioEncoders.streaming(AudioFormat.WAV, 24000), x);
        assertEquals(whole.length, streamed.length);
        assertEquals(0xFFFFFFFFL, OggTestReader.le(streamed, 4, 4));
        assertEquals(0xFFFFFFFFL, OggTestReader.le(streamed, 40, 4));
        byte[] patched = streamed.clone();
        System.arraycopy(whole, 4, patched, 4, 4);
        System.arraycopy(whole, 40, patched, 40, 4);
        assertArrayEquals(whole, patched);
    }

    @Test
    void aStreamedWavWithoutSamplesIsJustTheHeader() {
        AudioEncoder enc = AudioEncoders.streaming(AudioFormat.WAV, 24000);
        byte[] all = enc.finish();
        assertEquals(44, all.length);
        assertArrayEquals(Arrays.copyOf(AudioEncoders.encodeAll(AudioFormat.WAV, 24000, new float[0]), 36), patchSizes(all));
    }

    private static byte[] patchSizes(byte[] header) {
        byte[] h = Arrays.copyOf(header, 36);
        h[4] = 36; h[5] = 0; h[6] = 0; h[7] = 0;
        return h;
    }
}
