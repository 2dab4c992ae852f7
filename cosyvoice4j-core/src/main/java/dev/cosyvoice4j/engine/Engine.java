package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.tensor.Tensor;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.ModelDir;
import dev.cosyvoice4j.config.ModelFamily;
import dev.cosyvoice4j.frontend.AudioFrontend;
import dev.cosyvoice4j.frontend.FrontendOptions;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.flow.FlowModel;
import dev.cosyvoice4j.model.flow.cv2.CausalMaskedDiffWithXvec;
import dev.cosyvoice4j.model.hift.CausalHiftGenerator;
import dev.cosyvoice4j.model.hift.HiftGenerator;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.text.Qwen2Tokenizer;
import dev.cosyvoice4j.text.TextFrontend;
import dev.cosyvoice4j.text.normalize.WeTextNormalizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

/**
 * A loaded model directory, ready to synthesise: the port of {@code CosyVoice3(model_dir)} + {@code
 * CosyVoice3Model} (cosyvoice/cli/cosyvoice.py, model.py). Immutable after loading and thread-safe: every request
 * runs in its own {@link Session}; several sessions may run at once. Close to unmap the weights.
 *
 * <p>The model family comes from the directory ({@link ModelFamily#detect}): a CosyVoice2-0.5B directory loads
 * its Qwen2LM into the same LLM class and its flow and vocoder as a {@link CosyVoice2Model} ({@link #flow()} and
 * {@link #hift()} are then null); every request type works the same for both.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    private final ModelDir modelDir;
    private final ModelConfig config;
    private final EngineOptions options;
    private final Backend backend;
    /** The precision the flow really runs in (BF16 asked of a backend without it: F32, with a log line). */
    private final Precision flowPrecision;
    /** The precision of the LLM's many-row products as really run (BF16 asked of a backend without it: F32). */
    private final Precision llmPrefillPrecision;
    private final Qwen2Tokenizer tokenizer;
    private final TextFrontend textFrontend;
    private final AudioFrontend frontend;
    private final CosyVoice3LM llm;
    private final FlowModel flow;
    private final CausalHiftGenerator hift;
    /** CosyVoice2's flow and vocoder; null for CosyVoice3. */
    private final CosyVoice2Model cosyVoice2;
    private final SpeakerStore speakers;
    private final ExecutorService workers;
    /** Saved voices' prompt-region DiT state (derived from the weights and the voice; shared by every session). */
    private final VoiceFlowCache voiceFlowCache;
    /** Streaming DiT caches lent to utterances (at most two wait idle between requests). */
    private final DitCachePool ditCaches;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final LoadTimings loadTimings;
    private volatile String llmWeightSource;

    /** Milliseconds spent loading each part. */
    public record LoadTimings(double totalMs, double tokenizerMs, double frontendMs, double llmMs, double flowMs, double hiftMs) {}

    private Engine(Path dir, EngineOptions options) {
        long t0 = System.nanoTime();
        this.options = options;
        this.modelDir = ModelDir.open(dir);
        this.config = modelDir.config();
        this.voiceFlowCache = new VoiceFlowCache(options.streaming().voiceCacheBytes());
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread th = new Thread(r, "cosyvoice4j-worker");
            th.setDaemon(true);
            return th;
        });
        this.backend = Backends.open(options.backend(), options.backendOptions());
        if (!backend.supports(options.llmPrecision())) {
            backend.close();
            throw new IllegalArgumentException("backend '" + backend.name() + "' has no " + options.llmPrecision() + " LLM weights");
        }
        boolean cv2 = config.family() == ModelFamily.COSYVOICE2;
        this.flowPrecision = runnable(backend, options.flowPrecision(), "the flow");
        this.llmPrefillPrecision = runnable(backend, options.llmPrefillPrecision(), "the LLM prefill");
        boolean ok = false;
        List<Future<?>> parts = new ArrayList<>();
        try {
            // The parts are independent: load them in parallel (weights are mapped, so this is mostly parsing,
            // ONNX session creation and the vocoder's weight-norm folding).
            Future<Timed<Qwen2Tokenizer>> tok = workers.submit(() -> timed(() -> Qwen2Tokenizer.forModelDir(dir)));
            Future<Timed<AudioFrontend>> fe = workers.submit(() -> timed(() -> owned(AudioFrontend.open(dir,
                    FrontendOptions.defaults().withTokenMelRatio(config.tokenMelRatio())))));
            Future<Timed<CosyVoice3LM>> lm = workers.submit(() -> timed(() -> {
                WeightStore store = owned(WeightStore.openPt(modelDir.llmPt()));
                Precision p = options.llmPrecision();
                BiFunction<String, Tensor, Tensor> prepare = (name, t) -> CosyVoice3LM.LINEAR_WEIGHTS.matcher(name).matches()
                        && t.rank() == 2 ? backend.prepare(t, WeightKind.LINEAR, p, store::releaseResident) : t;
                QuantizedLlmCache cache = QuantizedLlmCache.open(options.quantCacheDir(), modelDir.llmPt(), p,
                        this::owned, msg -> LOG.log(System.Logger.Level.INFO, msg));
                BiFunction<String, Tensor, Tensor> own = cache == null ? prepare : cache.transform(prepare);
                // bf16 prefill: the same matrices, marked for bf16 products over many rows (decode keeps their own kernels)
                BiFunction<String, Tensor, Tensor> llmWeights = llmPrefillPrecision == Precision.F32 ? own : (name, t) -> {
                    Tensor w = own.apply(name, t);
                    return CosyVoice3LM.LINEAR_WEIGHTS.matcher(name).matches() && w.rank() == 2
                            ? backend.prepare(w, WeightKind.LINEAR, Precision.BF16, null) : w;
                };
                CosyVoice3LM m = CosyVoice3LM.load(store.transformed(llmWeights),
                        config.llm(), config.qwen2(), backend);
                if (cache == null) {
                    llmWeightSource = p == Precision.F32 ? "F32 (mapped)" : p.name() + " quantised at load";
                } else if (cache.hit()) {
                    llmWeightSource = p.name() + " mapped from " + cache.file();
                } else {
                    cache.saveIfNeeded();
                    llmWeightSource = p.name() + " quantised at load, saved to " + cache.file();
                }
                return m;
            }));
            Future<Timed<FlowModel>> fl = cv2 ? none() : workers.submit(() -> timed(() -> {
                WeightStore store = owned(WeightStore.openPt(modelDir.flowPt()));
                // BF16: oneDNN converts each matrix at its first use, then the float32 pages leave the resident set
                WeightStore prepared = store.transformed((name, t) -> FlowModel.isLinearWeight(name, t)
                        ? backend.prepare(t, WeightKind.LINEAR, flowPrecision, store::releaseResident) : t);
                return FlowModel.load(prepared, config.flow(), backend, flowPrecision);
            }));
            Future<Timed<CausalHiftGenerator>> hi = cv2 ? none() : workers.submit(() -> timed(() ->
                    CausalHiftGenerator.load(owned(WeightStore.openPt(modelDir.hiftPt())), config.hift(), backend)));
            Future<Timed<CausalMaskedDiffWithXvec>> fl2 = !cv2 ? none() : workers.submit(() -> timed(() ->
                    CosyVoice2Model.loadFlow(modelDir, backend, flowPrecision, this::owned)));
            Future<Timed<HiftGenerator>> hi2 = !cv2 ? none() : workers.submit(() -> timed(() ->
                    CosyVoice2Model.loadHift(modelDir, config, backend, this::owned)));
            parts.addAll(List.of(tok, fe, lm, fl, hi, fl2, hi2));
            Timed<Qwen2Tokenizer> tokT = await(tok);
            Timed<AudioFrontend> feT = await(fe);
            Timed<CosyVoice3LM> lmT = await(lm);
            Timed<FlowModel> flT = await(fl);
            Timed<CausalHiftGenerator> hiT = await(hi);
            Timed<CausalMaskedDiffWithXvec> fl2T = await(fl2);
            Timed<HiftGenerator> hi2T = await(hi2);
            this.tokenizer = tokT.value();
            this.textFrontend = new TextFrontend(tokenizer, new WeTextNormalizer());     // as the official frontend with wetext
            this.frontend = feT.value();
            this.llm = lmT.value();
            this.flow = flT.value();
            this.ditCaches = new DitCachePool(flow, 2);
            this.hift = hiT.value();
            this.cosyVoice2 = cv2 ? new CosyVoice2Model(fl2T.value(), hi2T.value(), config.tokenMelRatio()) : null;
            this.speakers = options.speakerDir() == null ? null : new SpeakerStore(options.speakerDir());
            this.loadTimings = new LoadTimings(ms(t0), tokT.ms(), feT.ms(), lmT.ms(), flT.ms() + fl2T.ms(), hiT.ms() + hi2T.ms());
            ok = true;
        } finally {
            if (!ok) {
                for (Future<?> f : parts) {   // let the other parts finish so that everything they opened is closed
                    try { f.get(); } catch (Exception ignored) { /* the first failure is what is reported */ }
                }
                close();
            }
        }
    }

    private record Timed<T>(T value, double ms) {}

    /** A part this model family does not have. */
    private static <T> Future<Timed<T>> none() { return java.util.concurrent.CompletableFuture.completedFuture(new Timed<>(null, 0)); }

    private static <T> Timed<T> timed(Callable<T> load) throws Exception {
        long t = System.nanoTime();
        T v = load.call();
        return new Timed<>(v, ms(t));
    }

    /** Registers a resource to close with the engine (also when a later part fails to load). */
    private <T extends AutoCloseable> T owned(T resource) {
        synchronized (resources) {
            resources.add(resource);
        }
        return resource;
    }

    /** The loaded part, or the load failure as thrown by the part (one clear message, not a wrapper). */
    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the model", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException("loading failed: " + c.getMessage(), c);
        }
    }

    /** Loads the official model directory (unchanged files). */
    public static Engine load(Path modelDir, EngineOptions options) {
        return new Engine(modelDir, options);
    }

    public static Engine load(Path modelDir) { return load(modelDir, EngineOptions.defaults()); }

    /** A new session for one request at a time (cheap; sessions may run concurrently). */
    public Session openSession() { return new Session(this); }

    /** The model family of the loaded directory. */
    public ModelFamily family() { return config.family(); }

    /** Output sample rate (24 kHz for CosyVoice3 and CosyVoice2). */
    public int sampleRateHz() { return config.sampleRate(); }

    public ModelConfig config() { return config; }

    public EngineOptions options() { return options; }

    public LoadTimings loadTimings() { return loadTimings; }

    /** Where the LLM matrices came from: mapped float32, quantised at load, or mapped from the quantised-weight cache. */
    public String llmWeightSource() { return llmWeightSource; }

    /** Bytes of weights the LLM streams per decode step (for bandwidth figures). */
    public long decodeStepWeightBytes() { return llm.decodeStepWeightBytes(); }

    /** What computes (for logs and benchmark reports): the backend, its threads, the precisions. */
    public String kernelsDescription() {
        return backend.description() + "; llm " + options.llmPrecision()
                + (llmPrefillPrecision == Precision.F32 ? "" : " (prefill " + llmPrefillPrecision + ")") + ", flow " + flowPrecision;
    }

    /** The backend every network computes on. */
    public Backend backend() { return backend; }

    /** The precision the flow runs in (F32 when BF16 was asked but the backend cannot). */
    public Precision flowPrecision() { return flowPrecision; }

    /** {@code asked}, or F32 with a log line when the backend cannot compute {@code part} in it here. */
    private static Precision runnable(Backend backend, Precision asked, String part) {
        if (asked == Precision.F32 || backend.supports(asked)) return asked;
        LOG.log(System.Logger.Level.WARNING, "backend '" + backend.name() + "' cannot run " + part + " in " + asked
                + " here (" + backend.description() + "): it runs in fp32");
        return Precision.F32;
    }

    /** The precision of the LLM's prefill products (F32 when BF16 was asked but the backend cannot). */
    public Precision llmPrefillPrecision() { return llmPrefillPrecision; }

    /** Analyses a prompt recording into a reusable voice (zero-shot prompt text may be null for other modes). */
    public Voice analyzeVoice(Path promptWav, String promptText) {
        return new Voice(frontend.analyze(promptWav), promptText);
    }

    /** Saves a voice under an id in the speaker directory. */
    public void saveVoice(String id, Voice voice) throws java.io.IOException { requireSpeakers().save(id, voice); }

    /** A saved voice. */
    public Voice savedVoice(String id) { return requireSpeakers().load(id); }

    /** The saved-voice store of {@link EngineOptions#speakerDir()}; IllegalArgumentException when none is configured. */
    public SpeakerStore speakers() { return requireSpeakers(); }

    private SpeakerStore requireSpeakers() {
        if (speakers == null) throw new IllegalArgumentException("no speaker directory configured");
        return speakers;
    }

    /**
     * The loaded networks, for diagnostics that look inside a synthesis (the {@code quality} command compares precision
     * modes logit by logit and mel by mel). Synthesis never needs it. The objects are the engine's own: immutable and
     * thread-safe, valid until the engine is closed.
     *
     * @param tokenizer     the Qwen2 text tokenizer
     * @param llm           the speech-token LM, with weights in this engine's {@link EngineOptions#llmPrecision()}
     * @param flow          the flow (token-to-mel) network, in {@code flowPrecision}; null for CosyVoice2
     * @param flowPrecision what the flow really runs in (F32 when BF16 was asked of a backend that cannot)
     * @param hift          the HiFT vocoder (always float32); null for CosyVoice2
     * @param cosyVoice2Flow CosyVoice2's flow (in {@code flowPrecision}); null for CosyVoice3
     * @param cosyVoice2Hift CosyVoice2's non-causal HiFT; null for CosyVoice3
     */
    public record Parts(Qwen2Tokenizer tokenizer, CosyVoice3LM llm, FlowModel flow, Precision flowPrecision,
                        CausalHiftGenerator hift, CausalMaskedDiffWithXvec cosyVoice2Flow, HiftGenerator cosyVoice2Hift) {
        /** Whether the flow really runs in reduced precision. */
        public boolean flowReduced() { return flowPrecision != Precision.F32; }
    }

    /** The loaded parts, see {@link Parts}. */
    public Parts parts() {
        return new Parts(tokenizer, llm, flow, flowPrecision, hift, cosyVoice2 == null ? null : cosyVoice2.flow(),
                cosyVoice2 == null ? null : cosyVoice2.hift());
    }

    Qwen2Tokenizer tokenizer() { return tokenizer; }
    TextFrontend textFrontend() { return textFrontend; }
    AudioFrontend frontend() { return frontend; }
    CosyVoice3LM llm() { return llm; }
    FlowModel flow() { return flow; }
    CausalHiftGenerator hift() { return hift; }
    /** CosyVoice2's flow and vocoder, or null (CosyVoice3). */
    CosyVoice2Model cosyVoice2() { return cosyVoice2; }
    ExecutorService workers() { return workers; }

    VoiceFlowCache voiceFlowCache() { return voiceFlowCache; }

    DitCachePool ditCaches() { return ditCaches; }

    /** Saved voices whose prompt-region flow state is kept, and its memory in bytes. */
    public record VoiceCacheStats(int voices, long bytes) {}

    public VoiceCacheStats voiceCacheStats() { return new VoiceCacheStats(voiceFlowCache.size(), voiceFlowCache.bytes()); }

    /**
     * Memory of the unconditional CFG row's first step kept for streaming calls: a constant of the model, computed as
     * frames are first needed (bounded; see {@code UncondFirstStep}).
     */
    public long uncondFirstStepBytes() { return flow == null ? 0 : flow.decoder().uncondFirstStepBytes(); }

    /** Memory of the streaming DiT caches waiting between utterances (at most two; kept to avoid re-allocating them). */
    public long idleStreamCacheBytes() { return ditCaches.idleBytes(); }

    @Override
    public void close() {
        if (workers != null) workers.shutdownNow();
        closeResources();
    }

    private void closeResources() {
        synchronized (resources) {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try { resources.get(i).close(); } catch (Exception ignored) { /* best effort on shutdown */ }
            }
            resources.clear();
        }
        if (backend != null) backend.close();
    }

    private static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }
}
