package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamScheduleTest {

    /** Token counts each flow call sees for {@code total} generated tokens (last entry = the final call). */
    static List<Integer> calls(int promptTokens, int total) {
        StreamSchedule s = StreamSchedule.official(promptTokens);
        List<Integer> out = new ArrayList<>();
        while (s.chunkReady(total)) {
            out.add(s.tokensNeededForNextChunk());
            s.advance();
        }
        out.add(total);
        return out;
    }

    @Test
    void goldenStreamToken2wavSchedule() {
        // stream/token2wav: P = 24 prompt tokens, 85 source tokens -> calls of 29, 79, 85 tokens
        assertEquals(List.of(29, 79, 85), calls(24, 85));
    }

    @Test
    void firstHopAlignsPromptToTheChunkGrid() {
        assertEquals(0, StreamSchedule.official(250).padTokens());
        assertEquals(1, StreamSchedule.official(24).padTokens());
        assertEquals(24, StreamSchedule.official(1).padTokens());
        assertEquals(0, StreamSchedule.official(0).padTokens());
    }

    @Test
    void hopsDoubleUpTo100() {
        // P = 0: chunks need 28, 25+50+3, 175+3, 275+3 ...
        assertEquals(List.of(28, 78, 178, 278, 300), calls(0, 300));
    }

    @Test
    void tooFewTokensGiveOnlyTheFinalCall() {
        assertEquals(List.of(27), calls(0, 27));
        StreamSchedule s = StreamSchedule.official(0);
        assertFalse(s.chunkReady(27));
        assertTrue(s.chunkReady(28));
    }

    @Test
    void everyUtteranceStartsWithTheInitialHop() {
        // the official model keeps the grown hop across utterances; a fresh schedule per utterance does not
        assertEquals(calls(24, 85), calls(24, 85));
    }
}
