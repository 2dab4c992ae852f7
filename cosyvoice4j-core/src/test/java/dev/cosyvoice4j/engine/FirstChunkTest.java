package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FirstChunkTest {
    @Test
    void expectedTokensArePinnedOrThreePerTextToken() {
        assertEquals(70, FirstChunk.expectedSpeechTokens(5, 70));
        assertEquals(63, FirstChunk.expectedSpeechTokens(21, 0));     // the seed benchmark's text: 63-69 real tokens
        assertEquals(Integer.MAX_VALUE, FirstChunk.expectedSpeechTokens(Integer.MAX_VALUE, 0));
    }

    @Test
    void flagsParseAndUnknownOnesAreNamed() {
        assertEquals(FirstChunk.AUTO, FirstChunk.parse(" Auto "));
        assertEquals("split", FirstChunk.SPLIT.flag());
        var e = assertThrows(IllegalArgumentException.class, () -> FirstChunk.parse("early"));
        assertEquals("'early' is not auto, official or split", e.getMessage());
    }
}
