package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.frontend.AudioFrontend;
import dev.cosyvoice4j.frontend.audio.DecodedAudio;
import dev.cosyvoice4j.model.lm.ArgmaxSampler;
import dev.cosyvoice4j.model.lm.BistreamDecoder;
import dev.cosyvoice4j.model.lm.BistreamPrompt;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.flow.FlowSession;
import dev.cosyvoice4j.model.hift.HiftSession;
import dev.cosyvoice4j.model.hift.SourceModuleHnNsf;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmSession;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.model.lm.RasSampler;
import dev.cosyvoice4j.model.lm.Sampler;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * One request at a time on a loaded {@link Engine}: the port of {@code CosyVoice3.inference_*} (cosyvoice/cli/
 * cosyvoice.py) with {@code CosyVoice2Model.tts}. Everything mutable lives here, never in the engine (as whisper.cpp
 * splits {@code whisper_context} and {@code whisper_state}): the LLM's KV cache and step buffers, the flow's and the
 * vocoder's workspaces. They are made on first use, grow to the longest segment or chunk of the session's requests
 * (bounded: the KV cache by the model's context, the flow by its 300 s noise buffer) and are reused by every later
 * segment and request; {@link #close()} releases them. Not thread-safe itself: one request at a time; open one session
 * per concurrent request.
 */
public final class Session implements AutoCloseable {
    private final Engine engine;
    private LmSession lmSession;
    private FlowSession flowSession;
    private HiftSession hiftSession;
    /** CosyVoice2's flow and vocoder memory (instead of the two above). */
    private CosyVoice2Model.Stages cosyVoice2Stages;
    private volatile boolean closed;
    /** Set while a synthesis runs: the buffers serve one request at a time. */
    private final AtomicBoolean busy = new AtomicBoolean();

    Session(Engine engine) { this.engine = engine; }

    /** The request's LLM state (made on first use). */
    private LmSession lmSession() {
        if (lmSession == null) lmSession = engine.llm().newSession(INITIAL_KV_POSITIONS);
        return lmSession;
    }

    /** KV positions allocated at first use; the first segment sizes the cache exactly, longer ones grow it. */
    private static final int INITIAL_KV_POSITIONS = 16;

    /** The flow and vocoder stages on this session's workspaces. */
    private UtteranceSynthesizer utteranceSynthesizer() {
        if (engine.cosyVoice2() != null) {
            if (cosyVoice2Stages == null) cosyVoice2Stages = engine.cosyVoice2().newStages(engine.workers());
            return cosyVoice2Stages.synthesizer();
        }
        if (flowSession == null) flowSession = engine.flow().newSession();
        if (hiftSession == null) hiftSession = engine.hift().newSession();
        return new UtteranceSynthesizer(ModelStages.flow(engine.flow(), flowSession, engine.ditCaches(), engine.voiceFlowCache(),
                        engine.options().streaming()),
                ModelStages.streamingVocoder(engine.hift(), hiftSession, SourceModuleHnNsf.defaultNoise()),
                engine.config().tokenMelRatio(), engine.options().streaming().effectiveFirstChunk(), engine.workers());
    }

    /**
     * Starts synthesising {@code request}; audio chunks arrive on the returned stream while the work runs on a
     * worker thread. Argument problems throw here, before any work starts.
     */
    public SynthesisStream synthesize(SynthesisRequest request) {
        return start(request, out -> run(request, out));
    }

    private interface Job {
        void run(SynthesisStream out) throws Exception;
    }

    private SynthesisStream start(SynthesisRequest request, Job job) {
        if (closed) throw new IllegalStateException("session is closed");
        request.validate();
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("this session is already synthesising; open one session per concurrent request");
        }
        return startValidated(job);
    }

    private SynthesisStream startValidated(Job job) {
        SynthesisStream stream = new SynthesisStream();
        try {
            engine.workers().submit(() -> {
                stream.producerThread(Thread.currentThread());
                try {
                    job.run(stream);
                    busy.set(false);                 // free before the reader sees the end
                    stream.finish();
                } catch (Throwable t) {
                    busy.set(false);
                    if (stream.isCancelled()) stream.finish();
                    else stream.fail(t);
                } finally {
                    Thread.interrupted();   // clear a cancel interrupt before the worker is reused
                }
            });
        } catch (RuntimeException e) {
            busy.set(false);
            throw e;
        }
        return stream;
    }

    /**
     * Text-in streaming ({@code CosyVoice3.inference_zero_shot} / {@code inference_instruct2} with a generator of
     * text, the LLM's {@code inference_bistream}): speaks {@code text} as its pieces arrive. {@code template} gives
     * the voice, mode (zero-shot or instruct2 only, as the official asserts), sampling and streaming; its text is
     * ignored. Each piece is tokenized on its own and is neither normalised nor split (as the official frontend does
     * for a generator). Audio chunks come as soon as the speech tokens allow; {@link SynthesisStream#cancel()} stops
     * the decode (also while it waits for text).
     *
     * @throws IllegalArgumentException for another mode, or a prompt without {@code <|endofprompt|>}
     */
    public SynthesisStream synthesizeTextStream(SynthesisRequest template, TextInput text) {
        if (template.mode() != Mode.ZERO_SHOT && template.mode() != Mode.INSTRUCT2) {
            throw new IllegalArgumentException("text-in streaming (inference_bistream) supports the zero-shot and instruct2 modes, not "
                    + template.mode());
        }
        java.util.Objects.requireNonNull(text, "text");
        return start(template.withText("(text stream)"), out -> runTextStream(template, text, out));
    }

    /** Synthesises and returns the whole waveform (blocking). */
    public float[] synthesizeAll(SynthesisRequest request) {
        try (SynthesisStream s = synthesize(request)) {
            return s.readAll();
        }
    }

    private void runTextStream(SynthesisRequest req, TextInput text, SynthesisStream out) throws InterruptedException {
        StageTimings timings = out.timingsSink();
        long t0 = System.nanoTime();
        ChunkEmitter emit = new ChunkEmitter(out, engine.sampleRateHz());
        UtteranceSynthesizer synth = utteranceSynthesizer();
        Voice voice = req.speakerId() != null ? engine.savedVoice(req.speakerId())
                : engine.analyzeVoice(req.promptWav(), req.promptText());
        String promptText = req.promptText() != null ? req.promptText() : voice.promptText();
        if (req.mode() == Mode.ZERO_SHOT && (promptText == null || promptText.isBlank())) {
            throw new IllegalArgumentException("zero-shot needs a prompt text; the saved speaker '" + req.speakerId() + "' has none");
        }
        var tokenizer = engine.tokenizer();
        boolean cv2 = engine.llm().variant() == CosyVoice3LM.Variant.QWEN2LM;
        BistreamPrompt prompt = cv2
                ? BistreamPrompt.cosyVoice2(tokenizer.encode(req.mode() == Mode.ZERO_SHOT
                        ? new TextSegments(engine.textFrontend()).prompt(promptText, req.textFrontend()) : req.instructText()),
                        req.mode() == Mode.ZERO_SHOT ? voice.features().speechTokens() : new int[0])
                : req.mode() == Mode.ZERO_SHOT
                ? BistreamPrompt.of(tokenizer.encode(new TextSegments(engine.textFrontend()).prompt(promptText, req.textFrontend())),
                        voice.features().speechTokens())
                : BistreamPrompt.of(tokenizer.encode(req.instructText()), new int[0]);
        timings.frontendNanos.add(System.nanoTime() - t0);
        CosyVoice3LM lm = engine.llm();
        Sampler sampler = req.argmax() ? ArgmaxSampler.INSTANCE : RasSampler.fromConfig(engine.config().llm(), req.seed());
        LmSession session = lmSession();
        emit.segment = 0;
        // FirstChunk.AUTO's expectation: unbounded while text may still come, then from the text tokens received
        AtomicInteger textTokens = new AtomicInteger();
        AtomicBoolean textEnded = new AtomicBoolean();
        IntSupplier expectedTokens = () -> textEnded.get() ? FirstChunk.expectedSpeechTokens(textTokens.get(), 0) : Integer.MAX_VALUE;
        synth.synthesize((stop, onSpeechToken) -> {
            // counted here (not timed: decode time would include the waits for text)
            java.util.function.IntConsumer onToken = t -> {
                timings.llmDecodeTokens.increment();
                onSpeechToken.accept(t);
            };
            BistreamDecoder decoder = lm.bistream(session, prompt, sampler, null, stop).guarded(true);
            while (!stop.getAsBoolean()) {
                String piece = text.next(50);
                if (piece == null) {
                    textEnded.set(true);
                    decoder.finish(onToken);
                    return;
                }
                if (piece.isEmpty()) continue;
                int[] ids = tokenizer.encode(piece);                                          // each piece on its own
                textTokens.addAndGet(ids.length);
                decoder.acceptText(ids, onToken);
            }
        }, expectedTokens, flowPrompt(voice, req), req.stream(), req.speed(), out::isCancelled, timings, out.startNanos(), emit);
        emit.end();
    }

    private void run(SynthesisRequest req, SynthesisStream out) throws InterruptedException {
        StageTimings timings = out.timingsSink();
        long t0 = System.nanoTime();
        ChunkEmitter emit = new ChunkEmitter(out, engine.sampleRateHz());
        UtteranceSynthesizer synth = utteranceSynthesizer();
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
        VoicePrompt flowPrompt = flowPrompt(voice, req);
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
            synth.synthesize(lm, lmSession(), input, sampler, req.pinnedTokens(),
                    FirstChunk.expectedSpeechTokens(textIds.length, req.pinnedTokens()), flowPrompt, req.stream(), req.speed(),
                    out::isCancelled, timings, out.startNanos(), emit);
        }
        emit.end();
    }

    /** {@code frontend_vc}: source tokens and the UNALIGNED prompt features (the official VC path skips alignment). */
    private VoiceConversionInput voiceConversionInput(SynthesisRequest req) {
        AudioFrontend fe = engine.frontend();
        int[] source = fe.sourceSpeechTokens(req.sourceWav());
        if (req.speakerId() != null) return new VoiceConversionInput(source, engine.savedVoice(req.speakerId()).flowPrompt().saved(req.speakerId()));
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

    /** The flow's view of the request's voice; a saved speaker's is known by name (its prompt state is kept). */
    private static VoicePrompt flowPrompt(Voice voice, SynthesisRequest req) {
        VoicePrompt p = voice.flowPrompt();
        return req.speakerId() != null ? p.saved(req.speakerId()) : p;
    }

    /** Releases the session's buffers; a synthesis still running keeps them until it ends. */
    @Override
    public void close() {
        closed = true;
        lmSession = null;
        flowSession = null;
        hiftSession = null;
        cosyVoice2Stages = null;
    }
}
