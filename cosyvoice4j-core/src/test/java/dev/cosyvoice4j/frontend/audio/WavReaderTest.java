package dev.cosyvoice4j.frontend.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WavReaderTest {
    @TempDir Path dir;

    @Test
    void pcm16IsScaledBy32768() throws IOException {
        byte[] wav = TestWavs.encode(new float[][] {{0f, 0.5f, -1f, 1f}}, 16000, 1, 16, false);
        DecodedAudio a = WavReader.read(TestWavs.write(dir, "a.wav", wav));
        assertEquals(16000, a.sampleRateHz());
        assertEquals(1, a.channels());
        assertEquals("PCM 16-bit", a.encoding());
        // 0.5 * 32767 rounds to 16384 -> 0.5 exactly; -1 -> -32767 / 32768
        assertArrayEquals(new float[] {0f, 0.5f, -32767f / 32768, 32767f / 32768}, a.samples());
    }

    @Test
    void everySupportedEncodingDecodesTheSameTone() throws IOException {
        float[][] x = TestWavs.tone(1, 800, 16000);
        int[][] cases = {{1, 8}, {1, 16}, {1, 24}, {1, 32}, {3, 32}, {3, 64}};
        for (boolean ext : new boolean[] {false, true}) {
            for (int[] c : cases) {
                DecodedAudio a = WavReader.read(TestWavs.write(dir, "t" + c[0] + c[1] + ext + ".wav",
                        TestWavs.encode(x, 16000, c[0], c[1], ext)));
                double tol = c[1] == 8 ? 1.0 / 100 : 1e-4;
                for (int i = 0; i < 800; i++) assertEquals(x[0][i], a.samples()[i], tol, a.encoding() + " sample " + i);
                assertEquals(ext, a.encoding().contains("extensible"), a.encoding());
            }
        }
    }

    @Test
    void floatSamplesAreKeptBitExact() throws IOException {
        float[] v = {1.2345678e-5f, -0.999f, 1.5f, -3e-9f};
        DecodedAudio a = WavReader.read(TestWavs.write(dir, "f.wav", TestWavs.encode(new float[][] {v}, 24000, 3, 32, false)));
        assertArrayEquals(v, a.samples());
    }

    @Test
    void threeChannelsAreMixedByTheirMean() throws IOException {
        float[][] x = {{0.25f, 0.5f}, {0.5f, -0.5f}, {0.125f, 0f}};
        DecodedAudio a = WavReader.read(TestWavs.write(dir, "c3.wav", TestWavs.encode(x, 44100, 3, 32, false)));
        assertEquals(3, a.channels());
        assertArrayEquals(new float[] {(0.25f + 0.5f + 0.125f) / 3, 0f}, a.samples());
    }

    @Test
    void zeroLengthFileIsRefused() throws IOException {
        Path p = TestWavs.write(dir, "empty.wav", new byte[0]);
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.read(p));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
    }

    @Test
    void corruptHeaderIsRefused() throws IOException {
        byte[] wav = TestWavs.encode(TestWavs.tone(1, 100, 16000), 16000, 1, 16, false);
        byte[] bad = wav.clone();
        bad[0] = 'X';
        Path p = TestWavs.write(dir, "bad-magic.wav", bad);
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(p)).getMessage().contains("not a RIFF/WAVE"));
        Path garbage = TestWavs.write(dir, "garbage.wav", "this is not audio at all, just text".getBytes());
        assertThrows(AudioFormatException.class, () -> WavReader.read(garbage));
        byte[] noFmt = wav.clone();
        noFmt[12] = (byte) 0x01;   // "fmt " id destroyed
        Path p2 = TestWavs.write(dir, "bad-chunk.wav", noFmt);
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(p2)).getMessage().contains("corrupt chunk header"));
        byte[] zeroCh = wav.clone();
        zeroCh[22] = 0;   // channels = 0
        Path p3 = TestWavs.write(dir, "zero-ch.wav", zeroCh);
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(p3)).getMessage().contains("0 channels"));
        Path tiny = TestWavs.write(dir, "tiny.wav", Arrays.copyOf(wav, 7));
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(tiny)).getMessage().contains("too short"));
    }

    @Test
    void emptyDataChunkIsRefused() throws IOException {
        byte[] wav = TestWavs.encode(new float[][] {{}}, 16000, 1, 16, false);
        Path p = TestWavs.write(dir, "nodata.wav", wav);
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.read(p));
        assertTrue(e.getMessage().contains("data chunk is empty"), e.getMessage());
        Path header = TestWavs.write(dir, "header-only.wav", Arrays.copyOf(wav, 36));
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(header)).getMessage().contains("no 'data' chunk"));
    }

    @Test
    void truncatedDataChunkSaysWhatWasFound() throws IOException {
        byte[] wav = TestWavs.encode(TestWavs.tone(1, 16000, 16000), 16000, 1, 16, false);
        Path p = TestWavs.write(dir, "trunc.wav", Arrays.copyOf(wav, wav.length / 2));
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> WavReader.read(p));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("32000 bytes"), e.getMessage());
    }

    @Test
    void oddSizedChunksBeforeTheDataArePaddedAndSkipped() throws IOException {
        byte[] wav = TestWavs.encode(new float[][] {{0.5f, -0.5f}}, 16000, 1, 16, false);
        ByteBuffer b = ByteBuffer.allocate(wav.length + 14).order(ByteOrder.LITTLE_ENDIAN);
        b.put(wav, 0, 36).put("LIST".getBytes()).putInt(5).put(new byte[] {1, 2, 3, 4, 5, 0}).put(wav, 36, wav.length - 36);
        DecodedAudio a = WavReader.read(TestWavs.write(dir, "list.wav", b.array()));
        assertArrayEquals(new float[] {16384f / 32768, -16383f / 32768}, a.samples());
    }

    @Test
    void unknownDataSizeMeansUpToTheEnd() throws IOException {
        byte[] wav = TestWavs.encode(TestWavs.tone(1, 100, 16000), 16000, 1, 16, false);
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(40, -1);   // streaming writers' 0xFFFFFFFF
        assertEquals(100, WavReader.read(TestWavs.write(dir, "stream.wav", wav)).frames());
    }

    @Test
    void unsupportedEncodingsAreNamed() throws IOException {
        byte[] mulaw = TestWavs.encode(TestWavs.tone(1, 100, 8000), 8000, 1, 16, false);
        mulaw[20] = 7;
        Path p = TestWavs.write(dir, "mulaw.wav", mulaw);
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(p)).getMessage().contains("mu-law"));
        byte[] bits12 = TestWavs.encode(TestWavs.tone(1, 100, 8000), 8000, 1, 16, false);
        bits12[34] = 12;
        Path p2 = TestWavs.write(dir, "12bit.wav", bits12);
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(p2)).getMessage().contains("unsupported bit depth"));
    }

    @Test
    void tenMinuteFileIsRefusedFromItsHeader() throws IOException {
        // Header claims 10 min of 16 kHz PCM16 and the data is really there (19.2 MB): refused before decoding.
        int rate = 16000, frames = rate * 600;
        byte[] head = TestWavs.encode(new float[][] {new float[0]}, rate, 1, 16, false);
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 36 + 2 * frames).putInt(40, 2 * frames);
        Path p = TestWavs.write(dir, "ten-minutes.wav", head);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(2 * frames));
        }
        assertEquals(600.0, WavReader.probe(p).durationSeconds(), 1e-9);
        AudioTooLongException e = assertThrows(AudioTooLongException.class, () -> WavReader.read(p, 30, "test limit"));
        assertEquals(600.0, e.seconds(), 1e-9);
        assertTrue(e.getMessage().contains("600.00 s") && e.getMessage().contains("30.0 s"), e.getMessage());
        assertEquals(19_200_044, Files.size(p));
    }

    @Test
    void inMemoryBytesDecodeLikeTheFile() throws IOException {
        byte[] wav = TestWavs.encode(TestWavs.tone(2, 500, 22050), 22050, 1, 24, true);
        DecodedAudio fromFile = WavReader.read(TestWavs.write(dir, "m.wav", wav));
        assertEquals(fromFile, WavReader.read(wav, "upload.wav", 30, ""));
        assertThrows(AudioTooLongException.class, () -> WavReader.read(wav, "upload.wav", 0.01, "limit"));
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(new byte[3], "upload.wav", 30, ""))
                .getMessage().startsWith("upload.wav: "));
    }

    @Test
    void missingFileAndDirectoryAreNamed() {
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(dir.resolve("nope.wav"))).getMessage().contains("no such file"));
        assertTrue(assertThrows(AudioFormatException.class, () -> WavReader.read(dir)).getMessage().contains("directory"));
    }
}
