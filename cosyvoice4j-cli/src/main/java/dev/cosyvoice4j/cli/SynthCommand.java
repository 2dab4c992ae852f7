package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.audio.WavWriter;
import dev.cosyvoice4j.engine.AudioChunk;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.engine.Mode;
import dev.cosyvoice4j.engine.Session;
import dev.cosyvoice4j.engine.StageTimings;
import dev.cosyvoice4j.engine.SynthesisRequest;
import dev.cosyvoice4j.engine.SynthesisStream;
import dev.cosyvoice4j.engine.SystemPrompts;
import dev.cosyvoice4j.engine.TextInput;
import dev.cosyvoice4j.engine.Voice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code synth}: text (or a source recording) and a voice to a WAV file, in every official mode. */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Synthesise speech with a cloned voice (zero-shot, cross-lingual, instruct2) or re-voice a recording (vc).",
                "The mode follows from the options unless --mode is given: --source-wav = vc, --instruct = instruct2,",
                "--prompt-text (or a saved speaker with one) = zero-shot, otherwise cross-lingual."},
        footer = {"", "Examples:",
                "  cosyvoice4j synth --model DIR --prompt-wav me.wav --prompt-text 'You are a helpful assistant.<|endofprompt|>Transcript.' \\",
                "      --text 'Hello there.' --out hello.wav",
                "  cosyvoice4j synth --model DIR --prompt-wav me.wav --instruct 'You are a helpful assistant. Speak slowly.<|endofprompt|>' \\",
                "      --text 'Hello there.' --stream --out hello.wav",
                "  cosyvoice4j synth --model DIR --prompt-wav me.wav --source-wav other.wav --out converted.wav",
                "  my-llm | cosyvoice4j synth --model DIR --prompt-wav me.wav --prompt-text '...<|endofprompt|>Transcript.' \\",
                "      --text - --stream --out reply.wav      (text-in streaming: speaks each line as it arrives)"})
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = ModelLocator.DEFAULT_MODEL,
            description = "Model directory, or a model id (owner/name) found in the Hugging Face or ModelScope cache or "
                    + "downloaded on first use (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--mode", description = "zero-shot, cross-lingual, instruct2 or vc (default: from the options).")
    String mode;

    @Option(names = "--text", description = "Text to speak; '-' reads standard input line by line as it arrives and "
            + "speaks it while it is written (text-in streaming, zero-shot or instruct2 only).")
    String text;

    /** Where {@code --text -} reads from (a seam for tests). */
    static java.io.InputStream stdin = System.in;

    @Option(names = "--prompt-wav", description = "Recording of the voice to clone (WAV, <= 30 s).")
    Path promptWav;

    @Option(names = "--prompt-text", description = "Zero-shot: system prompt + <|endofprompt|> + transcript of --prompt-wav.")
    String promptText;

    @Option(names = "--instruct", description = "Instruct2: the instruction, ending in <|endofprompt|>.")
    String instruct;

    @Option(names = "--source-wav", description = "Voice conversion: the recording to re-voice.")
    Path sourceWav;

    @Option(names = "--speaker", description = "Use a saved voice instead of --prompt-wav.")
    String speaker;

    @Option(names = "--save-speaker", description = "Save the analysed --prompt-wav (and --prompt-text) under this id.")
    String saveSpeaker;


    @Option(names = "--out", required = true, description = "Output WAV file (written atomically), or '-': a 16-bit WAV "
            + "streamed to standard output as the audio is generated (sizes unknown: 0xFFFFFFFF, as streaming servers send it).")
    Path out;

    /** Where {@code --out -} writes (standard output; tests replace it). */
    static java.io.OutputStream stdout = System.out;

    @Option(names = "--float", description = "Write 32-bit float samples instead of 16-bit PCM.")
    boolean floatSamples;

    @Option(names = "--stream", description = "Stream: write audio while it is generated.")
    boolean stream;

    @Option(names = "--speed", defaultValue = "1.0", description = "Speech rate (offline only; default ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--argmax", description = "Greedy decoding instead of the official RAS sampling.")
    boolean argmax;

    @Option(names = "--tokens", defaultValue = "0",
            description = "Generate exactly this many speech tokens per segment, ignoring stop tokens (25 = 1 s; for "
                    + "benchmarks and tests with random weights; default 0 = the official stop rules).")
    int tokens;

    @Option(names = "--no-text-frontend", description = "Use the text as is (one segment, no normalisation).")
    boolean noTextFrontend;

    @picocli.CommandLine.Mixin
    EngineFlags engineFlags = new EngineFlags();

    @picocli.CommandLine.Mixin
    HubFlags hubFlags = new HubFlags();

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Mode m = resolveMode();
        checkArguments(m);
        boolean textStream = "-".equals(text);
        if (textStream && m != Mode.ZERO_SHOT && m != Mode.INSTRUCT2) {
            throw new UserException("--text -: text-in streaming needs a zero-shot (--prompt-text) or instruct2 (--instruct) voice, not " + m);
        }
        if (textStream && tokens != 0) throw new UserException("--tokens cannot be combined with --text -");
        EngineOptions options = engineFlags.options();
        Path dir = hubFlags.locator(quiet).resolve(model);
        applyDefaultSystemPrompt(m, java.nio.file.Files.isDirectory(dir) ? dev.cosyvoice4j.config.ModelFamily.detect(dir)
                : dev.cosyvoice4j.config.ModelFamily.COSYVOICE3);
        Progress progress = new Progress(quiet ? null : System.err);
        progress.say("loading " + dir);
        try (Engine engine = Engine.load(dir, options)) {
            progress.say(String.format(Locale.ROOT, "loaded in %.2f s", engine.loadTimings().totalMs() / 1000));
            if (saveSpeaker != null) {
                Voice v = engine.analyzeVoice(promptWav, promptText);
                engine.saveVoice(saveSpeaker, v);
                progress.say("saved speaker '" + saveSpeaker + "' to " + options.speakerDir());
            }
            SynthesisRequest request = SynthesisRequest.builder(m).text(text).promptText(promptText).instructText(instruct)
                    .promptWav(speaker == null ? promptWav : null).speakerId(speaker).sourceWav(sourceWav).speed(speed)
                    .seed(seed).argmax(argmax).stream(stream).textFrontend(!noTextFrontend).pinnedTokens(tokens).build();
            return write(engine, request, textStream, progress);
        }
    }

    /**
     * CosyVoice3 needs {@code <|endofprompt|>} after a system prompt; a bare transcript, instruction or cross-lingual
     * text gets the official default one, with a one-line notice (the library keeps the strict behaviour). CosyVoice2
     * has no system prompt (only an instruction gets {@code <|endofprompt|>} appended).
     */
    private void applyDefaultSystemPrompt(Mode m, dev.cosyvoice4j.config.ModelFamily family) {
        String p = SystemPrompts.promptText(family, promptText), i = SystemPrompts.instruction(family, instruct);
        String t = m == Mode.CROSS_LINGUAL ? SystemPrompts.crossLingualText(family, text) : text;
        boolean changed = !java.util.Objects.equals(p, promptText) || !java.util.Objects.equals(i, instruct) || !java.util.Objects.equals(t, text);
        if (changed && !quiet && family != dev.cosyvoice4j.config.ModelFamily.COSYVOICE2) {
            System.err.println("note: no " + SystemPrompts.END_OF_PROMPT + " given; using the official default system prompt '"
                    + SystemPrompts.DEFAULT + SystemPrompts.END_OF_PROMPT + "' (write your own before " + SystemPrompts.END_OF_PROMPT + " to change it)");
        }
        promptText = p;
        instruct = i;
        text = t;
    }

    /** Feeds standard input, line by line as it arrives, into {@code text} (each line with its newline). */
    private static Thread readLines(TextInput text) {
        Thread t = Thread.ofVirtual().start(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(stdin, java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) text.push(line + "\n");
            } catch (IOException e) {
                System.err.println("warning: reading standard input: " + e.getMessage());
            } finally {
                text.finish();
            }
        });
        return t;
    }

    private boolean toStdout() { return out.toString().equals("-"); }

    /** {@code --out -}: the WAV as it is generated, each chunk flushed, so a player downstream starts at once. */
    private int writeStdout(Engine engine, SynthesisRequest request, boolean textStream, Progress progress) throws IOException {
        if (floatSamples) throw new UserException("--float needs a file (--out FILE.wav); '--out -' streams 16-bit PCM");
        long t0 = System.nanoTime(), samples = 0;
        dev.cosyvoice4j.codec.AudioEncoder wav = dev.cosyvoice4j.codec.AudioEncoders.streaming(dev.cosyvoice4j.codec.AudioFormat.WAV,
                engine.sampleRateHz());
        try (Session session = engine.openSession();
             SynthesisStream audio = textStream ? session.synthesizeTextStream(request, textInput()) : session.synthesize(request)) {
            stdout.write(wav.encode(new float[0], 0, 0));                // the header now: a player can open the stream
            stdout.flush();
            while (audio.hasNext()) {
                float[] c = audio.next().samples();
                if (c.length == 0) continue;
                samples += c.length;
                stdout.write(wav.encode(c, 0, c.length));
                stdout.flush();
            }
            stdout.write(wav.finish());
            stdout.flush();
        }
        progress.done(String.format(Locale.ROOT, "streamed %.2f s of audio to standard output in %.2f s",
                samples / (double) engine.sampleRateHz(), (System.nanoTime() - t0) / 1e9));
        return 0;
    }

    private int write(Engine engine, SynthesisRequest request, boolean textStream, Progress progress) throws IOException {
        if (toStdout()) return writeStdout(engine, request, textStream, progress);
        WavWriter.Encoding enc = floatSamples ? WavWriter.Encoding.FLOAT32 : WavWriter.Encoding.PCM16;
        long t0 = System.nanoTime();
        try (Session session = engine.openSession();
             SynthesisStream audio = textStream ? session.synthesizeTextStream(request, textInput())
                     : session.synthesize(request);
             WavWriter wav = WavWriter.open(out, engine.sampleRateHz(), enc)) {
            Thread hook = new Thread(audio::cancel);   // Ctrl-C: stop; the writer's close removes the partial file
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                double firstChunkS = -1;
                while (audio.hasNext()) {
                    AudioChunk c = audio.next();
                    if (c.samples().length == 0) continue;
                    if (firstChunkS < 0) firstChunkS = c.elapsedNanos() / 1e9;
                    wav.append(c.samples());
                    progress.say(String.format(Locale.ROOT, "%.2f s of audio after %.2f s", wav.samplesWritten() / (double) engine.sampleRateHz(),
                            (System.nanoTime() - t0) / 1e9));
                }
                wav.commit();
                double audioS = wav.samplesWritten() / (double) engine.sampleRateHz();
                double wallS = (System.nanoTime() - t0) / 1e9;
                StageTimings t = audio.timings();
                progress.done(String.format(Locale.ROOT, "wrote %s: %.2f s of audio in %.2f s (RTF %.2f, first audio after %.2f s; "
                                + "LLM %d tokens, flow %.2f s, vocoder %.2f s)", out, audioS, wallS, audioS == 0 ? 0 : wallS / audioS,
                        firstChunkS, t.llmDecodeTokens.sum() + (t.llmPrefillNanos.sum() > 0 ? 1 : 0), t.flowNanos.sum() / 1e9,
                        t.vocoderNanos.sum() / 1e9));
            } finally {
                try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException ignored) { /* shutting down */ }
            }
        }
        return 0;
    }

    private static TextInput textInput() {
        TextInput text = new TextInput();
        readLines(text);
        return text;
    }

    private Mode resolveMode() {
        if (mode == null) {
            if (sourceWav != null) return Mode.VOICE_CONVERSION;
            if (instruct != null) return Mode.INSTRUCT2;
            if (promptText != null || speaker != null) return Mode.ZERO_SHOT;
            return Mode.CROSS_LINGUAL;
        }
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "zero-shot", "zero_shot", "zeroshot" -> Mode.ZERO_SHOT;
            case "cross-lingual", "cross_lingual", "crosslingual" -> Mode.CROSS_LINGUAL;
            case "instruct2", "instruct" -> Mode.INSTRUCT2;
            case "vc", "voice-conversion" -> Mode.VOICE_CONVERSION;
            default -> throw new UserException("--mode: unknown mode '" + mode + "' (zero-shot, cross-lingual, instruct2, vc)");
        };
    }

    private void checkArguments(Mode m) {
        if (promptWav == null && speaker == null) throw new UserException("--prompt-wav (or --speaker) is required: the voice to use");
        if (promptWav != null && speaker != null) throw new UserException("--speaker: give either --prompt-wav or --speaker, not both");
        if (promptWav != null && !Files.isRegularFile(promptWav)) throw new UserException("--prompt-wav: no such file: " + promptWav);
        if (sourceWav != null && !Files.isRegularFile(sourceWav)) throw new UserException("--source-wav: no such file: " + sourceWav);
        if (saveSpeaker != null && promptWav == null) throw new UserException("--save-speaker needs --prompt-wav");
        if (m == Mode.VOICE_CONVERSION) {
            if (sourceWav == null) throw new UserException("--source-wav is required for --mode vc");
            if (text != null) throw new UserException("--text: voice conversion takes no text (it re-voices --source-wav)");
        } else {
            if (text == null || text.isBlank()) throw new UserException("--text is required (the text to speak)");
            if (sourceWav != null) throw new UserException("--source-wav only applies to --mode vc");
        }
        if (m == Mode.INSTRUCT2 && (instruct == null || instruct.isBlank())) throw new UserException("--instruct is required for --mode instruct2");
        if (m == Mode.ZERO_SHOT && speaker == null && (promptText == null || promptText.isBlank())) {
            throw new UserException("--prompt-text is required for --mode zero-shot (the transcript of --prompt-wav)");
        }
        if (tokens < 0 || tokens > 100_000) throw new UserException("--tokens must be in [0, 100000], got " + tokens);
        if (!(speed > 0.25 && speed <= 4)) throw new UserException("--speed must be in (0.25, 4], got " + speed);
        if (speed != 1.0 && stream) throw new UserException("--speed cannot be combined with --stream (as in the official engine)");
        if (toStdout()) return;
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new UserException("--out: directory does not exist: " + parent);
        if (Files.isDirectory(out)) throw new UserException("--out: is a directory: " + out);
    }

    /** One updating status line on a terminal; nothing when piped or quiet, except the final summary on stderr. */
    private static final class Progress {
        private final PrintStream err;
        private final boolean terminal = System.console() != null;

        Progress(PrintStream err) { this.err = err; }

        void say(String s) {
            if (err != null && terminal) err.print("\r\033[K" + s);
        }

        void done(String s) {
            if (err == null) return;
            if (terminal) err.print("\r\033[K");
            err.println(s);
        }
    }
}
