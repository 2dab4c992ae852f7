package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.engine.PrecisionMode;
import dev.cosyvoice4j.quality.QualityReport;
import dev.cosyvoice4j.quality.QualityRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code quality}: speed and deviation from float32 of the reduced-precision modes (LLM Q8_0/Q4_0, flow bf16). */
@Command(name = "quality", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure each precision mode against float32 on fixed inputs:",
                "teacher-forced LLM logits (errors, top-1 / top-k agreement), greedy tokens,",
                "one flow mel and its waveform (errors, cosine), and speed.",
                "With --golden: golden e2e/zero_shot's inputs, and whether its argmax tokens survive."},
        footer = {"", "Examples:",
                "  cosyvoice4j quality --golden src/test/resources/fixtures/golden",
                "  cosyvoice4j make-synthetic --out /tmp/cv3-synth",
                "  cosyvoice4j quality --model /tmp/cv3-synth --modes fp32,q8_0,q4_0,bf16 --out quality.md"})
public final class QualityCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model directory or model id (owner/name) (default with --golden: the model its manifest names).")
    String modelArg;

    @picocli.CommandLine.Mixin
    HubFlags hubFlags = new HubFlags();

    @Option(names = "--golden", description = "Golden manifest directory: use e2e/zero_shot's inputs and check its argmax tokens.")
    Path golden;

    @Option(names = "--modes", defaultValue = PrecisionMode.DEFAULT_MODES,
            description = "Comma list of modes: fp32, q8_0, q4_0, bf16 or combinations like q8_0+bf16 (default ${DEFAULT-VALUE}).")
    String modes;

    @Option(names = "--prompt-wav", description = "Prompt recording without --golden (default: " + BenchCommand.DEFAULT_PROMPT_WAV + ").")
    Path promptWav;

    @Option(names = "--prompt-text", defaultValue = BenchCommand.DEFAULT_PROMPT_TEXT, description = "Prompt transcript without --golden.")
    String promptText;

    @Option(names = "--text", defaultValue = "Good morning, how are you today?", description = "Text without --golden (default: '${DEFAULT-VALUE}').")
    String text;

    @Option(names = "--tokens", defaultValue = "24",
            description = "Without --golden: greedy fp32 tokens (stop ids masked) to teacher-force and give the flow (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--repeat", defaultValue = "3", description = "Timed runs per measurement; the best is reported (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @picocli.CommandLine.Mixin
    OneDnnOption oneDnn = new OneDnnOption();

    @Option(names = "--backend", defaultValue = Backends.DEFAULT,
            description = "Where to compute: a backend of './cosyvoice4j backends' (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--final-chunk", description = "'causal': also measure the chunk-causal last chunk of streaming (--stream-cache "
            + "causal) against the official one, in fp32, on an utterance of --tokens speech tokens (at least 200).")
    String finalChunk;

    @Option(names = "--out", description = "Also write the Markdown report to this file.")
    Path out;

    /** The {@code --final-chunk causal} section: fp32 argmax tokens (stop ids masked), streamed both ways. */
    private String finalChunkSection(QualityRunner runner, QualityRunner.Inputs in) {
        if (!finalChunk.equals("causal")) throw new UserException("--final-chunk: 'causal' is the only alternative measured");
        return runner.finalChunk(in, Math.max(200, in.tokens())).markdown();
    }

    @Override
    public Integer call() throws Exception {
        if (modelArg == null && golden == null) throw new UserException("--model or --golden is needed");
        if (golden != null && !Files.exists(golden)) throw new UserException("--golden: '" + golden + "' does not exist");
        if (repeat < 1) throw new UserException("--repeat must be >= 1");
        if (threads != null && threads < 1) throw new UserException("--threads must be >= 1");
        Path model = modelArg == null ? null : hubFlags.locator(false).resolve(modelArg);
        List<PrecisionMode> list;
        try {
            list = PrecisionMode.parseList(modes);
        } catch (IllegalArgumentException e) {
            throw new UserException("--modes: " + e.getMessage());
        }
        QualityRunner.Inputs inputs;
        if (golden != null) {
            inputs = QualityRunner.goldenInputs(golden, model);
            if (model != null && !model.toAbsolutePath().normalize().equals(inputs.golden().modelDir().toAbsolutePath().normalize())) {
                System.err.println("quality: note: the golden tokens were made with " + inputs.golden().modelDir() + ", not " + model);
            }
        } else {
            if (tokens < 2) throw new UserException("--tokens must be >= 2");
            Path wav = promptWav != null ? promptWav : ProjectFiles.find(BenchCommand.DEFAULT_PROMPT_WAV);
            if (wav == null || !Files.isRegularFile(wav)) {
                throw new UserException("--prompt-wav: '" + (promptWav != null ? promptWav : BenchCommand.DEFAULT_PROMPT_WAV) + "' does not exist");
            }
            inputs = new QualityRunner.Inputs(model, wav, promptText, text, tokens, null);
        }
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        QualityRunner runner = new QualityRunner(backend, oneDnn.apply(BackendOptions.defaults().withThreads(n)), repeat,
                msg -> System.err.println("quality: " + msg));
        QualityReport report = runner.run(inputs, list);
        String md = report.markdown();
        if (finalChunk != null) md += finalChunkSection(runner, inputs);
        System.out.print(md);
        if (out != null) {
            if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, md);
            System.err.println("quality: wrote " + out);
        }
        return 0;
    }
}
