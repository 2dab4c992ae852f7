package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.config.ModelDir;
import dev.cosyvoice4j.engine.StreamSchedule;
import dev.cosyvoice4j.io.WeightStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The streaming DiT cache changes no output: on both fixture models (A and C, different shapes) and both backends, an
 * utterance streamed on the official schedule gives, call by call, the mel of full recomputation ({@code streaming=True}
 * over every frame so far), also when it starts from a voice's prompt state and with the chunk-causal last chunk.
 */
class DitCacheTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (String model : new String[] {"cosyvoice3-tiny", "cosyvoice3-tiny-c"}) {
            for (String backend : new String[] {"scalar", "cpu"}) a.add(Arguments.of(model, backend));
        }
        return a.stream();
    }

    record Voice(int[] tokens, float[] mel, int frames, float[] embedding) {}

    static Voice voice(FlowModel flow, int promptTokens, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = r.ints(promptTokens, 0, flow.config().vocabSize()).toArray();
        int frames = promptTokens * flow.config().tokenMelRatio(), mel = flow.config().outputSize();
        float[] m = new float[frames * mel], e = new float[flow.config().spkEmbedDim()];
        for (int i = 0; i < m.length; i++) m[i] = (float) (r.nextGaussian() * 2 - 5);
        for (int i = 0; i < e.length; i++) e[i] = (float) r.nextGaussian();
        return new Voice(t, m, frames, e);
    }

    static FlowModel load(String model, Backend backend) {
        ModelDir dir = ModelDir.open(FIXTURES.resolve(model));
        WeightStore ws = WeightStore.openPt(dir.flowPt());
        return FlowModel.load(ws, dir.config().flow(), backend);
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double max = 0;
        for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i] - actual[i]));
        assertTrue(max <= 1e-4, what + ": max difference " + max);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void cachedChunksEqualFullRecomputation(String model, String backendName) {
        try (Backend backend = Backends.open(backendName, BackendOptions.defaults().withThreads(2))) {
            FlowModel flow = load(model, backend);
            Voice v = voice(flow, 61, 5);
            int[] generated = new SplittableRandom(9).ints(240, 0, flow.config().vocabSize()).toArray();
            FlowSession plain = flow.newSession(), cached = flow.newSession();
            DitCache cache = flow.newCache();
            DitPrefix prefix = flow.promptPrefix(flow.newSession(), v.tokens, v.mel, v.frames, v.embedding);
            assertNotNull(prefix);
            assertEquals((61 - flow.config().preLookaheadLen()) * 2 / 50 * 50, prefix.frames());
            for (DitPrefix start : new DitPrefix[] {null, prefix}) {
                StreamSchedule schedule = StreamSchedule.official(v.tokens.length);
                int calls = 0;
                while (schedule.chunkReady(generated.length)) {
                    int[] tokens = Arrays.copyOf(generated, schedule.tokensNeededForNextChunk());
                    float[] expected = flow.inference(plain, tokens, v.tokens, v.mel, v.frames, v.embedding, true, false, null);
                    FlowTimings t = new FlowTimings();
                    float[] actual = flow.inferenceCached(cached, cache, start, tokens, v.tokens, v.mel, v.frames, v.embedding, false, t);
                    assertClose(expected, actual, "chunk " + calls + (start == null ? "" : " from the voice's prompt state"));
                    assertEquals(t.computedFrames(), t.uncondFirstStepFrames(), "the unconditional row's first step is the model's constant");
                    if (calls == 0) assertEquals(start == null ? 0 : prefix.frames(), t.cachedFrames(), "cached frames of the first call");
                    else assertTrue(t.cachedFrames() > 0 && t.computedFrames() < t.frames(), "later calls reuse frames");
                    schedule.advance();
                    calls++;
                }
                assertTrue(calls >= 3, "calls " + calls);
                // the chunk-causal last chunk over the caches = the chunk mask with finalize over every frame
                float[] expected = flow.inference(plain, generated, v.tokens, v.mel, v.frames, v.embedding, true, true, null);
                float[] actual = flow.inferenceCached(cached, cache, start, generated, v.tokens, v.mel, v.frames, v.embedding, true, null);
                assertClose(expected, actual, "chunk-causal final call");
                cache.clear();
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void aCacheOfOtherInputsIsNotReused(String model, String backendName) {
        try (Backend backend = Backends.open(backendName, BackendOptions.defaults().withThreads(2))) {
            FlowModel flow = load(model, backend);
            Voice v = voice(flow, 40, 1), w = voice(flow, 40, 2);
            int[] tokens = new SplittableRandom(3).ints(53, 0, flow.config().vocabSize()).toArray();
            FlowSession s = flow.newSession();
            DitCache cache = flow.newCache();
            flow.inferenceCached(s, cache, null, tokens, v.tokens, v.mel, v.frames, v.embedding, false, null);
            assertTrue(cache.frames() > 0);
            // another voice, then another token prefix: computed from scratch, equal to full recomputation
            float[] expected = flow.inference(flow.newSession(), tokens, w.tokens, w.mel, w.frames, w.embedding, true, false, null);
            assertClose(expected, flow.inferenceCached(s, cache, null, tokens, w.tokens, w.mel, w.frames, w.embedding, false, null), "other voice");
            int[] other = tokens.clone();
            other[2]++;
            expected = flow.inference(flow.newSession(), other, w.tokens, w.mel, w.frames, w.embedding, true, false, null);
            assertClose(expected, flow.inferenceCached(s, cache, null, other, w.tokens, w.mel, w.frames, w.embedding, false, null), "other tokens");
            // a prefix of another voice is ignored
            DitPrefix pv = flow.promptPrefix(flow.newSession(), v.tokens, v.mel, v.frames, v.embedding);
            cache.clear();
            assertClose(expected, flow.inferenceCached(s, cache, pv, other, w.tokens, w.mel, w.frames, w.embedding, false, null), "foreign prefix");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cosyvoice3-tiny", "cosyvoice3-tiny-c"})
    void aBf16FlowKeepsItsCachesInBf16AndChangesNoOutput(String model) {
        try (Backend backend = Backends.open("cpu", BackendOptions.defaults().withThreads(2))) {
            assumeTrue(backend.supports(Precision.BF16), "no bf16 (oneDNN) on this machine");
            ModelDir dir = ModelDir.open(FIXTURES.resolve(model));
            WeightStore ws = WeightStore.openPt(dir.flowPt());
            FlowModel flow = FlowModel.load(ws.transformed((name, t) -> FlowModel.isLinearWeight(name, t)
                    ? backend.prepare(t, WeightKind.LINEAR, Precision.BF16, null) : t), dir.config().flow(), backend, Precision.BF16);
            Voice v = voice(flow, 61, 5);
            DitPrefix prefix = flow.promptPrefix(flow.newSession(), v.tokens, v.mel, v.frames, v.embedding);
            assertNotNull(prefix);
            var c = dir.config().flow();
            int steps = 10, inner = c.ditHeads() * c.ditDimHead();
            long perFrame = 2L * steps * c.ditDepth() * 4 * inner + 4L * (steps + 1) * c.melDim();
            assertEquals(perFrame * prefix.frames(), prefix.bytes(), "bf16 keys and values, float32 solver states");
            // the official schedule from the voice's bf16 prefix = the same schedule computed from scratch = the
            // uncached chunk-mask recomputation (its attention rounds the float32 keys and values the same way)
            int[] generated = new SplittableRandom(9).ints(140, 0, flow.config().vocabSize()).toArray();
            FlowSession a = flow.newSession(), b = flow.newSession();
            DitCache fromPrefix = flow.newCache(), fromScratch = flow.newCache();
            StreamSchedule schedule = StreamSchedule.official(v.tokens.length);
            int calls = 0;
            while (schedule.chunkReady(generated.length)) {
                int[] tokens = Arrays.copyOf(generated, schedule.tokensNeededForNextChunk());
                float[] expected = flow.inference(flow.newSession(), tokens, v.tokens, v.mel, v.frames, v.embedding, true, false, null);
                assertClose(expected, flow.inferenceCached(b, fromScratch, null, tokens, v.tokens, v.mel, v.frames, v.embedding, false, null),
                        "chunk " + calls + " over bf16 caches");
                float[] actual = flow.inferenceCached(a, fromPrefix, prefix, tokens, v.tokens, v.mel, v.frames, v.embedding, false, null);
                assertClose(expected, actual, "chunk " + calls + " from the bf16 prompt state");
                assertTrue(fromPrefix.bytes() <= perFrame * Math.max(fromPrefix.frames(), 1) * 2, "request caches in bf16 too");
                schedule.advance();
                calls++;
            }
            assertTrue(calls >= 2, "calls " + calls);
        }
    }
}
