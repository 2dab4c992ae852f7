package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.PrecisionMode;
import dev.cosyvoice4j.config.LlmConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.synthetic.SyntheticModelWriter;
import dev.cosyvoice4j.synthetic.SyntheticPresets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A random-weight model directory (make-synthetic recipe) at the fixture model's sizes except a Qwen2 hidden
 * size of 64 (heads 4 x 16, 2 KV heads, FFN 128): every LLM Linear then has rows of whole 32-value blocks, so
 * Q8_0 / Q4_0 quantise all of them (the fixture's hidden 56 quantises only down_proj). Written once per test JVM
 * into a temporary directory; engines per mode are cached too (never closed: the JVM exit unmaps them).
 */
final class SmallRandomModel {
    static final Path TEMPLATE = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");
    static final Path PROMPT_WAV = Path.of("src/test/resources/fixtures/golden/inputs/zero_shot_prompt.wav");
    static final String PROMPT_TEXT = "You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。";
    static final long SEED = 20260105L;
    static final int THREADS = 2;

    private static Path dir;
    private static final Map<String, Engine> ENGINES = new HashMap<>();

    private SmallRandomModel() {}

    static ModelConfig config() {
        ModelConfig t = SyntheticPresets.tiny();
        Qwen2Config q = new Qwen2Config(64, 2, 4, 2, 16, 128, t.qwen2().vocabSize(), 1e-6, 1e6, true);
        LlmConfig l = t.llm();
        LlmConfig llm = new LlmConfig(64, 64, l.speechTokenSize(), l.topP(), l.topK(), l.winSize(), l.tauR());
        return new ModelConfig(t.sampleRate(), t.tokenFrameRate(), t.tokenMelRatio(), t.chunkSize(), llm, t.flow(), t.hift(), q);
    }

    static synchronized Path dir() {
        if (dir != null) return dir;
        try {
            Path parent = Files.createTempDirectory("cv4j-quality-");
            Path out = parent.resolve("model");
            new SyntheticModelWriter().write(new SyntheticModelWriter.Options(out, config(), "tiny-h64", SEED, TEMPLATE, false),
                    SyntheticModelWriter.Progress.NONE);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(parent)));
            dir = out;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The engine of {@code mode} on this model (cached). */
    static synchronized Engine engine(PrecisionMode mode) {
        return ENGINES.computeIfAbsent(mode.name(), k -> Engine.load(dir(), mode.apply(EngineOptions.defaults().withThreads(THREADS))));
    }

    static Engine engine(String mode) { return engine(PrecisionMode.parse(mode)); }

    private static void deleteQuietly(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort at exit
        }
    }
}
