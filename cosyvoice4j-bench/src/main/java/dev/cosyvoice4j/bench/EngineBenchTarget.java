package dev.cosyvoice4j.bench;

import dev.cosyvoice4j.backend.cpu.Roofline;
import dev.cosyvoice4j.engine.AudioChunk;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.engine.FirstChunk;
import dev.cosyvoice4j.engine.PrecisionMode;
import dev.cosyvoice4j.engine.Mode;
import dev.cosyvoice4j.engine.Session;
import dev.cosyvoice4j.engine.StageTimings;
import dev.cosyvoice4j.engine.StreamingOptions;
import dev.cosyvoice4j.engine.SynthesisRequest;
import dev.cosyvoice4j.engine.SynthesisStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The engine as a {@link BenchTarget}: one zero-shot request per iteration through the public API, every chunk
 * recorded when the caller receives it (so FTL is what a user of {@link SynthesisStream} sees), stage totals from
 * the request's {@link StageTimings}.
 *
 * <p>Precision names: {@code fp32} (parity), {@code q8_0} / {@code q4_0} (LLM weights), optionally followed by
 * {@code +bf16} (flow matmuls through oneDNN), e.g. {@code q8_0+bf16}.
 */
public final class EngineBenchTarget implements BenchTarget {
    /** Load details / counters the report's roofline section reads. */
    static final String ROOFLINE_GFLOPS = "roofline_fp32_gflops", ROOFLINE_GBS = "roofline_read_gbs",
            FLOW_FLOP = "flow_flop", DECODE_WEIGHT_BYTES = "decode_weight_bytes", FLOW_COMPUTED_FRAMES = "flow_computed_frames",
            FLOW_CACHED_FRAMES = "flow_cached_frames", FLOW_UNCOND_FIRST_STEP_FRAMES = "flow_uncond_first_step_frames",
            UNCOND_FIRST_STEP_BYTES = "uncond_first_step_bytes", FLOW_CACHE_BYTES = "flow_cache_bytes", VOICE_CACHE_BYTES = "voice_cache_bytes";
    /** The saved voice of {@code --speaker saved}. */
    private static final String BENCH_SPEAKER = "bench";
    private Path speakerDir;
    private boolean voiceSaved;
    private final BenchSetup setup;
    private final Roofline roofline;
    private Engine engine;

    /** Measures this machine's limits first (not part of the timed load). */
    public EngineBenchTarget(BenchSetup setup) {
        this.setup = setup;
        this.roofline = Roofline.measure(setup.threads());
    }

    /** The engine options of a bench setup: its backend, threads, precision mode and quantised-weight cache. */
    static EngineOptions options(BenchSetup setup) {
        StreamingOptions streaming = switch (setup.streamCache()) {
            case "off" -> StreamingOptions.recompute();
            case "causal" -> StreamingOptions.defaults().withCausalFinalChunk(true);
            default -> StreamingOptions.defaults();
        };
        streaming = streaming.withFirstChunk(FirstChunk.parse(setup.firstChunk()));
        EngineOptions o = EngineOptions.defaults().withBackend(setup.backend()).withThreads(setup.threads())
                .withQuantCacheDir(setup.quantCacheDir()).withStreaming(streaming);
        try {
            return PrecisionMode.parse(setup.precision()).apply(o);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--precision: " + e.getMessage());
        }
    }

    @Override
    public LoadInfo load() {
        try {
            speakerDir = Files.createTempDirectory("cosyvoice4j-bench-voices");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        engine = Engine.load(setup.modelDir(), options(setup).withSpeakerDir(speakerDir));
        Engine.LoadTimings t = engine.loadTimings();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("load_tokenizer_ms", fmt(t.tokenizerMs()));
        details.put("load_frontend_ms", fmt(t.frontendMs()));
        details.put("load_llm_ms", fmt(t.llmMs()));
        details.put("load_flow_ms", fmt(t.flowMs()));
        details.put("load_hift_ms", fmt(t.hiftMs()));
        details.put("kernels", engine.kernelsDescription());
        details.put("llm_weights", engine.llmWeightSource());
        details.put(ROOFLINE_GFLOPS, fmt(roofline.peakGflops(setup.threads())));
        details.put(ROOFLINE_GBS, fmt(roofline.readGBs(setup.threads())));
        return new LoadInfo(engine.sampleRateHz(), setup.backend(), setup.precision(), details);
    }

    @Override
    public void run(BenchCase c, TraceRecorder rec) {
        SynthesisRequest.Builder b = SynthesisRequest.builder(Mode.ZERO_SHOT).text(c.text()).stream(c.stream())
                .seed(c.seed()).pinnedTokens(c.speechTokens()).textFrontend(false);
        if (c.speaker().equals(BenchCase.SAVED_SPEAKER)) {
            if (!voiceSaved) {                                   // analysed once, before the first (warm-up) iteration
                try {
                    engine.speakers().save(BENCH_SPEAKER, engine.analyzeVoice(c.promptWav(), c.promptText()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                voiceSaved = true;
            }
            b.speakerId(BENCH_SPEAKER).promptText(c.promptText());
        } else {
            b.promptText(c.promptText()).promptWav(c.promptWav());
        }
        SynthesisRequest request = b.build();
        try (Session session = engine.openSession(); SynthesisStream audio = session.synthesize(request)) {
            while (audio.hasNext()) {
                AudioChunk chunk = audio.next();
                if (chunk.samples().length > 0) rec.chunk(chunk.samples().length);
            }
            StageTimings t = audio.timings();
            rec.stage(Stage.FRONTEND, t.frontendNanos.sum());
            rec.stage(Stage.LLM_PREFILL, t.llmPrefillNanos.sum());
            rec.stageTotal(Stage.LLM_DECODE, t.llmDecodeNanos.sum(), t.llmDecodeTokens.sum());
            rec.stageTotal(Stage.FLOW, t.flowNanos.sum(), t.flowCalls.sum());
            rec.stageTotal(Stage.FLOW_STEP, t.flowNanos.sum(), t.flowSteps.sum());
            rec.stageTotal(Stage.HIFT, t.vocoderNanos.sum(), t.vocoderCalls.sum());
            rec.count(FLOW_FLOP, t.flowFlop.sum());
            rec.count(DECODE_WEIGHT_BYTES, engine.decodeStepWeightBytes());
            rec.count(FLOW_COMPUTED_FRAMES, t.flowComputedFrames.sum());
            rec.count(FLOW_CACHED_FRAMES, t.flowCachedFrames.sum());
            rec.count(FLOW_UNCOND_FIRST_STEP_FRAMES, t.flowUncondFirstStepFrames.sum());
            rec.count(UNCOND_FIRST_STEP_BYTES, engine.uncondFirstStepBytes());
            rec.count(FLOW_CACHE_BYTES, t.flowCacheBytes.get());
            rec.count(VOICE_CACHE_BYTES, engine.voiceCacheStats().bytes());
        }
    }

    @Override
    public void close() {
        if (engine != null) engine.close();
        if (speakerDir != null) {
            try (var files = Files.walk(speakerDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory: best effort
            }
        }
    }

    private static String fmt(double ms) { return String.format(Locale.ROOT, "%.1f", ms); }

    /** Registered as the default target, {@code --target engine}. */
    public static final class Provider implements BenchTargetProvider {
        @Override public String name() { return "engine"; }

        @Override public BenchTarget create(BenchSetup setup) { return new EngineBenchTarget(setup); }
    }
}
