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
        return calls(StreamSchedule.official(promptTokens), total);
    }

    static List<Integer> calls(StreamSchedule s, int total) {
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

    @Test
    void splitFirstChunkEmitsThePadFirstThenTheOfficialOffsets() {
        // P = 87 (the bench prompt): pad 13. Official: 25 + 13 + 3 = 41, then 38 + 50 + 3 = 91; split: 13 + 3 = 16 first
        assertEquals(List.of(41, 91, 191, 200), calls(87, 200));
        assertEquals(List.of(16, 41, 91, 191, 200), calls(StreamSchedule.splitFirstChunk(87), 200));
        // model C's streaming golden prompt: P = 30, pad 20
        assertEquals(List.of(23, 48, 98, 198, 200), calls(StreamSchedule.splitFirstChunk(30), 200));
        StreamSchedule s = StreamSchedule.splitFirstChunk(87);
        assertTrue(s.nextIsFirstChunk());
        s.advance();
        assertEquals(13, s.tokenOffset());
        assertTrue(s.nextIsFirstChunk(), "the rest of the official first chunk");
        s.advance();
        assertEquals(38, s.tokenOffset());
        assertFalse(s.nextIsFirstChunk());
    }

    @Test
    void aPadTooSmallForAPieceKeepsTheOfficialFirstChunk() {
        // P = 24: pad 1 (less than MIN_FIRST_PIECE_TOKENS), P = 100: pad 0
        assertEquals(calls(24, 85), calls(StreamSchedule.splitFirstChunk(24), 85));
        assertEquals(calls(100, 300), calls(StreamSchedule.splitFirstChunk(100), 300));
        int minPad = StreamSchedule.MIN_FIRST_PIECE_TOKENS;
        assertEquals(minPad + 3, calls(StreamSchedule.splitFirstChunk(25 - minPad), 100).get(0));
        assertEquals(25 + minPad - 1 + 3, calls(StreamSchedule.splitFirstChunk(25 - minPad + 1), 100).get(0));
    }

    @Test
    void tooFewTokensForTheRestStillEndWithTheFinalCall() {
        assertEquals(List.of(16, 30), calls(StreamSchedule.splitFirstChunk(87), 30));
        assertEquals(List.of(15), calls(StreamSchedule.splitFirstChunk(87), 15));
    }
}
