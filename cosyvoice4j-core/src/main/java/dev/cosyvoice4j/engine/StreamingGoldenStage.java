package dev.cosyvoice4j.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Golden {@code stream/token2wav}: {@code CosyVoice3Model.tts(stream=True)} driven through the voice-conversion
 * path (all tokens known up front), run through the engine's own {@link UtteranceSynthesizer} with recording stage
 * decorators: each call's token count, flow mel, vocoder input, vocoder output and yielded length, and the
 * concatenated stream. The vocoder is the engine's stateful one ({@link ModelStages#streamingVocoder}): each call's
 * output is checked as the reference's whole-history waveform sliced at the previous speech offset.
 */
public final class StreamingGoldenStage implements GoldenStage {
    @Override
    public String stage() { return "streaming"; }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) throws Exception {
        Engine engine = E2eGoldenChecks.engine(ctx);
        int[] tokens = c.inputTensor("source_speech_token").toIntArray();
        int[] promptTokens = c.inputTensor("prompt_token").toIntArray();
        var feat = c.inputTensor("prompt_feat");
        float[] embedding = c.ref("embedding").outputTensor("embedding").toFloatArray();
        VoicePrompt voice = new VoicePrompt(promptTokens, feat.toFloatArray(), feat.dim(1), embedding);

        // hiftOut: the whole waveform of a recomputing vocoder call, or (stateful vocoder) only the samples it yielded
        record Call(int tokens, boolean streaming, boolean finalizing, Mel flowMel, Mel hiftIn, float[] hiftOut, boolean sliced) {}
        List<Call> calls = new ArrayList<>();
        // the engine's streaming path: chunk calls through the DiT cache and the stateful vocoder (they change no output)
        FlowStage flow = ModelStages.flow(engine.flow(), engine.flow().newSession(), engine.ditCaches(),
                engine.voiceFlowCache(), engine.options().streaming());
        VocoderStage hift = ModelStages.streamingVocoder(engine.hift(), engine.hift().newSession(), NsfNoise.fixedUniform());
        int[] pendingTokens = new int[1];
        boolean[] pendingFlags = new boolean[2];
        Mel[] pendingMel = new Mel[1];
        FlowStage recFlow = (t, p, streaming, finalize, timings) -> {
            pendingTokens[0] = t.length;
            pendingFlags[0] = streaming;
            pendingFlags[1] = finalize;
            return pendingMel[0] = flow.inference(t, p, streaming, finalize, timings);
        };
        VocoderStage recHift = new VocoderStage() {
            private Mel all;

            @Override
            public float[] inference(Mel mel, boolean finalize, StageTimings timings) {
                float[] out = hift.inference(mel, finalize, timings);
                calls.add(new Call(pendingTokens[0], pendingFlags[0], pendingFlags[1], pendingMel[0], mel, out, false));
                return out;
            }

            @Override
            public VocoderStream openStream() {
                VocoderStream stream = hift.openStream();
                return stream == null ? null : (mel, finalize, timings) -> {
                    all = all == null ? mel : all.concat(mel);          // the mel the reference's vocoder sees
                    float[] out = stream.next(mel, finalize, timings);
                    calls.add(new Call(pendingTokens[0], pendingFlags[0], pendingFlags[1], pendingMel[0], all, out, true));
                    return out;
                };
            }
        };
        List<float[]> yielded = new ArrayList<>();
        new UtteranceSynthesizer(recFlow, recHift, engine.config().tokenMelRatio(), FirstChunk.OFFICIAL, engine.workers())
                .synthesize(tokens, voice, true, 1.0, () -> false, StageTimings.discard(), yielded::add);

        JsonNode expected = c.output("calls");
        int offset = 0;
        check.compareExact("number of calls", calls.size(), expected.size());
        for (int i = 0; i < Math.min(calls.size(), expected.size()); i++) {
            Call a = calls.get(i);
            JsonNode e = expected.get(i);
            String p = "call" + i + ".";
            check.compareExact(p + "n_tokens", a.tokens, e.get("n_tokens").asInt());
            check.compareExact(p + "streaming", a.streaming, e.get("streaming").asBoolean());
            check.compareExact(p + "finalize", a.finalizing, e.get("finalize").asBoolean());
            check.compareExact(p + "yielded_samples", yielded.get(i).length, e.get("yielded_samples").asInt());
            check.compare(p + "flow_mel", a.flowMel.data(), new long[] {1, a.flowMel.bins(), a.flowMel.frames()},
                    c.tensor(e.get("flow_mel")), c.toleranceFor("flow_mel"));
            check.compare(p + "hift_mel_in", a.hiftIn.data(), new long[] {1, a.hiftIn.bins(), a.hiftIn.frames()},
                    c.tensor(e.get("hift_mel_in")), c.toleranceFor("hift_mel_in"));
            if (e.get("hift_speech").isObject() && !a.sliced) {
                check.compare(p + "hift_speech", a.hiftOut, new long[] {1, a.hiftOut.length},
                        c.tensor(e.get("hift_speech")), c.toleranceFor("hift_speech"));
            } else if (e.get("hift_speech").isObject()) {
                // the stateful vocoder yields hift_speech[speech_offset:] of the reference's recompute
                float[] whole = c.tensor(e.get("hift_speech")).toFloatArray();
                int from = Math.min(offset, whole.length);
                check.compare(p + "hift_speech[offset:]", a.hiftOut, new long[] {1, a.hiftOut.length},
                        Tensor.of(Arrays.copyOfRange(whole, from, whole.length), 1, whole.length - from),
                        c.toleranceFor("hift_speech"));
            }
            offset += e.get("yielded_samples").asInt();
        }
        float[] all = concat(yielded);
        check.compare("concat_stream_speech", all, new long[] {1, all.length}, c.outputTensor("concat_stream_speech"),
                c.toleranceFor("concat_stream_speech"));
        if (engine.options().streaming().ditCache()) splitFirstChunk(c, engine, tokens, voice, expected, check);
    }

    /**
     * The same utterance with {@link StreamSchedule#splitFirstChunk}: where the prompt's pad makes a piece and the
     * utterance reaches the official first chunk, the reference's first yield arrives as two pieces and every later one
     * unchanged; the concatenated stream is the reference's (both pieces end on the DiT chunk grid).
     */
    private static void splitFirstChunk(GoldenCase c, Engine engine, int[] tokens, VoicePrompt voice, JsonNode expected,
                                        CaseCheck check) throws InterruptedException {
        FlowStage flow = ModelStages.flow(engine.flow(), engine.flow().newSession(), engine.ditCaches(),
                engine.voiceFlowCache(), engine.options().streaming());
        VocoderStage hift = ModelStages.streamingVocoder(engine.hift(), engine.hift().newSession(), NsfNoise.fixedUniform());
        List<float[]> yielded = new ArrayList<>();
        new UtteranceSynthesizer(flow, hift, engine.config().tokenMelRatio(), FirstChunk.SPLIT, engine.workers())
                .synthesize(tokens, voice, true, 1.0, () -> false, StageTimings.discard(), yielded::add);
        int p = voice.promptTokens().length, official = StreamSchedule.official(p).tokensNeededForNextChunk();
        boolean split = StreamSchedule.splitFirstChunk(p).tokensNeededForNextChunk() < official && tokens.length >= official;
        check.compareExact("split: number of yields", yielded.size(), expected.size() + (split ? 1 : 0));
        int shift = split ? 1 : 0;
        for (int i = 0; i < expected.size() && i + shift < yielded.size(); i++) {
            int n = yielded.get(i + shift).length + (split && i == 0 ? yielded.get(0).length : 0);
            check.compareExact("split: call" + i + ".yielded_samples", n, expected.get(i).get("yielded_samples").asInt());
        }
        float[] all = concat(yielded);
        check.compare("split: concat_stream_speech", all, new long[] {1, all.length}, c.outputTensor("concat_stream_speech"),
                c.toleranceFor("concat_stream_speech"));
    }

    /** The pieces one after another (a stream's yields as one waveform). */
    static float[] concat(List<float[]> pieces) {
        float[] all = new float[pieces.stream().mapToInt(y -> y.length).sum()];
        int n = 0;
        for (float[] y : pieces) {
            System.arraycopy(y, 0, all, n, y.length);
            n += y.length;
        }
        return all;
    }
}
