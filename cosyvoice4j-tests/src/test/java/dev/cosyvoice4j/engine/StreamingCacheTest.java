package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.cosyvoice4j.engine.EngineTest.PROMPT_TEXT;
import static dev.cosyvoice4j.engine.EngineTest.PROMPT_WAV;
import static dev.cosyvoice4j.engine.EngineTest.MODEL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streaming through the engine with the DiT caches, a saved voice's prompt state, the request budget and the
 * chunk-causal last chunk: the same audio as the official recomputation (except the documented deviation).
 */
class StreamingCacheTest {
    @TempDir static Path speakers;

    record Run(float[] audio, StageTimings timings) {}

    static Run stream(Engine e, SynthesisRequest r) {
        try (Session s = e.openSession(); SynthesisStream st = s.synthesize(r)) {
            float[] audio = st.readAll();
            return new Run(audio, st.timings());
        }
    }

    /** The sample count of every non-empty chunk, in order, and all samples. */
    record Chunks(List<Integer> lengths, float[] audio) {
        static Chunks of(List<float[]> pieces) {
            List<Integer> lengths = new ArrayList<>();
            for (float[] c : pieces) if (c.length > 0) lengths.add(c.length);
            return new Chunks(lengths, StreamingGoldenStage.concat(pieces));
        }
    }

    static Chunks chunks(Engine e, SynthesisRequest r) {
        List<float[]> pieces = new ArrayList<>();
        try (Session s = e.openSession(); SynthesisStream st = s.synthesize(r)) {
            st.forEachRemaining(c -> pieces.add(c.samples()));
        }
        return Chunks.of(pieces);
    }

    static Engine engine(StreamingOptions o) {
        return Engine.load(MODEL, EngineOptions.defaults().withThreads(2).withSpeakerDir(speakers).withStreaming(o));
    }

    static SynthesisRequest.Builder request() {
        return SynthesisRequest.builder(Mode.ZERO_SHOT).text("Hello world.").seed(7).pinnedTokens(200).stream(true);
    }

    @Test
    void cachesSavedVoicesAndTheBudgetChangeNoSample() throws Exception {
        float[] official;
        try (Engine e = engine(StreamingOptions.recompute())) {
            official = stream(e, request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build()).audio();
        }
        try (Engine e = engine(StreamingOptions.defaults())) {
            Run cached = stream(e, request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build());
            EngineTest.assertSameAudio(official, cached.audio());
            assertTrue(cached.timings().flowCachedFrames.sum() > 0, "later chunks reuse frames");
            assertTrue(cached.timings().flowCacheBytes.get() > 0);

            e.speakers().save("v", e.analyzeVoice(PROMPT_WAV, PROMPT_TEXT));
            Run first = stream(e, request().speakerId("v").build()), second = stream(e, request().speakerId("v").build());
            EngineTest.assertSameAudio(official, first.audio());
            EngineTest.assertSameAudio(official, second.audio());
            assertEquals(1, e.voiceCacheStats().voices());
            assertTrue(e.voiceCacheStats().bytes() > 0);
            assertTrue(second.timings().flowCachedFrames.sum() > cached.timings().flowCachedFrames.sum(),
                    "the saved voice's prompt state is reused from the first chunk on");
        }
        try (Engine e = engine(StreamingOptions.defaults().withRequestCacheBytes(1))) {
            Run overBudget = stream(e, request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build());
            EngineTest.assertSameAudio(official, overBudget.audio());
            assertEquals(0, overBudget.timings().flowCachedFrames.sum(), "over budget: recomputed as the official code");
        }
    }

    @Test
    void splitFirstChunkGivesTheSameSamplesSoonerInOneMoreChunk() throws Exception {
        Chunks official;
        try (Engine e = engine(OFFICIAL)) {
            official = chunks(e, request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build());
        }
        try (Engine e = engine(StreamingOptions.defaults().withFirstChunk(FirstChunk.SPLIT))) {
            Chunks split = chunks(e, request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build());
            assertSplit(official, split);
            e.speakers().save("v", e.analyzeVoice(PROMPT_WAV, PROMPT_TEXT));
            assertSplit(official, chunks(e, request().speakerId("v").build()));
            assertSplit(official, chunks(e, request().speakerId("v").build()));   // the voice's prompt state kept
        }
    }

    @Test
    void anUtteranceShorterThanTheOfficialFirstChunkDropsTheSplitPieceAndMatchesTheOfficialCall() throws Exception {
        // the prompt's 87 tokens: pad 13, so the piece needs 16 tokens and the official first chunk 41; 30 tokens make
        // a piece, then end: the official code computes such an utterance in one full-attention call
        SynthesisRequest shortOne = request().pinnedTokens(30).promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build();
        Chunks official;
        try (Engine e = engine(OFFICIAL)) {
            official = chunks(e, shortOne);
        }
        try (Engine e = engine(StreamingOptions.defaults().withFirstChunk(FirstChunk.SPLIT))) {
            Chunks split = chunks(e, shortOne);
            assertEquals(List.of(official.audio().length), split.lengths());
            assertArrayEquals(official.audio(), split.audio());
        }
    }

    @Test
    void autoSplitsOnlyAnUtteranceThatReachesTheOfficialFirstChunk() throws Exception {
        SynthesisRequest longOne = request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build();        // 200 tokens
        SynthesisRequest shortOne = request().pinnedTokens(30).promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build();
        Chunks official, officialShort;
        try (Engine e = engine(OFFICIAL)) {
            official = chunks(e, longOne);
            officialShort = chunks(e, shortOne);
        }
        try (Engine e = engine(StreamingOptions.defaults())) {
            assertEquals(FirstChunk.AUTO, e.options().streaming().firstChunk());
            assertSplit(official, chunks(e, longOne));
            Run auto = stream(e, shortOne);
            assertArrayEquals(officialShort.audio(), auto.audio());
            assertEquals(1, auto.timings().flowCalls.sum(), "no piece computed for an utterance that stops at 30 tokens");
        }
    }

    /** The DiT caches on with the official first chunk. */
    static final StreamingOptions OFFICIAL = StreamingOptions.defaults().withFirstChunk(FirstChunk.OFFICIAL);

    /** The official first chunk as two pieces, every later chunk the same, the same samples bit for bit. */
    static void assertSplit(Chunks official, Chunks split) {
        assertEquals(official.lengths().size() + 1, split.lengths().size(), official.lengths() + " vs " + split.lengths());
        assertTrue(split.lengths().get(0) < split.lengths().get(1), "the first piece is the shorter one: " + split.lengths());
        assertEquals(official.lengths().get(0), split.lengths().get(0) + split.lengths().get(1));
        assertEquals(official.lengths().subList(1, official.lengths().size()), split.lengths().subList(2, split.lengths().size()));
        assertArrayEquals(official.audio(), split.audio());
    }

    @Test
    void splitFirstChunkNeedsTheCaches() {
        assertThrows(IllegalArgumentException.class, () -> StreamingOptions.recompute().withFirstChunk(FirstChunk.SPLIT));
        assertEquals(FirstChunk.OFFICIAL, StreamingOptions.recompute().effectiveFirstChunk(), "auto cannot split without them");
    }

    @Test
    void chunkCausalLastChunkKeepsTheLengthAndStaysClose() {
        float[] official;
        try (Engine e = engine(StreamingOptions.defaults())) {
            official = stream(e, request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build()).audio();
        }
        try (Engine e = engine(StreamingOptions.defaults().withCausalFinalChunk(true))) {
            Run causal = stream(e, request().promptText(PROMPT_TEXT).promptWav(PROMPT_WAV).build());
            assertEquals(official.length, causal.audio().length);
            double dot = 0, a = 0, b = 0;
            for (int i = 0; i < official.length; i++) {
                dot += official[i] * causal.audio()[i];
                a += official[i] * official[i];
                b += causal.audio()[i] * causal.audio()[i];
            }
            assertTrue(dot / Math.sqrt(a * b) > 0.5, "cosine " + dot / Math.sqrt(a * b));
        }
    }
}
