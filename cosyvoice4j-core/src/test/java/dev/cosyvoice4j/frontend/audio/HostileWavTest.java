package dev.cosyvoice4j.frontend.audio;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WAV headers that declare more than the file holds: refused from the header, nothing allocated from the claim. */
class HostileWavTest {
    /** RIFF/WAVE, PCM 16-bit mono 16 kHz, a data chunk declaring {@code declaredBytes} followed by 8 real bytes. */
    static byte[] wavDeclaring(long declaredBytes) {
        ByteBuffer b = ByteBuffer.allocate(44 + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) Math.min(0xffffffffL, declaredBytes + 36));
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) declaredBytes);
        return b.array();
    }

    private static void refused(byte[] wav, String fragment) {
        var e = assertThrows(AudioFormatException.class, () -> WavReader.read(wav, "evil.wav", Double.POSITIVE_INFINITY, "none"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void aDataChunkDeclaringTwoGigabytesIsRefusedAsTruncated() {
        refused(wavDeclaring(0x7fff_fff0L), "the data chunk declares 2147483632 bytes");
        refused(wavDeclaring(0xffff_fffeL), "truncated");
    }

    @Test
    void aTwoGigabyteDeclarationUnderThePromptLimitIsRefusedAsTooLongFirst() {
        // with a duration limit (prompts: 30 s) the header's 67,108 s are refused before the size is even compared
        byte[] wav = wavDeclaring(0x7fff_fff0L);
        assertThrows(AudioFormatException.class, () -> WavReader.read(wav, "evil.wav", 30, "prompt limit"));
    }

    @Test
    void aFmtChunkDeclaringTwoGigabytesIsRefused() {
        byte[] wav = wavDeclaring(8);
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0x7fff_fff0);
        refused(wav, "fmt chunk is cut off");
    }

    @Test
    void aChainOfHugeUnknownChunksEndsAtTheFileEnd() {
        ByteBuffer b = ByteBuffer.allocate(12 + 8 * 3).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(-1).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 3; i++) b.put("junk".getBytes(StandardCharsets.US_ASCII)).putInt(0x7fff_fff0);
        refused(b.array(), "no 'fmt ' chunk");
    }
}
