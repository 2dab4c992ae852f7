package dev.cosyvoice4j.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenManifest;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.model.hift.HiftGenerator;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Golden {@code stream/token2wav} of CosyVoice2: {@code CosyVoice2Model.tts(stream=True)} driven through the voice
 * conversion path, run through the engine's own {@link UtteranceSynthesizer} and {@link CosyVoice2Token2Wav} with
 * recording stages: per call the token count, offset and flags, the flow mel, the vocoder's input mel (cache
 * prepended), its raw speech and source, the cross-fade cache and the yielded chunk; then the concatenated stream,
 * the offline speech of the same tokens and the Hamming window. A second run feeds the RECORDED flow mels into the
 * tail, so the vocoder cache and cross-fade are checked apart from the flow.
 */
public final class Cv2StreamingGoldenStage implements GoldenStage {
    @Override
    public String stage() { return "streaming"; }

    @Override
    public Set<String> modelFamilies() { return Set.of(GoldenManifest.COSYVOICE2); }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) throws Exception {
        Engine engine = E2eGoldenChecks.engine(ctx);
        int[] tokens = c.inputTensor("source_speech_token").toIntArray();
        Tensor feat = c.inputTensor("prompt_feat");
        float[] embedding = c.ref("embedding").outputTensor("embedding").toFloatArray();
        VoicePrompt voice = new VoicePrompt(c.inputTensor("prompt_token").toIntArray(), feat.toFloatArray(), feat.dim(1), embedding);
        check.compare("speech_window", toFloat(CosyVoice2Token2Wav.SPEECH_WINDOW), new long[] {CosyVoice2Token2Wav.SPEECH_WINDOW.length},
                c.inputTensor("speech_window"), new Tolerance(1e-7, Double.NaN, Double.NaN, false));
        JsonNode expected = c.output("calls");

        // the tail alone, on the recorded flow mels
        List<Tensor> goldenFlowMels = new ArrayList<>();
        for (JsonNode e : expected) goldenFlowMels.add(c.tensor(e.get("flow_mel")));
        int[] call = new int[1];
        FlowStage replay = (t, p, streaming, finalize, timings) -> {
            Tensor m = goldenFlowMels.get(Math.min(call[0]++, goldenFlowMels.size() - 1));
            return new Mel(m.toFloatArray(), m.dim(1), m.dim(2));
        };
        CosyVoice2Model.Stages stages = engine.cosyVoice2().newStages(engine.workers());
        Recording tailOnly = Recording.run(engine, replay, stages.vocoder(HiftGenerator.defaultNoise()), tokens, voice, true);
        compareCalls(c, check, "tail(recorded flow mel).", tailOnly, expected, false);

        // the whole token2wav: flow and vocoder
        Recording full = Recording.run(engine, stages.flowStage(), stages.vocoder(HiftGenerator.defaultNoise()), tokens, voice, true);
        compareCalls(c, check, "", full, expected, true);
        Recording offline = Recording.run(engine, stages.flowStage(), stages.vocoder(HiftGenerator.defaultNoise()), tokens, voice, false);
        check.compare("offline_speech", offline.concat(), new long[] {1, offline.concat().length}, c.outputTensor("offline_speech"),
                c.toleranceFor("offline_speech"));
    }

    private static void compareCalls(GoldenCase c, CaseCheck check, String prefix, Recording r, JsonNode expected, boolean flow) {
        check.compareExact(prefix + "number of calls", r.calls.size(), expected.size());
        for (int i = 0; i < Math.min(r.calls.size(), expected.size()); i++) {
            Recording.Call a = r.calls.get(i);
            JsonNode e = expected.get(i);
            String p = prefix + "call" + i + ".";
            check.compareExact(p + "n_tokens", a.tokens(), e.get("n_tokens").asInt());
            check.compareExact(p + "token_offset", a.tokenOffset(), e.get("token_offset").asInt());
            check.compareExact(p + "flow_streaming", a.streaming(), e.get("flow_streaming").asBoolean());
            check.compareExact(p + "finalize", a.finalizing(), e.get("finalize").asBoolean());
            check.compareExact(p + "cache_source_len", a.cacheSourceLen(), e.get("cache_source_len").asInt());
            check.compareExact(p + "yielded_samples", a.yielded().length, e.get("yielded_samples").asInt());
            if (flow) {
                Mel m = a.flowMel();
                check.compare(p + "flow_mel", m.data(), new long[] {1, m.bins(), m.frames()}, c.tensor(e.get("flow_mel")),
                        c.toleranceFor("flow_mel"));
            }
            Mel h = a.vocoderMel();
            check.compare(p + "hift_mel_in", h.data(), new long[] {1, h.bins(), h.frames()}, c.tensor(e.get("hift_mel_in")),
                    c.toleranceFor("hift_mel_in"));
            check.compare(p + "hift_speech_raw", a.rawSpeech(), new long[] {1, a.rawSpeech().length},
                    c.tensor(e.get("hift_speech_raw")), c.toleranceFor("hift_speech_raw"));
            check.compare(p + "hift_source", a.source(), new long[] {1, 1, a.source().length}, c.tensor(e.get("hift_source")),
                    c.toleranceFor("hift_source"));
            check.compare(p + "yielded", a.yielded(), new long[] {1, a.yielded().length}, c.tensor(e.get("yielded")),
                    c.toleranceFor("yielded"));
        }
        float[] all = r.concat();
        check.compare(prefix + "concat_stream_speech", all, new long[] {1, all.length}, c.outputTensor("concat_stream_speech"),
                c.toleranceFor("concat_stream_speech"));
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** One token2wav run with every call recorded (golden streaming and e2e stages). */
    static final class Recording {
        record Call(int tokens, int tokenOffset, boolean streaming, boolean finalizing, Mel flowMel, Mel vocoderMel,
                    int cacheSourceLen, float[] rawSpeech, float[] source, float[] yielded) {}

        final List<Call> calls = new ArrayList<>();

        float[] concat() { return StreamingGoldenStage.concat(calls.stream().map(Call::yielded).toList()); }

        /** {@code tts(stream)} of known {@code tokens} through the engine's synthesizer with recording stages. */
        static Recording run(Engine engine, FlowStage flow, CosyVoice2Token2Wav.Vocoder vocoder, int[] tokens, VoicePrompt voice,
                             boolean stream) throws InterruptedException {
            Recording r = new Recording();
            Mel[] flowMel = new Mel[1], vocMel = new Mel[1];
            float[][] raw = new float[2][];
            int[] cacheLen = new int[1];
            FlowStage recFlow = (t, p, streaming, finalize, timings) -> flowMel[0] = flow.inference(t, p, streaming, finalize, timings);
            CosyVoice2Token2Wav.Vocoder recVoc = (mel, cacheSource, timings) -> {
                vocMel[0] = mel;
                cacheLen[0] = cacheSource.length;
                CosyVoice2Token2Wav.Speech s = vocoder.inference(mel, cacheSource, timings);
                raw[0] = s.speech().clone();                 // before the cross-fade
                raw[1] = s.source();
                return s;
            };
            int ratio = engine.config().tokenMelRatio();
            AudioTail.Factory tails = (v, speed, timings) -> {
                CosyVoice2Token2Wav inner = new CosyVoice2Token2Wav(recFlow, recVoc, v, ratio, speed, timings);
                return (t, offset, streaming, finalize) -> {
                    float[] out = inner.next(t, offset, streaming, finalize);
                    r.calls.add(new Call(t.length, offset, streaming, finalize, flowMel[0], vocMel[0], cacheLen[0], raw[0], raw[1], out));
                    return out;
                };
            };
            new UtteranceSynthesizer(tails, false, engine.workers())
                    .synthesize(tokens, voice, stream, 1.0, () -> false, StageTimings.discard(), y -> { });
            return r;
        }
    }
}
