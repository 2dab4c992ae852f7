package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.VoicePrompt;
import dev.cosyvoice4j.model.lm.ArgmaxSampler;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.GenerationOptions;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmSession;

import java.util.Arrays;

/**
 * The measurements {@code quality} takes of one loaded engine, each on fixed inputs so that two engines (a mode
 * and float32) can be compared value by value: teacher-forced LLM logits, argmax tokens, one flow call and the
 * vocoder on its mel.
 */
public final class Probes {
    private Probes() {}

    /**
     * Logits of a teacher-forced decode and its timing.
     *
     * @param logits       {@code [steps][vocab]} raw {@code llm_decoder} outputs (before log-softmax): row 0 after
     *                     the prefill of {@code lm_input}, row i after feeding given token i - 1
     * @param prefillNanos time of the prefill (row 0)
     * @param decodeNanos  time of the {@code steps - 1} one-token steps together
     */
    public record TeacherForced(float[][] logits, long prefillNanos, long decodeNanos) {
        public int steps() { return logits.length; }

        /** Milliseconds per one-token decode step (NaN with a single step). */
        public double decodeMsPerToken() { return logits.length < 2 ? Double.NaN : decodeNanos / 1e6 / (logits.length - 1); }
    }

    /**
     * Runs the LLM on {@code lm_input} then feeds {@code tokens} one by one, as the decode loop does when those
     * tokens are sampled: {@code tokens.length} logit vectors, the i-th predicting {@code tokens[i]}.
     */
    public static TeacherForced teacherForced(CosyVoice3LM lm, LmInput input, int[] tokens) {
        if (tokens.length < 1) throw new IllegalArgumentException("need at least one token");
        LmSession session = lm.newSession(input.rows() + tokens.length);
        int v = lm.vocabSize();
        float[][] logits = new float[tokens.length][];
        long t0 = System.nanoTime();
        logits[0] = Arrays.copyOf(lm.prefill(session, input), v);
        long t1 = System.nanoTime();
        for (int i = 1; i < tokens.length; i++) logits[i] = Arrays.copyOf(lm.step(session, tokens[i - 1]), v);
        return new TeacherForced(logits, t1 - t0, System.nanoTime() - t1);
    }

    /**
     * Greedy decoding of {@code lm_input}: with {@code pinnedTokens > 0} exactly that many tokens (stop ids
     * masked), otherwise the official stop rules (what golden {@code e2e/zero_shot} records).
     */
    public static int[] argmaxTokens(CosyVoice3LM lm, LmInput input, int pinnedTokens) {
        GenerationOptions options = pinnedTokens > 0 ? GenerationOptions.pinned(pinnedTokens) : GenerationOptions.DEFAULT;
        return lm.generate(input, ArgmaxSampler.INSTANCE, options, t -> { }).tokens();
    }

    /** A flow mel and how long it took. */
    public record FlowRun(float[] mel, int frames, long nanos) {
        public double ms() { return nanos / 1e6; }
    }

    /**
     * One offline flow call ({@code finalize}, full attention) in the engine's flow precision: the mel of
     * {@code tokens} after the prompt, channel-major {@code [80, frames]}.
     */
    public static FlowRun flow(Engine.Parts parts, int[] tokens, VoicePrompt prompt) {
        long t0 = System.nanoTime();
        var cv2 = parts.cosyVoice2Flow();                                  // CosyVoice2: the Conformer + U-Net flow
        float[] mel = cv2 != null
                ? cv2.inference(cv2.newSession(), tokens, prompt.promptTokens(), prompt.promptMel(), prompt.promptFrames(),
                        prompt.embedding(), false, true, null)
                : parts.flow().inference(parts.flow().newSession(), tokens, prompt.promptTokens(), prompt.promptMel(),
                        prompt.promptFrames(), prompt.embedding(), false, true, null);
        long nanos = System.nanoTime() - t0;
        int bins = cv2 != null ? cv2.config().outputSize() : parts.flow().config().outputSize();
        return new FlowRun(mel, mel.length / bins, nanos);
    }

    /** The float32 vocoder on a mel (finalizing, the golden source noise): the waveform. */
    public static float[] vocoder(Engine.Parts parts, FlowRun mel) {
        var cv2 = parts.cosyVoice2Hift();
        if (cv2 != null) return cv2.inference(cv2.newSession(), mel.mel(), mel.frames(), null, dev.cosyvoice4j.model.hift.HiftGenerator.defaultNoise()).speech();
        return parts.hift().inference(parts.hift().newSession(), mel.mel(), mel.frames(), true).speech();
    }
}
