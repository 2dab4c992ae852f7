package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.config.ModelFamily;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.model.lm.LmSession;
import dev.cosyvoice4j.model.qwen2.Qwen2LayerWeights;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every mode of CosyVoice2 on its tiny fixture model ({@code cosyvoice2-tiny}), offline and streaming, through the
 * public engine API (the same {@link Engine#load} as CosyVoice3): zero-shot with a plain transcript, cross-lingual,
 * instruct2, voice conversion, saved voices and text-in streaming. The golden {@code e2e/*} cases of golden-cv2 check
 * the numbers; these check the plumbing: lengths, chunking on CosyVoice2's schedule, that streaming and offline agree.
 */
class CosyVoice2EngineTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    static final Path MODEL = FIXTURES.resolve("cosyvoice2-tiny");
    static final Path PROMPT_WAV = FIXTURES.resolve("golden-cv2/inputs/zero_shot_prompt.wav");
    static final Path SOURCE_WAV = FIXTURES.resolve("golden-cv2/inputs/cross_lingual_prompt.wav");
    static final String PROMPT_TEXT = "希望你以后能够做的比我还好呦。";
    static final int SAMPLES_PER_TOKEN = 2 * 480;
    static Engine engine;

    @TempDir static Path speakers;

    @BeforeAll
    static void load() { engine = Engine.load(MODEL, EngineOptions.defaults().withThreads(2).withSpeakerDir(speakers)); }

    @AfterAll
    static void close() { engine.close(); }

    static SynthesisRequest.Builder request(Mode mode, int tokens) {
        SynthesisRequest.Builder b = SynthesisRequest.builder(mode).seed(7).pinnedTokens(tokens);
        return switch (mode) {
            case ZERO_SHOT -> b.text("Hello world.").promptText(PROMPT_TEXT).promptWav(PROMPT_WAV);
            case CROSS_LINGUAL -> b.text("Hello world.").promptWav(PROMPT_WAV);
            case INSTRUCT2 -> b.text("Hello world.").instructText("用四川话说这句话<|endofprompt|>").promptWav(PROMPT_WAV);
            case VOICE_CONVERSION -> SynthesisRequest.builder(mode).sourceWav(SOURCE_WAV).promptWav(PROMPT_WAV);
        };
    }

    static List<AudioChunk> chunks(SynthesisRequest r) {
        List<AudioChunk> out = new ArrayList<>();
        try (Session s = engine.openSession(); SynthesisStream st = s.synthesize(r)) {
            st.forEachRemaining(out::add);
        }
        return out;
    }

    static float[] all(List<AudioChunk> chunks) {
        float[] a = new float[chunks.stream().mapToInt(c -> c.samples().length).sum()];
        int n = 0;
        for (AudioChunk c : chunks) {
            System.arraycopy(c.samples(), 0, a, n, c.samples().length);
            n += c.samples().length;
        }
        return a;
    }

    @Test
    void theFamilyComesFromTheModelDirectory() {
        assertEquals(ModelFamily.COSYVOICE2, engine.family());
        assertNull(engine.parts().flow(), "CosyVoice2 has no DiT flow");
        assertNotNull(engine.cosyVoice2());
        assertEquals(24000, engine.sampleRateHz());
    }

    @ParameterizedTest
    @CsvSource({"ZERO_SHOT", "CROSS_LINGUAL", "INSTRUCT2"})
    void everyLlmModeGivesTwoMelFramesPerTokenOffline(Mode mode) {
        try (Session s = engine.openSession()) {
            assertEquals(40 * SAMPLES_PER_TOKEN, s.synthesizeAll(request(mode, 40).build()).length);
        }
    }

    @ParameterizedTest
    @CsvSource({"ZERO_SHOT", "CROSS_LINGUAL", "INSTRUCT2"})
    void everyLlmModeStreamsOnTheCosyVoice2Schedule(Mode mode) {
        // P = 87 prompt tokens -> pad 13: chunk 1 after 25 + 13 + 3 tokens (38 hop), chunk 2 after 38 + 50 + 3, final
        List<AudioChunk> chunks = chunks(request(mode, 100).stream(true).build());
        List<AudioChunk> audio = chunks.stream().filter(c -> c.samples().length > 0).toList();
        assertEquals(3, audio.size(), "chunks");
        assertEquals((2 * 38 - 8) * 480, audio.get(0).samples().length, "first chunk holds back the 8-frame vocoder cache");
        assertEquals(2 * 50 * 480, audio.get(1).samples().length, "8 cached frames in, 8 held back");
        assertEquals(100 * SAMPLES_PER_TOKEN, all(audio).length, "stream and offline lengths agree");
        assertTrue(chunks.getLast().last());
    }

    @Test
    void streamingAndOfflineGiveTheSameAudioLengthAndSimilarSignal() {
        float[] offline;
        try (Session s = engine.openSession()) {
            offline = s.synthesizeAll(request(Mode.ZERO_SHOT, 100).build());
        }
        float[] streamed = all(chunks(request(Mode.ZERO_SHOT, 100).stream(true).build()));
        assertEquals(offline.length, streamed.length);
    }

    @Test
    void voiceConversionOfflineAndStreaming() {
        float[] offline;
        try (Session s = engine.openSession()) {
            offline = s.synthesizeAll(request(Mode.VOICE_CONVERSION, 0).build());
        }
        assertTrue(offline.length > 0 && offline.length % 480 == 0, "samples " + offline.length);
        float[] streamed = all(chunks(request(Mode.VOICE_CONVERSION, 0).stream(true).build()));
        assertEquals(offline.length, streamed.length);
    }

    @Test
    void savedVoiceSpeaksLikeTheOneOffPrompt() throws Exception {
        engine.saveVoice("cv2-voice", engine.analyzeVoice(PROMPT_WAV, PROMPT_TEXT));
        float[] oneOff, saved;
        try (Session s = engine.openSession()) {
            oneOff = s.synthesizeAll(request(Mode.ZERO_SHOT, 30).argmax(true).build());
            saved = s.synthesizeAll(SynthesisRequest.builder(Mode.ZERO_SHOT).text("Hello world.").speakerId("cv2-voice")
                    .seed(7).pinnedTokens(30).argmax(true).build());
        }
        EngineTest.assertSameAudio(oneOff, saved);
    }

    @Test
    void textInStreamingWithAPlainTranscript() throws Exception {
        TextInput text = new TextInput();
        List<AudioChunk> chunks = new ArrayList<>();
        try (Session s = engine.openSession();
             SynthesisStream st = s.synthesizeTextStream(request(Mode.ZERO_SHOT, 0).argmax(true).build(), text)) {
            text.push("Hello, this is a stre");
            text.push("aming test of CosyVoice2.");
            text.finish();
            st.forEachRemaining(chunks::add);
        }
        assertTrue(all(chunks).length > 0, "no audio");
        assertTrue(chunks.getLast().last());
    }

    @Test
    void reducedPrecisionLlmAndFlowSpeakTheSameLength() {
        EngineOptions o = EngineOptions.defaults().withThreads(2).withLlmPrecision(dev.cosyvoice4j.backend.Precision.Q8_0)
                .withFlowPrecision(dev.cosyvoice4j.backend.Precision.BF16);
        try (Engine reduced = Engine.load(MODEL, o); Session s = reduced.openSession()) {
            assertEquals(ModelFamily.COSYVOICE2, reduced.family());
            float[] a = s.synthesizeAll(request(Mode.ZERO_SHOT, 30).stream(true).build());
            assertEquals(30 * SAMPLES_PER_TOKEN, a.length);
        }
    }

    /**
     * The CosyVoice2 (Qwen2LM) LLM decodes on the same path as CosyVoice3's: in q8_0 every Linear weight of the
     * Qwen2 layers and the {@code llm_decoder} head is Q8_0 (only its bias stays float32), so a decode step streams
     * the Q8_0 bytes, and a step forwards one row on the KV cache (no recomputation of the prompt).
     */
    @Test
    void q8LlmQuantisesEveryLinearWeightAndDecodesOneRowPerStep() {
        EngineOptions o = EngineOptions.defaults().withThreads(2).withLlmPrecision(Precision.Q8_0);
        try (Engine reduced = Engine.load(MODEL, o)) {
            CosyVoice3LM lm = reduced.llm();
            assertEquals(CosyVoice3LM.Variant.QWEN2LM, lm.variant());
            var weights = lm.qwen2().weights();
            for (Qwen2LayerWeights w : weights.layers()) {
                for (Tensor t : List.of(w.qProj(), w.kProj(), w.vProj(), w.oProj(), w.gateProj(), w.upProj(), w.downProj())) {
                    assertEquals(DType.Q8_0, t.dtype(), "layer weight " + t);
                }
            }
            long head = lm.decodeStepWeightBytes() - weights.layerByteSize();
            assertEquals(DType.Q8_0.storageBytes((long) lm.vocabSize() * lm.hiddenSize())
                    + DType.F32.storageBytes(lm.vocabSize()), head, "llm_decoder weight in Q8_0, its bias in float32");

            LmInput in = lm.lmInput(LmPrompt.zeroShot(new int[] {1000, 1001}, new int[] {2000, 2001, 2002}, new int[] {5, 6, 7}));
            LmSession s = lm.newSession(in);
            lm.prefill(s, in);
            assertEquals(in.rows(), s.length());
            for (int i = 1; i <= 3; i++) {
                lm.step(s, 10 + i);
                assertEquals(in.rows() + i, s.length(), "one cached position per decode step");
            }
        }
    }

    @Test
    void zeroShotNeedsNoEndOfPrompt() {
        try (Session s = engine.openSession()) {
            float[] a = s.synthesizeAll(request(Mode.ZERO_SHOT, 0).argmax(true).build());     // official stop rules
            assertTrue(a.length > 0 && a.length % SAMPLES_PER_TOKEN == 0, "samples " + a.length);
        }
    }
}
