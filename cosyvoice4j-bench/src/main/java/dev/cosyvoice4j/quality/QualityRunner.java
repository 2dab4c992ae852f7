package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.PrecisionMode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.bench.BenchEnvironment;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.engine.Mode;
import dev.cosyvoice4j.engine.Session;
import dev.cosyvoice4j.engine.SynthesisRequest;
import dev.cosyvoice4j.engine.Voice;
import dev.cosyvoice4j.engine.VoicePrompt;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenManifest;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.quality.QualityReport.FlowPart;
import dev.cosyvoice4j.quality.QualityReport.GoldenE2e;
import dev.cosyvoice4j.quality.QualityReport.LlmPart;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures reduced-precision modes against float32 on fixed inputs (the {@code quality} command): loads the
 * float32 engine and one engine per mode through {@link Engine#load(Path, EngineOptions)}, and compares
 * teacher-forced LLM logits, argmax tokens, one flow mel and its waveform, and (with goldens) the golden
 * {@code e2e/zero_shot} tokens and waveform. Each LLM precision and each flow precision is measured once.
 */
public final class QualityRunner {
    /** The golden case whose inputs and argmax tokens are used with {@code --golden}. */
    public static final String GOLDEN_CASE = "e2e/zero_shot";

    /**
     * What to run on.
     *
     * @param tokens pinned greedy tokens to teacher-force without goldens (with goldens: the golden tokens)
     * @param golden the golden case's expectations, or null
     */
    public record Inputs(Path modelDir, Path promptWav, String promptText, String text, int tokens, Golden golden) {
        public Inputs {
            if (golden == null && tokens < 2) throw new IllegalArgumentException("--tokens must be >= 2, got " + tokens);
        }
    }

    /** {@code e2e/zero_shot} of a golden manifest: its argmax tokens, flow tokens and waveform. */
    public record Golden(Path manifestDir, Path modelDir, int[] llmTokens, int[] flowTokens, float[] ttsSpeech) {}

    /** The inputs of the golden {@link #GOLDEN_CASE} (its prompt, text and expectations), on {@code modelOrNull} or the manifest's model. */
    public static Inputs goldenInputs(Path goldenDir, Path modelOrNull) {
        GoldenManifest m = GoldenManifest.read(goldenDir);
        GoldenCase c = m.byId(GOLDEN_CASE);
        JsonNode in = c.inputs();
        Golden g = new Golden(m.dir(), m.modelDir(), ints(c.output("llm_tokens")), ints(c.output("flow_tokens")),
                c.outputTensor("tts_speech").toFloatArray());
        if (GoldenManifest.COSYVOICE2.equals(m.modelFamily())) {
            // golden-cv2 records the ids (the texts are their decoding) and takes the prompt from inputs/
            var tok = dev.cosyvoice4j.text.Qwen2Tokenizer.forModelDir(m.modelDir());
            return new Inputs(modelOrNull != null ? modelOrNull : m.modelDir(), c.dir().resolve("inputs/zero_shot_prompt.wav"),
                    tok.decode(ints(in.get("prompt_text_ids")), false), tok.decode(ints(in.get("text_ids")), false),
                    g.llmTokens().length, g);
        }
        return new Inputs(modelOrNull != null ? modelOrNull : m.modelDir(), c.dir().resolve(in.get("prompt_wav").get("file").asText()),
                in.get("prompt_text").asText(), in.get("tts_text").asText(), g.llmTokens().length, g);
    }

    private final String backend;
    private final BackendOptions backendOptions;
    private final int repeats;
    private final Consumer<String> log;

    /**
     * @param threads compute threads of every engine
     * @param repeats timed runs per measurement (the best is reported; the first also gives the values compared)
     * @param log     progress lines
     */
    public QualityRunner(int threads, int repeats, Consumer<String> log) {
        this(dev.cosyvoice4j.backend.Backends.DEFAULT, BackendOptions.defaults().withThreads(threads), repeats, log);
    }

    /** Compares the modes on the backend called {@code backend}. */
    public QualityRunner(String backend, BackendOptions backendOptions, int repeats, Consumer<String> log) {
        this.backend = backend;
        this.backendOptions = backendOptions;
        if (repeats < 1) throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        this.repeats = repeats;
        this.log = log;
    }

    /** The fixed inputs derived once from the float32 engine. */
    private record Fixed(LmInput lmInput, int[] tokens, String tokenSource, int[] flowTokens, VoicePrompt prompt,
                         float[][] refLogits, float[] refMel, float[] refWav) {}

    public QualityReport run(Inputs in, List<PrecisionMode> modes) {
        if (modes.isEmpty()) throw new IllegalArgumentException("no modes to measure");
        EngineOptions base = EngineOptions.defaults().withBackend(backend).withBackendOptions(backendOptions);
        Map<String, LlmPart> llm = new java.util.HashMap<>();           // by PrecisionMode.llmLabel()
        Map<Precision, FlowPart> flow = new EnumMap<>(Precision.class);
        List<QualityReport.Row> rows = new ArrayList<>();
        log.accept("loading the fp32 engine from " + in.modelDir());
        try (Engine ref = Engine.load(in.modelDir(), base)) {
            Engine.Parts p = ref.parts();
            Voice voice = ref.analyzeVoice(in.promptWav(), in.promptText());
            LmInput lmInput = p.llm().lmInput(LmPrompt.zeroShot(p.tokenizer().encode(in.promptText()),
                    p.tokenizer().encode(in.text()), voice.features().speechTokens()));
            int pinned = in.golden() == null ? in.tokens() : 0;
            log.accept("fp32: argmax tokens");
            int[] refArgmax = Probes.argmaxTokens(p.llm(), lmInput, pinned);
            int[] tokens = in.golden() != null ? in.golden().llmTokens() : refArgmax;
            String source = in.golden() != null ? "golden `" + GOLDEN_CASE + "` llm_tokens" : "fp32 greedy, stop ids masked";
            if (tokens.length < 2) throw new IllegalStateException("need at least 2 tokens to teacher-force, have " + tokens.length);
            int[] flowTokens = in.golden() != null ? in.golden().flowTokens() : tokens;
            Fixed f = new Fixed(lmInput, tokens, source, flowTokens, voice.flowPrompt(), null, null, null);

            log.accept("fp32: LLM x" + repeats);
            Measured<Probes.TeacherForced> tf = teacherForced(p, null, f);
            log.accept("fp32: flow x" + repeats);
            Measured<Probes.FlowRun> fr = flow(p, null, f);
            float[] refWav = Probes.vocoder(p, fr.first());
            f = new Fixed(lmInput, tokens, source, flowTokens, voice.flowPrompt(), tf.first().logits(), fr.first().mel(), refWav);
            llm.put(PrecisionMode.FP32.llmLabel(), new LlmPart(Precision.F32, Precision.F32, tf.bestPrefillMs, tf.bestMs, tf.refBestMs, tf.runToRun, p.llm().decodeStepWeightBytes(),
                    LogitComparison.of(tf.first().logits(), tf.first().logits()), refArgmax));
            flow.put(Precision.F32, new FlowPart(Precision.F32, false, "fp32 (Java)", fr.bestMs, fr.refBestMs, fr.runToRun,
                    SignalComparison.of(fr.first().mel(), fr.first().mel()), SignalComparison.ofWaveform(refWav, refWav),
                    SignalComparison.ofWaveform(refWav, refWav)));

            for (PrecisionMode mode : modes) {
                boolean needLlm = !llm.containsKey(mode.llmLabel()), needFlow = !flow.containsKey(mode.flow());
                GoldenE2e golden = null;
                if (mode.isFp32()) {
                    if (in.golden() != null) golden = goldenE2e(ref, f, in);
                } else if (needLlm || needFlow || in.golden() != null) {
                    log.accept("loading the " + mode.name() + " engine");
                    try (Engine e = Engine.load(in.modelDir(), mode.apply(base))) {
                        Engine.Parts mp = e.parts();
                        if (needLlm) llm.put(mode.llmLabel(), llmPart(mode, mp, p, f, pinned));
                        if (needFlow) flow.put(mode.flow(), flowPart(mode, mp, p, f));
                        if (in.golden() != null) golden = goldenE2e(e, f, in);
                    }
                }
                rows.add(new QualityReport.Row(mode, llm.get(mode.llmLabel()), flow.get(mode.flow()), golden));
            }
            QualityReport.Setup setup = new QualityReport.Setup(in.modelDir(), in.promptWav(), in.promptText(), in.text(),
                    lmInput.rows(), p.llm().vocabSize(), tokens, source, flowTokens.length, f.prompt().promptFrames(),
                    fr.first().frames(), backendOptions.threads(), repeats, in.golden() == null ? null : in.golden().manifestDir());
            return new QualityReport(BenchEnvironment.capture(), setup, llm.get(PrecisionMode.FP32.llmLabel()), flow.get(Precision.F32), rows);
        }
    }

    /**
     * The chunk-causal last chunk against the official one ({@link FinalChunkQuality}) in float32, on the fp32 argmax
     * tokens of the inputs (stop ids masked, {@code tokens} of them: enough for several chunks).
     */
    public FinalChunkQuality finalChunk(Inputs in, int tokens) {
        log.accept("fp32: streaming with the chunk-causal last chunk");
        try (Engine e = Engine.load(in.modelDir(), EngineOptions.defaults().withBackend(backend).withBackendOptions(backendOptions))) {
            Engine.Parts p = e.parts();
            Voice voice = e.analyzeVoice(in.promptWav(), in.promptText());
            LmInput lmInput = p.llm().lmInput(LmPrompt.zeroShot(p.tokenizer().encode(in.promptText()),
                    p.tokenizer().encode(in.text()), voice.features().speechTokens()));
            return FinalChunkQuality.measure(p, Probes.argmaxTokens(p.llm(), lmInput, tokens), voice.flowPrompt());
        }
    }

    private LlmPart llmPart(PrecisionMode mode, Engine.Parts p, Engine.Parts ref, Fixed f, int pinned) {
        log.accept(mode.name() + ": LLM x" + repeats + ", alternating with fp32");
        Measured<Probes.TeacherForced> tf = teacherForced(p, ref, f);
        int[] argmax = Probes.argmaxTokens(p.llm(), f.lmInput(), pinned);
        return new LlmPart(mode.llm(), mode.llmPrefill(), tf.bestPrefillMs, tf.bestMs, tf.refBestMs, tf.runToRun, p.llm().decodeStepWeightBytes(),
                LogitComparison.of(tf.first().logits(), f.refLogits()), argmax);
    }

    private FlowPart flowPart(PrecisionMode mode, Engine.Parts p, Engine.Parts ref, Fixed f) {
        log.accept(mode.name() + ": flow x" + repeats + ", alternating with fp32");
        Measured<Probes.FlowRun> fr = flow(p, ref, f);
        float[] wav = Probes.vocoder(p, fr.first());
        SignalComparison mel = SignalComparison.of(fr.first().mel(), f.refMel());
        // The vocoder's own sensitivity: the fp32 mel plus white noise of the same rms as this mode's mel error.
        float[] noisy = f.refMel().clone();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        for (int i = 0; i < noisy.length; i++) noisy[i] += (float) (mel.rmsErr() * gaussian(rnd));
        float[] noisyWav = Probes.vocoder(p, new Probes.FlowRun(noisy, fr.first().frames(), 0));
        String kernels = p.flowReduced() ? mode.flow().label() + " (oneDNN)" : "fp32 (Java)";
        return new FlowPart(mode.flow(), p.flowReduced(), kernels, fr.bestMs, fr.refBestMs, fr.runToRun, mel,
                SignalComparison.ofWaveform(wav, f.refWav()), SignalComparison.ofWaveform(noisyWav, f.refWav()));
    }

    private GoldenE2e goldenE2e(Engine e, Fixed f, Inputs in) {
        int[] tokens = Probes.argmaxTokens(e.parts().llm(), f.lmInput(), 0);
        SynthesisRequest req = SynthesisRequest.builder(Mode.ZERO_SHOT).text(in.text()).promptText(in.promptText())
                .promptWav(in.promptWav()).argmax(true).textFrontend(false).build();
        float[] wav;
        try (Session s = e.openSession()) {
            wav = s.synthesizeAll(req);
        }
        float[] g = in.golden().ttsSpeech();
        return new GoldenE2e(tokens, in.golden().llmTokens(), wav.length, g.length,
                wav.length == g.length ? SignalComparison.ofWaveform(wav, g) : null);
    }

    /**
     * The first run's result, the best times over the repeats, the best time of the float32 runs made alternately
     * with them ({@code refBestMs}: on a shared machine the two see the same background load; without a reference
     * it is {@code bestMs}), and the largest difference of a repeat from the first run ({@code runToRun}; NaN with
     * one run): JIT recompilation changes the float evaluation order between runs, even on one thread.
     */
    private record Measured<T>(T first, double bestMs, double bestPrefillMs, double refBestMs, double runToRun) {}

    private Measured<Probes.TeacherForced> teacherForced(Engine.Parts p, Engine.Parts refOrNull, Fixed f) {
        Probes.TeacherForced first = null;
        double best = Double.POSITIVE_INFINITY, bestPrefill = Double.POSITIVE_INFINITY, refBest = Double.POSITIVE_INFINITY, spread = 0;
        Probes.teacherForced(p.llm(), f.lmInput(), f.tokens());      // untimed warm-up (JIT), cheap next to the flow
        for (int i = 0; i < repeats; i++) {
            if (refOrNull != null) refBest = Math.min(refBest, Probes.teacherForced(refOrNull.llm(), f.lmInput(), f.tokens()).decodeMsPerToken());
            Probes.TeacherForced r = Probes.teacherForced(p.llm(), f.lmInput(), f.tokens());
            if (first == null) first = r;
            else for (int s = 0; s < r.steps(); s++) spread = Math.max(spread, ErrorStats.maxAbs(r.logits()[s], first.logits()[s]));
            best = Math.min(best, r.decodeMsPerToken());
            bestPrefill = Math.min(bestPrefill, r.prefillNanos() / 1e6);
        }
        return new Measured<>(first, best, bestPrefill, refOrNull == null ? best : refBest, repeats > 1 ? spread : Double.NaN);
    }

    private Measured<Probes.FlowRun> flow(Engine.Parts p, Engine.Parts refOrNull, Fixed f) {
        Probes.FlowRun first = null;
        double best = Double.POSITIVE_INFINITY, refBest = Double.POSITIVE_INFINITY, spread = 0;
        for (int i = 0; i < repeats; i++) {
            if (refOrNull != null) refBest = Math.min(refBest, Probes.flow(refOrNull, f.flowTokens(), f.prompt()).ms());
            Probes.FlowRun r = Probes.flow(p, f.flowTokens(), f.prompt());
            if (first == null) first = r;
            else spread = Math.max(spread, ErrorStats.maxAbs(r.mel(), first.mel()));
            best = Math.min(best, r.ms());
        }
        return new Measured<>(first, best, Double.NaN, refOrNull == null ? best : refBest, repeats > 1 ? spread : Double.NaN);
    }

    /** A standard normal draw (Box-Muller). */
    private static double gaussian(java.util.SplittableRandom r) {
        return Math.sqrt(-2 * StrictMath.log(1 - r.nextDouble())) * StrictMath.cos(2 * Math.PI * r.nextDouble());
    }

    private static int[] ints(JsonNode arr) {
        int[] r = new int[arr.size()];
        for (int i = 0; i < r.length; i++) r[i] = arr.get(i).asInt();
        return r;
    }
}
