package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Text-in streaming ({@link Session#synthesizeTextStream}) on the tiny fixture model. */
class TextStreamTest {
    static final String INSTRUCT = "You are a helpful assistant. 请用广东话表达。<|endofprompt|>";
    static Engine engine;

    @BeforeAll
    static void load() { engine = Engine.load(EngineTest.MODEL, EngineOptions.defaults().withThreads(2)); }

    @AfterAll
    static void close() { engine.close(); }

    static SynthesisRequest instruct2(boolean stream) {
        return SynthesisRequest.builder(Mode.INSTRUCT2).text("-").instructText(INSTRUCT).promptWav(EngineTest.PROMPT_WAV)
                .argmax(true).stream(stream).build();
    }

    @Test
    void audioStartsBeforeTheTextHasEnded() {
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            TextInput text = new TextInput();
            try (Session s = engine.openSession(); SynthesisStream st = s.synthesizeTextStream(instruct2(true), text)) {
                text.push("好少咯，").push("一般系放嗰啲国庆啊，").push("中秋嗰啲可能会咯。");
                assertTrue(st.hasNext());
                AudioChunk first = st.next();                // arrives while the text is still open
                assertFalse(first.last());
                assertTrue(first.samples().length > 0);
                text.push("然后结束。");
                text.finish();
                List<AudioChunk> rest = new ArrayList<>();
                st.forEachRemaining(rest::add);
                assertTrue(rest.getLast().last());
            }
        });
    }

    @Test
    void theFirstChunkIsSplitWhileTheTextIsStillArrivingWithTheSameSamples() {
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            StreamingCacheTest.Chunks official;
            try (Engine e = Engine.load(EngineTest.MODEL, EngineOptions.defaults().withThreads(2)
                    .withStreaming(StreamingOptions.defaults().withFirstChunk(FirstChunk.OFFICIAL)))) {
                official = firstChunkBeforeTheTextEnds(e);
            }
            // FirstChunk.AUTO, the default: an open text is expected to go on, so the first chunk is split
            StreamingCacheTest.assertSplit(official, firstChunkBeforeTheTextEnds(engine));
        });
    }

    /** Every chunk of an instruct2 text stream whose text ends only after the first chunk has arrived. */
    private static StreamingCacheTest.Chunks firstChunkBeforeTheTextEnds(Engine e) {
        TextInput text = new TextInput();
        List<float[]> pieces = new ArrayList<>();
        try (Session s = e.openSession(); SynthesisStream st = s.synthesizeTextStream(instruct2(true), text)) {
            text.push("好少咯，").push("一般系放嗰啲国庆啊，").push("中秋嗰啲可能会咯。");
            pieces.add(st.next().samples());
            text.push("然后结束。");
            text.finish();
            st.forEachRemaining(c -> pieces.add(c.samples()));
        }
        return StreamingCacheTest.Chunks.of(pieces);
    }

    @Test
    void offlineTextStreamGivesTheSameAudioAsStreaming() {
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            float[] offline, streamed;
            try (Session s = engine.openSession()) {
                offline = s.synthesizeTextStream(instruct2(false), TextInput.of("好少咯，", "", "一般系放嗰啲国庆啊。")).readAll();
                streamed = s.synthesizeTextStream(instruct2(true), TextInput.of("好少咯，", "一般系放嗰啲国庆啊。")).readAll();
            }
            assertTrue(offline.length > 0);
            assertEquals(offline.length, streamed.length);
        });
    }

    @Test
    void cancelWhileWaitingForTextEndsTheStream() {
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            TextInput text = new TextInput().push("好");
            try (Session s = engine.openSession(); SynthesisStream st = s.synthesizeTextStream(instruct2(true), text)) {
                Thread.sleep(200);
                st.cancel();
                while (st.hasNext()) st.next();
            }
        });
    }

    @Test
    void twoConcurrentTextStreamsMatchSerialRuns() {
        assertTimeoutPreemptively(Duration.ofMinutes(4), () -> {
            String[] a = {"好少咯，", "一般系放嗰啲国庆啊。"}, b = {"中秋嗰啲", "可能会咯。"};
            float[] serialA, serialB;
            try (Session s = engine.openSession()) {
                serialA = s.synthesizeTextStream(instruct2(true), TextInput.of(a)).readAll();
                serialB = s.synthesizeTextStream(instruct2(true), TextInput.of(b)).readAll();
            }
            TextInput ta = new TextInput(), tb = new TextInput();
            try (Session s1 = engine.openSession(); Session s2 = engine.openSession();
                 SynthesisStream sa = s1.synthesizeTextStream(instruct2(true), ta);
                 SynthesisStream sb = s2.synthesizeTextStream(instruct2(true), tb)) {
                for (int i = 0; i < 2; i++) {                     // interleaved pieces
                    ta.push(a[i]);
                    tb.push(b[i]);
                }
                ta.finish();
                tb.finish();
                EngineTest.assertSameAudio(serialA, sa.readAll());
                EngineTest.assertSameAudio(serialB, sb.readAll());
            }
        });
    }

    @Test
    void otherModesAreRejectedNamingTheMode() {
        SynthesisRequest cross = SynthesisRequest.builder(Mode.CROSS_LINGUAL).text("x").promptWav(EngineTest.PROMPT_WAV).build();
        try (Session s = engine.openSession()) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.synthesizeTextStream(cross, TextInput.of("a")));
            assertTrue(e.getMessage().contains("CROSS_LINGUAL"), e.getMessage());
        }
    }

    @Test
    void aPieceEndingInsideASurrogatePairIsHeldBack() throws Exception {
        TextInput t = new TextInput().push("a\uD83D").push("\uDE00b").push("");
        t.finish();
        assertEquals("a", t.next(0));
        assertEquals("\uD83D\uDE00b", t.next(0));
        assertEquals(null, t.next(0));
    }

    @Test
    void piecesAreTokenizedOnTheirOwnAsTheOfficialFrontend() {
        // "stre" + "aming": the ids the official generator path feeds differ from those of the joined text
        var tok = engine.tokenizer();
        int[] joined = tok.encode("Hello, this is a streaming test");
        int[] a = tok.encode("Hello, this is a stre"), b = tok.encode("aming test");
        assertFalse(java.util.Arrays.equals(joined, concat(a, b)));
        assertEquals(5412, a[a.length - 1]);
        assertEquals(6469, b[0]);
        // a special token cut in two is not recognised (the official tokenizes each piece alone too)
        assertFalse(java.util.Arrays.stream(concat(tok.encode("x<|endof"), tok.encode("prompt|>"))).anyMatch(i -> i == 151646));
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
