package dev.cosyvoice4j.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.frontend.PromptFeatures;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenManifest;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.model.hift.HiftGenerator;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.GenerationResult;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Golden {@code e2e/*} of CosyVoice2 ({@code CosyVoice2.inference_zero_shot / _cross_lingual / _instruct2 / _vc},
 * stream False and True, argmax sampling, text_frontend False): the frontend on the prompt WAVs against the recorded
 * tokens, features and embedding; lm_input, the argmax tokens, step log-probs and stop reason; every token2wav call
 * (tokens, offset, flags, yielded samples), the flow mel(s) and the waveform, through the engine's own
 * {@link UtteranceSynthesizer}; finally the waveform of the public {@link Session} API for the same request (the texts
 * are the recorded ids decoded).
 */
public final class Cv2E2eGoldenStage implements GoldenStage {
    private static final Tolerance FEAT = new Tolerance(2e-3, Double.NaN, Double.NaN, false);
    private static final Tolerance EMBEDDING = new Tolerance(1e-4, Double.NaN, Double.NaN, false);
    private static final Tolerance LOGP = new Tolerance(1e-3, Double.NaN, Double.NaN, false);
    /** The prompt WAVs of the manifest's {@code inputs/} (the harness's zero-shot and VC-target prompts). */
    private static final String ZERO_SHOT_WAV = "inputs/zero_shot_prompt.wav", VC_PROMPT_WAV = "inputs/cross_lingual_prompt.wav";

    @Override
    public String stage() { return "e2e"; }

    @Override
    public Set<String> modelFamilies() { return Set.of(GoldenManifest.COSYVOICE2); }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) throws Exception {
        Engine engine = E2eGoldenChecks.engine(ctx);
        boolean vc = "frontend_vc".equals(c.input("frontend").asText());
        boolean stream = c.id().endsWith("_stream");
        Mode mode = vc ? Mode.VOICE_CONVERSION : c.id().startsWith("e2e/cross_lingual") ? Mode.CROSS_LINGUAL
                : c.id().startsWith("e2e/instruct2") ? Mode.INSTRUCT2 : Mode.ZERO_SHOT;
        GoldenCase in = vc && c.input("source_speech_token").has("ref") ? c.ref("source_speech_token") : c;
        Tensor feat = in.inputTensor("prompt_speech_feat");
        VoicePrompt voice = new VoicePrompt(in.inputTensor("flow_prompt_speech_token").toIntArray(), feat.toFloatArray(),
                feat.dim(1), in.inputTensor("flow_embedding").toFloatArray());
        Path zeroShotWav = c.dir().resolve(ZERO_SHOT_WAV), vcPromptWav = c.dir().resolve(VC_PROMPT_WAV);

        // frontend: what the engine computes from the WAVs
        if (vc) {
            int[] source = engine.frontend().sourceSpeechTokens(zeroShotWav);
            check.compareIds("source_speech_token", source, in.inputTensor("source_speech_token").toIntArray());
        } else {
            PromptFeatures pf = engine.analyzeVoice(zeroShotWav, null).features();
            check.compareIds("llm_prompt_speech_token", pf.speechTokens(), c.inputTensor("llm_prompt_speech_token").toIntArray());
            check.compareIds("flow_prompt_speech_token", pf.speechTokens(), c.inputTensor("flow_prompt_speech_token").toIntArray());
            check.compare("prompt_speech_feat", pf.speechFeat(), new long[] {1, pf.featFrames(), pf.melBins()}, feat, FEAT);
            check.compare("flow_embedding", pf.embedding(), new long[] {1, pf.embedding().length},
                    c.inputTensor("flow_embedding"), EMBEDDING);
        }

        // LLM
        int[] tokens;
        if (vc) {
            tokens = in.inputTensor("source_speech_token").toIntArray();
        } else {
            tokens = llm(c, engine, mode, check);
        }
        // streaming cases record the tokens of the first token2wav call (e2e/vc_stream: 34 of 87)
        int[] flowTokens = stream ? Arrays.copyOf(tokens, Math.min(tokens.length, c.output("token2wav_calls").get(0).get("n_tokens").asInt()))
                : tokens;
        check.compareIds("flow_tokens", flowTokens, E2eGoldenChecks.ints(c.output("flow_tokens")));

        // token2wav through the engine's synthesizer
        CosyVoice2Model.Stages stages = engine.cosyVoice2().newStages(engine.workers());
        Cv2StreamingGoldenStage.Recording r = Cv2StreamingGoldenStage.Recording.run(engine, stages.flowStage(),
                stages.vocoder(HiftGenerator.defaultNoise()), tokens, voice, stream);
        JsonNode calls = c.output("token2wav_calls");
        check.compareExact("number of token2wav calls", r.calls.size(), calls.size());
        JsonNode mels = c.output("mel");
        for (int i = 0; i < Math.min(r.calls.size(), calls.size()); i++) {
            var a = r.calls.get(i);
            JsonNode e = calls.get(i);
            String p = "token2wav[" + i + "].";
            check.compareExact(p + "n_tokens", a.tokens(), e.get("n_tokens").asInt());
            check.compareExact(p + "token_offset", a.tokenOffset(), e.get("token_offset").asInt());
            check.compareExact(p + "flow_streaming", a.streaming(), e.get("flow_streaming").asBoolean());
            check.compareExact(p + "finalize", a.finalizing(), e.get("finalize").asBoolean());
            check.compareExact(p + "yielded_samples", a.yielded().length, e.get("yielded_samples").asInt());
            Mel m = a.flowMel();
            Tensor golden = c.tensor(mels.isArray() ? mels.get(i) : mels);
            check.compare(mels.isArray() ? "mel_call" + i : "mel", m.data(), new long[] {1, m.bins(), m.frames()}, golden,
                    c.toleranceFor("mel"));
        }
        float[] speech = r.concat();
        check.compare("tts_speech", speech, new long[] {1, speech.length}, c.outputTensor("tts_speech"), c.toleranceFor("tts_speech"));

        // the public API, same request
        var tok = engine.tokenizer();
        SynthesisRequest.Builder b = SynthesisRequest.builder(mode).argmax(true).textFrontend(false).stream(stream);
        switch (mode) {
            case VOICE_CONVERSION -> b.sourceWav(zeroShotWav).promptWav(vcPromptWav);
            case ZERO_SHOT -> b.promptWav(zeroShotWav).promptText(tok.decode(E2eGoldenChecks.ints(c.input("prompt_text_ids")), false));
            case INSTRUCT2 -> b.promptWav(zeroShotWav).instructText(tok.decode(E2eGoldenChecks.ints(c.input("prompt_text_ids")), false));
            case CROSS_LINGUAL -> b.promptWav(zeroShotWav);
        }
        if (mode != Mode.VOICE_CONVERSION) b.text(tok.decode(E2eGoldenChecks.ints(c.input("text_ids")), false));
        try (Session s = engine.openSession()) {
            float[] api = s.synthesizeAll(b.build());
            check.compare("tts_speech(Engine API)", api, new long[] {1, api.length}, c.outputTensor("tts_speech"),
                    c.toleranceFor("tts_speech"));
        }
    }

    /** lm_input, the argmax decode with its step log-probs; returns the tokens. */
    private static int[] llm(GoldenCase c, Engine engine, Mode mode, CaseCheck check) {
        CosyVoice3LM lm = engine.llm();
        int[] promptIds = E2eGoldenChecks.ints(c.input("prompt_text_ids")), textIds = E2eGoldenChecks.ints(c.input("text_ids"));
        LmPrompt prompt = switch (mode) {
            case ZERO_SHOT -> LmPrompt.zeroShot(promptIds, textIds, c.inputTensor("llm_prompt_speech_token").toIntArray());
            case INSTRUCT2 -> LmPrompt.instruct2(promptIds, textIds);
            default -> LmPrompt.crossLingual(textIds);
        };
        LmInput input = E2eGoldenChecks.lmInput(c, engine, prompt, check);
        E2eGoldenChecks.Decoded decoded = E2eGoldenChecks.argmaxDecode(c, lm, input, check);
        GenerationResult gen = decoded.gen();
        check.compareExact("stop_reason", gen.stopReason().name().toLowerCase(java.util.Locale.ROOT), c.output("stop_reason").asText());
        E2eGoldenChecks.top10(c, lm, input, decoded.stepLogp(), LOGP, check);
        return gen.tokens();
    }
}
