package dev.cosyvoice4j.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.frontend.PromptFeatures;
import dev.cosyvoice4j.model.flow.FlowSession;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.GenerationResult;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden {@code e2e/zero_shot}: {@code CosyVoice3.inference_zero_shot(tts_text, prompt_text, prompt_wav,
 * stream=False, text_frontend=False)} with argmax sampling. Checks every intermediate the case records (text ids,
 * prompt features, lm_input, tokens and step log-probs, flow inputs, mel, waveform) and finally the waveform of the
 * public {@link Engine} API for the same request.
 */
public final class E2eGoldenStage implements GoldenStage {
    private static final Tolerance FEAT = new Tolerance(2e-3, Double.NaN, Double.NaN, false);
    private static final Tolerance EMBEDDING = new Tolerance(1e-4, Double.NaN, Double.NaN, false);
    private static final Tolerance FLOW_INPUT = new Tolerance(1e-4, Double.NaN, Double.NaN, false);

    @Override
    public String stage() { return "e2e"; }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) throws Exception {
        Engine engine = E2eGoldenChecks.engine(ctx);
        if (c.inputs().has("text_pieces")) {
            textPieces(c, engine, check);
            return;
        }
        JsonNode in = c.inputs();
        String ttsText = in.get("tts_text").asText(), promptText = in.get("prompt_text").asText();
        Path wav = c.dir().resolve(in.get("prompt_wav").get("file").asText());

        // frontend: text ids and prompt features
        int[] textIds = engine.tokenizer().encode(ttsText), promptIds = engine.tokenizer().encode(promptText);
        check.compareIds("text_ids", textIds, E2eGoldenChecks.ints(in.get("text_ids")));
        check.compareIds("prompt_text_ids", promptIds, E2eGoldenChecks.ints(in.get("prompt_text_ids")));
        PromptFeatures pf = engine.analyzeVoice(wav, promptText).features();
        check.compareIds("llm_prompt_speech_token", pf.speechTokens(), c.inputTensor("llm_prompt_speech_token").toIntArray());
        check.compare("prompt_speech_feat", pf.speechFeat(), new long[] {1, pf.featFrames(), pf.melBins()},
                c.inputTensor("prompt_speech_feat"), FEAT);
        check.compare("embedding", pf.embedding(), new long[] {1, pf.embedding().length}, c.inputTensor("embedding"), EMBEDDING);

        // LLM: lm_input, argmax tokens, step log-probs
        CosyVoice3LM lm = engine.llm();
        LmInput input = E2eGoldenChecks.lmInput(c, engine, LmPrompt.zeroShot(promptIds, textIds, pf.speechTokens()), check);
        E2eGoldenChecks.Decoded decoded = E2eGoldenChecks.argmaxDecode(c, lm, input, check);
        GenerationResult gen = decoded.gen();
        List<float[]> stepLogp = decoded.stepLogp();
        // The golden log-probs are recorded before sampling_ids masks index speech_token_size (while i < min_len);
        // the sampler sees the masked vector, so that one entry is compared only on steps where it is not masked.
        int v = stepLogp.get(0).length;
        float[] golden3 = c.outputTensor("step_logp_first3").toFloatArray();
        float[] first3 = new float[3 * v];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(stepLogp.get(i), 0, first3, i * v, v);
            if (i < input.minLen()) first3[i * v + lm.speechTokenSize()] = golden3[i * v + lm.speechTokenSize()];
        }
        check.compare("step_logp_first3", first3, new long[] {3, v}, dev.cosyvoice4j.tensor.Tensor.of(golden3, 3, v),
                c.toleranceFor("step_logp"));
        // every step's log-probs of the golden top-10 ids (the masked sos entry taken from the golden, as above)
        E2eGoldenChecks.top10(c, lm, input, stepLogp, c.toleranceFor("step_logp"), check);

        // flow and vocoder on the generated tokens
        VoicePrompt voice = new Voice(pf, promptText).flowPrompt();
        int[] flowTokens = dev.cosyvoice4j.model.lm.SilentTokenFilter.filter(gen.tokens());
        check.compareIds("flow_tokens", flowTokens, E2eGoldenChecks.ints(c.output("flow_tokens")));
        FlowSession fs = engine.flow().newSession();
        var enc = engine.flow().encode(fs, flowTokens, voice.promptTokens(), voice.promptMel(), voice.promptFrames(),
                voice.embedding(), true);
        Backend b = engine.backend();
        check.compare("flow_spks", b.read(enc.spks()), new long[] {1, enc.spks().cols()}, c.outputTensor("flow_spks"), FLOW_INPUT);
        check.compare("flow_mu", channelMajor(b.read(enc.mu()), enc.frames(), 80), new long[] {1, 80, enc.frames()}, c.outputTensor("flow_mu"), FLOW_INPUT);
        check.compare("flow_cond", channelMajor(b.read(enc.cond()), enc.frames(), 80), new long[] {1, 80, enc.frames()}, c.outputTensor("flow_cond"), FLOW_INPUT);
        float[] z = dev.cosyvoice4j.model.flow.CausalConditionalCfm.initialNoise(80, enc.frames());
        check.compare("flow_z", channelMajor(z, enc.frames(), 80), new long[] {1, 80, enc.frames()}, c.outputTensor("flow_z"), FLOW_INPUT);
        float[] mel = engine.flow().inference(fs, flowTokens, voice.promptTokens(), voice.promptMel(), voice.promptFrames(),
                voice.embedding(), false, true, null);
        int frames = mel.length / 80;
        check.compare("mel", mel, new long[] {1, 80, frames}, c.outputTensor("mel"), c.toleranceFor("mel"));
        var hift = engine.hift().inference(engine.hift().newSession(), mel, frames, true);
        check.compare("f0", hift.f0(), new long[] {1, hift.f0().length}, c.outputTensor("f0"), c.toleranceFor("mel"));
        check.compare("source", hift.source(), new long[] {1, 1, hift.source().length}, c.outputTensor("source"), c.toleranceFor("mel"));
        float[] wavOut = hift.speech();
        check.compare("tts_speech", wavOut, new long[] {1, wavOut.length}, c.outputTensor("tts_speech"), c.toleranceFor("tts_speech"));

        // the public API, same request
        SynthesisRequest req = SynthesisRequest.builder(Mode.ZERO_SHOT).text(ttsText).promptText(promptText)
                .promptWav(wav).argmax(true).textFrontend(false).build();
        try (Session s = engine.openSession()) {
            float[] api = s.synthesizeAll(req);
            check.compare("tts_speech(Engine API)", api, new long[] {1, api.length}, c.outputTensor("tts_speech"), c.toleranceFor("tts_speech"));
        }
    }

    /**
     * {@code bistream/e2e_zero_shot}: {@code inference_zero_shot(<generator of str>, stream=False)} with the golden
     * bistream sampler: per-piece ids, the prompt speech tokens, the LLM's out tokens, then the normal flow and
     * vocoder on exactly the yielded tokens.
     */
    private static void textPieces(GoldenCase c, Engine engine, CaseCheck check) {
        JsonNode in = c.inputs();
        String promptText = in.get("prompt_text").asText();
        Path wav = c.dir().resolve(in.get("prompt_wav").get("file").asText());
        PromptFeatures pf = engine.analyzeVoice(wav, promptText).features();
        check.compareIds("llm_prompt_speech_token", pf.speechTokens(), c.inputTensor("llm_prompt_speech_token").toIntArray());
        CosyVoice3LM lm = engine.llm();
        var prompt = dev.cosyvoice4j.model.lm.BistreamPrompt.of(engine.tokenizer().encode(promptText), pf.speechTokens());
        var sampler = new dev.cosyvoice4j.model.lm.BistreamGoldenStage.GoldenSampler(lm, in.get("sampler"));
        var decoder = lm.bistream(prompt, sampler, null, null);
        sampler.attach(decoder);
        List<Integer> yielded = new ArrayList<>();
        JsonNode pieces = in.get("text_pieces");
        for (int i = 0; i < pieces.size(); i++) {
            int[] ids = engine.tokenizer().encode(pieces.get(i).asText());
            check.compareIds("text_piece_ids[" + i + "]", ids, E2eGoldenChecks.ints(in.get("text_piece_ids").get(i)));
            decoder.acceptText(ids, yielded::add);
        }
        decoder.finish(yielded::add);
        check.compareIds("out_tokens", decoder.outTokens(), E2eGoldenChecks.ints(c.output("out_tokens")));
        int[] flowTokens = yielded.stream().mapToInt(Integer::intValue).toArray();
        check.compareIds("flow_tokens", flowTokens, E2eGoldenChecks.ints(c.output("flow_tokens")));
        VoicePrompt voice = new Voice(pf, promptText).flowPrompt();
        FlowSession fs = engine.flow().newSession();
        float[] mel = engine.flow().inference(fs, flowTokens, voice.promptTokens(), voice.promptMel(), voice.promptFrames(),
                voice.embedding(), false, true, null);
        int frames = mel.length / 80;
        check.compare("mel", mel, new long[] {1, 80, frames}, c.outputTensor("mel"), c.toleranceFor("mel"));
        float[] speech = engine.hift().inference(engine.hift().newSession(), mel, frames, true).speech();
        check.compare("tts_speech", speech, new long[] {1, speech.length}, c.outputTensor("tts_speech"), c.toleranceFor("tts_speech"));
    }

    static float[] channelMajor(float[] timeMajor, int frames, int channels) {
        float[] out = new float[timeMajor.length];
        for (int t = 0; t < frames; t++) for (int ch = 0; ch < channels; ch++) out[ch * frames + t] = timeMajor[t * channels + ch];
        return out;
    }
}
