package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.Qwen2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CosyVoice3LMTest {
    /** Small hidden size but the real text vocabulary, so that 151646 is a valid id. */
    static final Qwen2Config QWEN = new Qwen2Config(24, 2, 4, 2, 6, 40, 151936, 1e-6, 1e6, true);
    static final int S = 100;   // speech_token_size: ids derive from it (sos 100, eos 101, task 102, fill 103)
    static final Backend B = Backends.open("scalar", BackendOptions.defaults());
    static final CosyVoice3LM LM = RandomLm.create(QWEN, S, B, 42);
    static final int EOP = CosyVoice3LM.ENDOFPROMPT_TOKEN_ID;

    @AfterAll
    static void closeBackend() { B.close(); }

    @Test
    void idsDeriveFromSpeechTokenSize() {
        assertEquals(100, LM.sosToken());
        assertEquals(101, LM.eosToken());
        assertEquals(102, LM.taskIdToken());
        assertEquals(103, LM.fillToken());
        assertEquals(300, LM.vocabSize());
        assertFalse(LM.isStopToken(99));
        assertTrue(LM.isStopToken(100));
        assertTrue(LM.isStopToken(299));
    }

    @Test
    void zeroShotLmInputIsSosTextTaskIdPromptSpeech() {
        int[] promptText = {11, EOP, 12}, text = {13, 14}, speech = {5, 6, 7};
        LmInput in = LM.lmInput(LmPrompt.zeroShot(promptText, text, speech));
        int h = QWEN.hiddenSize();
        assertEquals(1 + 3 + 2 + 1 + 3, in.rows());
        assertEquals(h, in.dim());
        Buf expected = B.alloc(in.rows(), h);
        LM.speechEmbedding(new int[] {100}, expected.rows(0, 1));
        LM.qwen2().embedTokens(new int[] {11, EOP, 12, 13, 14}, expected.rows(1, 6));
        LM.speechEmbedding(new int[] {102, 5, 6, 7}, expected.rows(6, 10));
        assertArrayEquals(B.read(expected), B.read(in.embeddings()));
        assertEquals(4, in.minLen());     // 2 * len(text): the prompt text does not count
        assertEquals(40, in.maxLen());
    }

    @Test
    void crossLingualAndInstruct2HaveNoPromptSpeech() {
        LmInput cross = LM.lmInput(LmPrompt.crossLingual(new int[] {1, 2, EOP, 3}));
        assertEquals(1 + 4 + 1, cross.rows());
        assertEquals(8, cross.minLen());    // the system prompt tokens count in cross-lingual mode
        LmInput instruct = LM.lmInput(LmPrompt.instruct2(new int[] {9, EOP}, new int[] {3, 4, 5}));
        assertEquals(1 + 2 + 3 + 1, instruct.rows());
        assertEquals(6, instruct.minLen());
        assertEquals(60, instruct.maxLen());
    }

    @Test
    void missingEndOfPromptIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> LM.lmInput(LmPrompt.zeroShot(new int[] {1}, new int[] {2}, new int[0])));
        assertTrue(e.getMessage().contains("<|endofprompt|>"), e.getMessage());
    }

    @Test
    void outOfRangePromptSpeechTokenIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> LM.lmInput(LmPrompt.zeroShot(new int[] {EOP}, new int[] {2}, new int[] {300})));
    }

    /** A sampler that replays a script and records which stop ids were masked at each step. */
    static final class Scripted implements Sampler {
        final int[] script;
        final List<Boolean> sosMasked = new ArrayList<>(), eosMasked = new ArrayList<>();
        final List<Integer> historyLengths = new ArrayList<>();
        int i;

        Scripted(int... script) { this.script = script; }

        @Override
        public int sample(float[] logp, int n, int[] decoded, int decodedCount) {
            sosMasked.add(logp[S] == Float.NEGATIVE_INFINITY);
            eosMasked.add(logp[S + 1] == Float.NEGATIVE_INFINITY);
            historyLengths.add(decodedCount);
            return script[i++];
        }
    }

    @Test
    void stopTokenEndsGenerationAndMinLenMasksOnlyIndexSpeechTokenSize() {
        LmInput in = LM.lmInput(LmPrompt.zeroShot(new int[] {EOP}, new int[] {7, 8}, new int[] {1, 2}));   // min_len 4
        Scripted sampler = new Scripted(5, 6, 7, 8, 9, 150, 1);
        List<Integer> seen = new ArrayList<>();
        GenerationResult r = LM.generate(in, sampler, GenerationOptions.DEFAULT, seen::add);
        assertArrayEquals(new int[] {5, 6, 7, 8, 9}, r.tokens());
        assertEquals(List.of(5, 6, 7, 8, 9), seen);
        assertEquals(StopReason.STOP_TOKEN, r.stopReason());
        assertEquals(List.of(true, true, true, true, false, false), sampler.sosMasked);
        assertEquals(List.of(false, false, false, false, false, false), sampler.eosMasked);   // the official quirk
        assertEquals(List.of(0, 1, 2, 3, 4, 5), sampler.historyLengths);
        assertEquals(5, r.decodeSteps());
    }

    @Test
    void eosBeforeMinLenStillStops() {
        LmInput in = LM.lmInput(LmPrompt.crossLingual(new int[] {EOP, 7, 8}));
        GenerationResult r = LM.generate(in, new Scripted(3, S + 1), GenerationOptions.DEFAULT, t -> { });
        assertArrayEquals(new int[] {3}, r.tokens());
        assertEquals(StopReason.STOP_TOKEN, r.stopReason());
    }

    @Test
    void generationEndsSilentlyAtMaxLen() {
        LmInput in = LM.lmInput(LmPrompt.crossLingual(new int[] {EOP}));   // max_len 20
        int[] script = new int[20];
        Arrays.fill(script, 4);
        GenerationResult r = LM.generate(in, new Scripted(script), GenerationOptions.DEFAULT, t -> { });
        assertEquals(20, r.tokens().length);
        assertEquals(StopReason.MAX_LENGTH, r.stopReason());
    }

    @Test
    void pinnedGenerationMasksEveryStopIdAndEmitsExactlyN() {
        LmInput in = LM.lmInput(LmPrompt.crossLingual(new int[] {EOP}));   // max_len 20, pinned beyond it
        int[] sizes = new int[1];
        AtomicInteger prefills = new AtomicInteger(), steps = new AtomicInteger();
        LmStepListener listener = new LmStepListener() {
            @Override public void onPrefill(int positions, long nanos) { prefills.incrementAndGet(); sizes[0] = positions; }
            @Override public void onDecodeStep(int step, int token, long nanos) { steps.incrementAndGet(); }
        };
        Sampler checking = (logp, n, decoded, count) -> {
            for (int i = S; i < n; i++) assertEquals(Float.NEGATIVE_INFINITY, logp[i]);
            return ArgmaxSampler.argmax(logp, n);
        };
        GenerationResult r = LM.generate(in, checking, GenerationOptions.pinned(30).withListener(listener), t -> { });
        assertEquals(30, r.tokens().length);
        assertEquals(StopReason.PINNED_COUNT, r.stopReason());
        for (int t : r.tokens()) assertTrue(t >= 0 && t < S);
        assertEquals(1, prefills.get());
        assertEquals(in.rows(), sizes[0]);
        assertEquals(29, steps.get());
    }

    @Test
    void cancellationStopsBeforeTheNextStep() {
        LmInput in = LM.lmInput(LmPrompt.crossLingual(new int[] {EOP, 1}));
        AtomicInteger emitted = new AtomicInteger();
        GenerationOptions o = GenerationOptions.pinned(20).withCancellation(() -> emitted.get() >= 3);
        GenerationResult r = LM.generate(in, RasSampler.fromConfig(new dev.cosyvoice4j.config.LlmConfig(24, 24, S, 0.8, 25, 10, 0.1), 1), o,
                t -> emitted.incrementAndGet());
        assertEquals(3, r.tokens().length);
        assertEquals(StopReason.CANCELLED, r.stopReason());
    }

    @Test
    void sameSeedSameTokens() {
        LmInput in = LM.lmInput(LmPrompt.zeroShot(new int[] {EOP}, new int[] {3, 4}, new int[] {9}));
        var cfg = new dev.cosyvoice4j.config.LlmConfig(24, 24, S, 0.8, 25, 10, 0.1);
        int[] a = LM.generate(in, RasSampler.fromConfig(cfg, 5), GenerationOptions.pinned(25), t -> { }).tokens();
        int[] b = LM.generate(in, RasSampler.fromConfig(cfg, 5), GenerationOptions.pinned(25), t -> { }).tokens();
        assertArrayEquals(a, b);
    }

    @Test
    void kvCacheStepsMatchTeacherForcedLogits() {
        LmInput in = LM.lmInput(LmPrompt.zeroShot(new int[] {EOP, 5}, new int[] {3, 4}, new int[] {9, 10}));
        int[] given = {17, 3, 99};
        int h = QWEN.hiddenSize(), v = LM.vocabSize(), rows = in.rows() + given.length;
        Buf xs = B.alloc(rows, h);
        B.copy(xs.rows(0, in.rows()), in.embeddings());
        LM.speechEmbedding(given, xs.rows(in.rows(), rows));
        Buf hidden = B.alloc(rows, h), allLogits = B.alloc(rows, v);
        LM.qwen2().forward(LM.newSession(rows).qwen2(), xs, hidden, true);
        LM.llmDecoder(allLogits, hidden);
        float[] full = B.read(allLogits);
        LmSession s = LM.newSession(rows);
        for (int k = 0; k <= given.length; k++) {
            float[] logits = k == 0 ? LM.prefill(s, in) : LM.step(s, given[k - 1]);
            int row = in.rows() - 1 + k;
            for (int j = 0; j < v; j++) assertEquals(full[row * v + j], logits[j], 1e-4);
        }
    }

    @Test
    void twoConcurrentSessionsOnOneModelEqualSerialRuns() throws Exception {
        var cfg = new dev.cosyvoice4j.config.LlmConfig(24, 24, S, 0.8, 25, 10, 0.1);
        LmInput a = LM.lmInput(LmPrompt.zeroShot(new int[] {EOP}, new int[] {3, 4, 5}, new int[] {9}));
        LmInput b = LM.lmInput(LmPrompt.crossLingual(new int[] {1, EOP, 8}));
        int[] serialA = LM.generate(a, RasSampler.fromConfig(cfg, 1), GenerationOptions.pinned(20), t -> { }).tokens();
        int[] serialB = LM.generate(b, RasSampler.fromConfig(cfg, 2), GenerationOptions.pinned(20), t -> { }).tokens();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<int[]> fa = pool.submit(() -> LM.generate(a, RasSampler.fromConfig(cfg, 1), GenerationOptions.pinned(20), t -> { }).tokens());
            Future<int[]> fb = pool.submit(() -> LM.generate(b, RasSampler.fromConfig(cfg, 2), GenerationOptions.pinned(20), t -> { }).tokens());
            assertArrayEquals(serialA, fa.get());
            assertArrayEquals(serialB, fb.get());
        }
    }

    @Test
    void logSoftmaxNormalises() {
        Buf x = B.upload(new float[] {1, 2, 3, Float.NEGATIVE_INFINITY}, 1, 4);
        B.logSoftmax(x);
        float[] logp = B.read(x);
        double sum = 0;
        for (float v : logp) sum += Math.exp(v);
        assertEquals(1.0, sum, 1e-6);
        assertEquals(Float.NEGATIVE_INFINITY, logp[3]);
    }

    @Test
    void logProbabilitiesAreTheLogitsShiftedByTheirLogSumExp() {
        // what the sampler reads: prefillLogProbs / stepLogProbs are log_softmax of prefill / step's logits
        LmInput in = LM.lmInput(LmPrompt.zeroShot(new int[] {EOP}, new int[] {3, 4}, new int[] {9}));
        LmSession a = LM.newSession(in.rows() + 1), b = LM.newSession(in.rows() + 1);
        for (int k = 0; k < 2; k++) {
            float[] logits = (k == 0 ? LM.prefill(a, in) : LM.step(a, 17)).clone();
            float[] logp = k == 0 ? LM.prefillLogProbs(b, in) : LM.stepLogProbs(b, 17);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (float l : logits) max = Math.max(max, l);
            for (float l : logits) sum += Math.exp(l - max);
            double shift = max + Math.log(sum), total = 0;
            for (int j = 0; j < logits.length; j++) {
                assertEquals(logits[j] - shift, logp[j], 1e-4, "step " + k + " id " + j);
                total += Math.exp(logp[j]);
            }
            assertEquals(1.0, total, 1e-5);
        }
    }

    @Test
    void aSessionSmallerThanTheGenerationGrows() {
        // the KV cache grows when a request needs more positions than the session was opened with
        LmInput in = LM.lmInput(LmPrompt.zeroShot(new int[] {EOP}, new int[] {3, 4}, new int[] {9}));
        var cfg = new dev.cosyvoice4j.config.LlmConfig(24, 24, S, 0.8, 25, 10, 0.1);
        int[] roomy = LM.generate(in, RasSampler.fromConfig(cfg, 3), GenerationOptions.pinned(12), t -> { }).tokens();
        LmSession small = LM.newSession(2);
        SpeechTokenGenerator g = LM.generator(small, in, RasSampler.fromConfig(cfg, 3), GenerationOptions.pinned(12));
        for (int t = g.next(); t != SpeechTokenGenerator.END; t = g.next()) { }
        assertArrayEquals(roomy, g.result().tokens());
        assertTrue(small.capacity() >= in.rows() + 11, "capacity " + small.capacity());
    }
}
