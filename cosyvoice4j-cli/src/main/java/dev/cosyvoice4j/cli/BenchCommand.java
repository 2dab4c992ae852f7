package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.bench.Baseline;
import dev.cosyvoice4j.bench.BenchClock;
import dev.cosyvoice4j.bench.BenchEnvironment;
import dev.cosyvoice4j.bench.BenchGrid;
import dev.cosyvoice4j.bench.BenchReport;
import dev.cosyvoice4j.bench.BenchRunner;
import dev.cosyvoice4j.bench.BenchTargetProvider;
import dev.cosyvoice4j.bench.Comparison;
import dev.cosyvoice4j.bench.JsonReport;
import dev.cosyvoice4j.bench.MarkdownReport;
import dev.cosyvoice4j.bench.MemoryStats;
import dev.cosyvoice4j.bench.RunResult;
import dev.cosyvoice4j.bench.SvgChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * {@code bench}: end-to-end speed, latency and memory of zero-shot synthesis, over a parameter grid; with
 * {@code --server URL}, latency and throughput of a running speech server under concurrent load instead.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark zero-shot synthesis: FTL, RTF, throughput, stage breakdown, load time, peak memory.",
                "List options take comma lists and expand to a grid (e.g. --threads 1,2 --stream on,off = 4 runs).",
                "Writes bench.md (the seed report's shape), bench.json and bench-stages.svg to --out.",
                "With --server URL: drives a running server (closed loop, --concurrency clients per level) and reports",
                "p50/p95 time to first audio, RTF, audio seconds per second and errors (bench.md, bench.json, bench-server.svg)."},
        footer = {"", "Examples:",
                "  cosyvoice4j make-synthetic --out /tmp/cv3-synthetic",
                "  cosyvoice4j bench --model /tmp/cv3-synthetic --threads 2 --out bench-results \\",
                "      --compare ../shared/docs/peer-bench-cpu.json",
                "  cosyvoice4j bench --model /tmp/cv3-synthetic --threads 1,2 --stream on,off --iterations 5 --out grid",
                "  cosyvoice4j bench --server http://127.0.0.1:8080 --concurrency 1,2,4,8 --requests 8 --out server-results"})
public final class BenchCommand implements Callable<Integer> {
    static final String DEFAULT_TEXT = "The quick brown fox jumps over the lazy dog. Performance optimization is the key to a better user experience.";
    static final String DEFAULT_PROMPT_WAV = "src/test/resources/fixtures/golden/inputs/zero_shot_prompt.wav";
    static final String DEFAULT_PROMPT_TEXT = "You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。";
    static final String MARKDOWN = "bench.md", JSON = "bench.json", SVG = "bench-stages.svg";
    /** Options of the in-process engine runs (refused with --server: the server decides these itself). */
    static final List<String> IN_PROCESS_ONLY = List.of("--model", "--prompt-wav", "--prompt-text", "--iterations", "--stream",
            "--tokens", "--threads", "--backend", "--precision", "--cache-dir", "--target", "--compare", "--speaker", "--stream-cache", "--first-chunk");

    @Spec
    CommandSpec spec;

    @Mixin
    ServerBenchOptions serverOptions = new ServerBenchOptions();

    @Option(names = "--model", description = "Model directory (official layout; e.g. from make-synthetic) or model id (owner/name); "
            + "required without --server.")
    String model;

    @Mixin
    HubFlags hubFlags = new HubFlags();

    @Option(names = "--text", defaultValue = DEFAULT_TEXT, description = "Text to synthesise (default: the seed report's sentence).")
    String text;

    @Option(names = "--prompt-wav", description = "Prompt recording (default: " + DEFAULT_PROMPT_WAV + ").")
    Path promptWav;

    @Option(names = "--prompt-text", defaultValue = DEFAULT_PROMPT_TEXT,
            description = "Prompt transcript, CosyVoice3 style with <|endofprompt|> (default: the official zero-shot example's).")
    String promptText;

    @Option(names = "--iterations", defaultValue = "3", description = "Measured iterations per run (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "1", description = "Unmeasured warm-up iterations per run; with --server, warm-up requests before the first level (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--stream", defaultValue = "on", description = "Streaming: on, off or on,off (default ${DEFAULT-VALUE}).")
    String stream;

    @Option(names = "--speaker", defaultValue = "new", description = "Prompt voice: new (analysed at every request), "
            + "saved (analysed once and saved, its prompt-region flow state kept, as a server does) or saved,new (default ${DEFAULT-VALUE}).")
    String speaker;

    @Option(names = "--stream-cache", defaultValue = "on", description = "Streaming reuse: on (DiT caches, official "
            + "last chunk), causal (chunk-causal last chunk, a deviation), off (recompute every chunk); list allowed (default ${DEFAULT-VALUE}).")
    String streamCache;

    @Option(names = "--first-chunk", defaultValue = "auto", description = "First streamed chunk: official (25 + pad "
            + "tokens), split (the prompt pad's tokens first, then the rest: same samples, sooner first audio; needs the "
            + "caches) or auto (split when the utterance is expected to reach the official first chunk: with --tokens "
            + "pinned, when they do); list allowed (default ${DEFAULT-VALUE}).")
    String firstChunk;

    @Option(names = "--tokens", defaultValue = "70",
            description = "Speech tokens to generate, pinned (25 = 1 s of audio; 0 = stop naturally); list allowed (default ${DEFAULT-VALUE}).")
    String tokens;

    @Option(names = "--threads", description = "Compute threads; list allowed (default: all logical cores).")
    String threads;

    @Option(names = "--backend", defaultValue = "cpu", description = "Backend(s) of './cosyvoice4j backends'; list allowed (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--precision", defaultValue = "fp32", description = "Precision name(s) passed to the target (default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--seed", defaultValue = "1986", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cache-dir", description = "Keep q8_0/q4_0 LLM weights in this directory between loads (as synth "
            + "does by default; the first load quantises and writes them, later loads map them). Default: quantise at "
            + "every load.")
    Path cacheDir;

    @Option(names = "--target", defaultValue = "engine", description = "Benchmark target (default ${DEFAULT-VALUE}: the synthesis engine).")
    String target;

    @Option(names = "--out", description = "Directory for bench.md, bench.json and bench-stages.svg (bench-server.svg with --server); without it the Markdown goes to stdout.")
    Path out;

    @Option(names = "--compare", description = "Earlier bench.json of ours, or peer-bench-cpu.json of the official stack, to put side by side.")
    Path compare;

    @Override
    public Integer call() throws Exception {
        ParseResult parsed = spec.commandLine().getParseResult();
        if (serverOptions.active()) {
            List<String> refused = IN_PROCESS_ONLY.stream().filter(parsed::hasMatchedOption).toList();
            if (!refused.isEmpty()) {
                throw new UserException(String.join(", ", refused) + ": only for in-process runs, not with --server (the server's own"
                        + " options choose model, threads, backend and precision; use --requests for --iterations and"
                        + " --voice or --ref-wav/--ref-text for the prompt)");
            }
            return serverOptions.run(text, seed, warmup, out);
        }
        List<String> serverOnly = ServerBenchOptions.SERVER_ONLY.stream().filter(parsed::hasMatchedOption).toList();
        if (!serverOnly.isEmpty()) throw new UserException(String.join(", ", serverOnly) + ": only with --server URL");
        if (model == null) throw new UserException("--model: required (or --server URL to benchmark a running server)");
        Path modelDir = hubFlags.locator(false).resolve(model);
        Path wav = promptWav != null ? promptWav : ProjectFiles.find(DEFAULT_PROMPT_WAV);
        if (wav == null || !Files.isRegularFile(wav)) {
            throw new UserException("--prompt-wav: '" + (promptWav != null ? promptWav : DEFAULT_PROMPT_WAV) + "' does not exist");
        }
        if (promptText.equals(DEFAULT_PROMPT_TEXT) && Files.isDirectory(modelDir)
                && dev.cosyvoice4j.config.ModelFamily.detect(modelDir) == dev.cosyvoice4j.config.ModelFamily.COSYVOICE2) {
            promptText = DEFAULT_PROMPT_TEXT.substring(DEFAULT_PROMPT_TEXT.indexOf(">") + 1);   // CosyVoice2: the plain transcript
        }
        List<Baseline> baselines = null;
        if (compare != null) {
            if (!Files.isRegularFile(compare)) throw new UserException("--compare: '" + compare + "' does not exist");
            baselines = Baseline.read(compare); // before the (long) run: a bad file fails fast
        }
        List<BenchGrid.Point> points = BenchGrid.expand(modelDir,
                BenchGrid.strings("--backend", backend), BenchGrid.strings("--precision", precision),
                BenchGrid.ints("--threads", threads != null ? threads : String.valueOf(Runtime.getRuntime().availableProcessors()), 1),
                BenchGrid.strings("--stream-cache", streamCache), BenchGrid.strings("--first-chunk", firstChunk), text, wav,
                promptText, BenchGrid.onOff("--stream", stream),
                BenchGrid.ints("--tokens", tokens, 0), BenchGrid.strings("--speaker", speaker), seed);
        if (cacheDir != null) {
            points = points.stream().map(p -> new BenchGrid.Point(p.setup().withQuantCacheDir(cacheDir), p.benchCase())).toList();
        }
        BenchTargetProvider provider = provider(target);
        System.err.printf(Locale.ROOT, "bench: %d run(s) x (%d warm-up + %d iterations), target '%s'%n", points.size(), warmup, iterations, provider.name());

        List<RunResult> runs = new BenchRunner(BenchClock.system(), MemoryStats.Probe.system(), System.err)
                .run(provider, points, warmup, iterations);
        Comparison cmp = baselines == null ? null : Comparison.of(runs, baselines, compare.toString());
        BenchReport report = new BenchReport(BenchEnvironment.capture(), runs, cmp);
        if (out == null) {
            System.out.print(MarkdownReport.write(report, null));
        } else {
            write(report, out);
            System.out.println("wrote " + out.resolve(MARKDOWN) + ", " + out.resolve(JSON) + ", " + out.resolve(SVG));
        }
        return 0;
    }

    /** Writes the three report files into {@code dir}. */
    static void write(BenchReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKDOWN), MarkdownReport.write(report, SVG));
        Files.writeString(dir.resolve(JSON), JsonReport.write(report));
        Files.writeString(dir.resolve(SVG), SvgChart.write(report));
    }

    /** The registered provider called {@code name}; a clear error when there is none (e.g. no engine yet). */
    static BenchTargetProvider provider(String name) {
        List<String> names = new ArrayList<>();
        for (BenchTargetProvider p : ServiceLoader.load(BenchTargetProvider.class)) {
            if (p.name().equals(name)) return p;
            names.add(p.name());
        }
        throw new UserException("--target: no benchmark target '" + name + "' in this build"
                + (name.equals("engine") ? " (the synthesis engine is not wired to the benchmark yet: an EngineBenchTarget"
                + " must implement dev.cosyvoice4j.bench.BenchTargetProvider and be listed in"
                + " META-INF/services/dev.cosyvoice4j.bench.BenchTargetProvider)" : "")
                + "; available: " + (names.isEmpty() ? "none" : String.join(", ", names)));
    }
}
