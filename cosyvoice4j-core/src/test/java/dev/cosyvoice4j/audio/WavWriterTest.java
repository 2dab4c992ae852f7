package dev.cosyvoice4j.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WavWriterTest {
    @TempDir Path dir;

    @Test
    void writtenFileHasTheDefaultPermissionsOfANewFileNotOwnerOnly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "POSIX permissions only");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path wav = dir.resolve("out.wav");
        WavWriter.write(wav, new float[] {0f, 0.5f}, 24000, WavWriter.Encoding.PCM16);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(wav));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("out.wav", "plain"), files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no part file left");
        }
    }

    @Test
    void pcm16FileHasCanonicalHeaderAndClippedSamples() throws Exception {
        Path f = dir.resolve("a.wav");
        WavWriter.write(f, new float[] {0f, 1f, -1f, 2f, 0.5f}, 24000, WavWriter.Encoding.PCM16);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(44 + 10, b.capacity());
        assertEquals(36 + 10, b.getInt(4));
        assertEquals(1, b.getShort(20));
        assertEquals(24000, b.getInt(24));
        assertEquals(16, b.getShort(34));
        assertEquals(10, b.getInt(40));
        assertEquals(32767, b.getShort(46));
        assertEquals(-32767, b.getShort(48));
        assertEquals(32767, b.getShort(50));
        assertEquals(16384, b.getShort(52));
    }

    @Test
    void float32FileKeepsSamples() throws Exception {
        Path f = dir.resolve("b.wav");
        try (WavWriter w = WavWriter.open(f, 16000, WavWriter.Encoding.FLOAT32)) {
            w.append(new float[] {0.25f});
            w.append(new float[] {-0.75f});
            w.commit();
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, b.getShort(20));
        assertEquals(0.25f, b.getFloat(44));
        assertEquals(-0.75f, b.getFloat(48));
    }

    @Test
    void uncommittedWriteLeavesNothing() throws Exception {
        Path f = dir.resolve("c.wav");
        try (WavWriter w = WavWriter.open(f, 24000, WavWriter.Encoding.PCM16)) {
            w.append(new float[100]);
        }
        assertFalse(Files.exists(f));
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void missingDirectoryIsAClearError() {
        var e = assertThrows(java.io.IOException.class,
                () -> WavWriter.open(dir.resolve("nope/x.wav"), 24000, WavWriter.Encoding.PCM16));
        assertEquals(true, e.getMessage().contains("does not exist"));
    }
}
