package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.frontend.AudioFrontend;
import dev.cosyvoice4j.frontend.audio.DecodedAudio;
import dev.cosyvoice4j.model.lm.ArgmaxSampler;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.model.lm.RasSampler;
import dev.cosyvoice4j.model.lm.Sampler;

import java.util.List;

/**
 * One request at a time on a loaded {@link Engine}: the port of {@code CosyVoice3.inference_*} (cosyvoice/cli/
 * cosyvoice.py) with {@code CosyVoice2Model.tts}. Everything mutable lives here or in the objects it creates per
 * request, never in the engine. Not thread-safe itself; open one session per concurrent request.
 */
public final class Session implements AutoCloseable {
    private final Engine engine;

    Session(Engine engine) { this.engine = engine; }

    /**
     * Starts synthesising {@code request}; audio chunks arrive on the returned stream while the work runs on a
     * worker thread. Argument problems throw here, before any work starts.
     */
    public SynthesisStream synthesize(SynthesisRequest request) {
        request.validate();
        SynthesisStream stream = new SynthesisStream();
        engine.workers().submit(() -> {
            stream.producerThread(Thread.currentThread());
            try {
                run(request, stream);
                stream.finish();
            } catch (Throwable t) {
                if (stream.isCancelled()) stream.finish();
                else stream.fail(t);
            } finally {
                Thread.interrupted();   // clear a cancel interrupt before the worker is reused
            }
        });
        return stream;
    }

    /** Synthesises and returns the whole waveform (blocking). */
    public float[] synthesizeAll(SynthesisRequest request) {
        try (SynthesisStream s = synthesize(request)) {
            return s.readAll();
        }
    }

    private void run(SynthesisRequest req, SynthesisStream out) throws InterruptedException {
        StageTimings timings = out.timingsSink();
        long t0 = System.nanoTime();
        ChunkEmitter emit = new ChunkEmitter(out, engine.sampleRateHz());
        UtteranceSynthesizer synth = engine.utteranceSynthesizer();
        if (req.mode() == Mode.VOICE_CONVERSION) {
            VoiceConversionInput vc = voiceConversionInput(req);
            timings.frontendNanos.add(System.nanoTime() - t0);
            emit.segment = 0;
            synth.synthesize(vc.sourceTokens, vc.prompt, req.stream(), req.speed(), out::isCancelled, timings, emit);
            emit.end();
            return;
        }
        Voice voice = req.speakerId() != null ? engine.savedVoice(req.speakerId())
                : engine.analyzeVoice(req.promptWav(), req.promptText());
        String promptText = req.promptText() != null ? req.promptText() : voice.promptText();
        if (req.mode() == Mode.ZERO_SHOT && (promptText == null || promptText.isBlank())) {
            throw new IllegalArgumentException("zero-shot needs a prompt text; the saved speaker '" + req.speakerId() + "' has none");
        }
        TextSegments text = new TextSegments(engine.textFrontend());
        int[] promptIds = switch (req.mode()) {
            case ZERO_SHOT -> engine.tokenizer().encode(text.prompt(promptText, req.textFrontend()));
            case INSTRUCT2 -> engine.tokenizer().encode(req.instructText());
            default -> new int[0];
        };
        List<String> segments = text.segments(req.text(), req.textFrontend());
        timings.frontendNanos.add(System.nanoTime() - t0);
        CosyVoice3LM lm = engine.llm();
        VoicePrompt flowPrompt = voice.flowPrompt();
        for (int i = 0; i < segments.size() && !out.isCancelled(); i++) {
            int[] textIds = engine.tokenizer().encode(segments.get(i));
            LmPrompt prompt = switch (req.mode()) {
                case ZERO_SHOT -> LmPrompt.zeroShot(promptIds, textIds, voice.features().speechTokens());
                case INSTRUCT2 -> LmPrompt.instruct2(promptIds, textIds);
                case CROSS_LINGUAL -> LmPrompt.crossLingual(textIds);
                case VOICE_CONVERSION -> throw new IllegalStateException();
            };
            LmInput input = lm.lmInput(prompt);
            Sampler sampler = req.argmax() ? ArgmaxSampler.INSTANCE
                    : RasSampler.fromConfig(engine.config().llm(), req.seed() + i);
            emit.segment = i;
            synth.synthesize(lm, input, sampler, req.pinnedTokens(), flowPrompt, req.stream(), req.speed(),
                    out::isCancelled, timings, out.startNanos(), emit);
        }
        emit.end();
    }

    /** {@code frontend_vc}: source tokens and the UNALIGNED prompt features (the official VC path skips alignment). */
    private VoiceConversionInput voiceConversionInput(SynthesisRequest req) {
        AudioFrontend fe = engine.frontend();
        int[] source = fe.sourceSpeechTokens(req.sourceWav());
        if (req.speakerId() != null) return new VoiceConversionInput(source, engine.savedVoice(req.speakerId()).flowPrompt());
        DecodedAudio audio = fe.decode(req.promptWav());
        float[] x16 = fe.resample16k(audio), x24 = fe.resample24k(audio);
        var feat = fe.speechFeat(x24);
        VoicePrompt prompt = new VoicePrompt(fe.speechTokens(x16), feat.values(), feat.rows(), fe.speakerEmbedding(x16));
        return new VoiceConversionInput(source, prompt);
    }

    private record VoiceConversionInput(int[] sourceTokens, VoicePrompt prompt) {}

    /**
     * Turns audio pieces into numbered chunks with timestamps as soon as they exist. The end of the request is an
     * extra empty chunk flagged {@code last} (a chunk cannot know it is the last one before the LLM has finished).
     */
    private static final class ChunkEmitter implements UtteranceSynthesizer.AudioSink {
        private final SynthesisStream out;
        private final int sampleRateHz;
        private long emittedSamples;
        int segment;

        ChunkEmitter(SynthesisStream out, int sampleRateHz) {
            this.out = out;
            this.sampleRateHz = sampleRateHz;
        }

        @Override
        public void accept(float[] samples) {
            if (samples.length == 0) return;
            out.emit(new AudioChunk(samples, sampleRateHz, emittedSamples, segment, false, System.nanoTime() - out.startNanos()));
            emittedSamples += samples.length;
        }

        void end() {
            out.emit(new AudioChunk(new float[0], sampleRateHz, emittedSamples, segment, true, System.nanoTime() - out.startNanos()));
        }
    }

    @Override
    public void close() {}
}
