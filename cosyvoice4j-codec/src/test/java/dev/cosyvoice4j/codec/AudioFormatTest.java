package dev.cosyvoice4j.codec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioFormatTest {
    @Test
    void parsesTheOpenAiNamesIgnoringCase() {
        for (AudioFormat f : AudioFormat.values()) {
            assertEquals(f, AudioFormat.parse(f.id()));
            assertEquals(f, AudioFormat.parse(f.id().toUpperCase()));
        }
        assertEquals(AudioFormat.OPUS, AudioFormat.parse("Opus"));
    }

    @Test
    void unknownNamesAreRejectedWithTheValueAndTheValidOnes() {
        for (String bad : new String[] {"ogg", "", " mp3", "m4a"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioFormat.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("wav, pcm, flac, mp3, opus, aac"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioFormat.parse(null));
        assertTrue(e.getMessage().contains("'null'"), e.getMessage());
    }

    @Test
    void contentTypesAndExtensionsMatchOpenAi() {
        assertEquals("audio/wav", AudioFormat.WAV.contentType());
        assertEquals("audio/pcm", AudioFormat.PCM.contentType());
        assertEquals("audio/flac", AudioFormat.FLAC.contentType());
        assertEquals("audio/mpeg", AudioFormat.MP3.contentType());
        assertEquals("audio/ogg", AudioFormat.OPUS.contentType());
        assertEquals("audio/aac", AudioFormat.AAC.contentType());
        for (AudioFormat f : AudioFormat.values()) assertEquals(f.name().toLowerCase(), f.extension());
        assertEquals("opus", AudioFormat.OPUS.id());
    }
}
