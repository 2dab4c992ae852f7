package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.text.Qwen2Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * First audio when the text arrives as an LLM writes it (10 tokens/s) through text-in streaming, against waiting for
 * the whole text and then synthesising it (streaming audio). Not a test: run by hand, e.g. on the full-size synthetic
 * model: {@code java -cp ... dev.cosyvoice4j.engine.TextStreamLatencyBench /tmp/cv3-synth /tmp/qcache 3 6} (3 rounds, the
 * sentence 6 times). A text shorter than about 30 tokens gains nothing with a 3.5 s prompt: the 5 text : 15 prompt
 * speech interleave has to consume the prompt's speech tokens before the first new one is decoded. Rounds
 * alternate the two ways; each stops at the first audio chunk.
 */
public final class TextStreamLatencyBench {
    static final String TEXT = "The quick brown fox jumps over the lazy dog. Performance optimization is the key to a better user experience.";
    static final Path PROMPT_WAV = Path.of("src/test/resources/fixtures/golden/inputs/zero_shot_prompt.wav");
    static final String TRANSCRIPT = "希望你以后能够做的比我还好呦。";
    static final double TEXT_TOKENS_PER_SECOND = 10;

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path cache = args.length > 1 ? Path.of(args[1]) : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 1;        // longer replies: the text, n times
        String text = (TEXT + " ").repeat(repeats).strip();
        Path speakers = Files.createTempDirectory("cv4j-latency");
        EngineOptions o = EngineOptions.defaults().withThreads(2).withSpeakerDir(speakers)
                .withLlmPrecision(Precision.Q8_0).withFlowPrecision(Precision.BF16).withQuantCacheDir(cache);
        try (Engine e = Engine.load(model, o)) {
            e.saveVoice("bench", e.analyzeVoice(PROMPT_WAV, SystemPrompts.promptText(TRANSCRIPT)));
            Qwen2Tokenizer tok = Qwen2Tokenizer.forModelDir(model);
            List<String> words = new ArrayList<>();
            for (String w : text.split("(?<= )")) words.add(w);
            int textTokens = tok.encode(text).length;
            double textSeconds = textTokens / TEXT_TOKENS_PER_SECOND;
            long pauseMs = Math.round(1000 * textSeconds / words.size());
            System.out.printf(Locale.ROOT, "text: %d tokens in %d pieces, %.1f s at %.0f tokens/s (%d ms a piece)%n",
                    textTokens, words.size(), textSeconds, TEXT_TOKENS_PER_SECOND, pauseMs);
            SynthesisRequest whole = SynthesisRequest.builder(Mode.ZERO_SHOT).speakerId("bench").text(text).stream(true).build();
            SynthesisRequest template = SynthesisRequest.builder(Mode.ZERO_SHOT).speakerId("bench").text("-").stream(true).build();
            for (int r = 0; r <= rounds; r++) {                         // round 0 warms the JIT up
                double afterWhole = firstAudioSeconds(e, whole);
                double streamed = firstAudioStreamed(e, template, words, pauseMs);
                if (r == 0) continue;
                System.out.printf(Locale.ROOT, "round %d: text-in streaming first audio %.2f s after the first piece; "
                        + "waiting for the whole text %.2f s + synthesis %.2f s = %.2f s%n", r, streamed, textSeconds, afterWhole,
                        textSeconds + afterWhole);
            }
        }
    }

    static double firstAudioSeconds(Engine e, SynthesisRequest req) {
        long t0 = System.nanoTime();
        try (Session s = e.openSession(); SynthesisStream st = s.synthesize(req)) {
            while (st.hasNext()) {
                if (st.next().samples().length > 0) return (System.nanoTime() - t0) / 1e9;
            }
        }
        return Double.NaN;
    }

    static double firstAudioStreamed(Engine e, SynthesisRequest template, List<String> pieces, long pauseMs) throws Exception {
        TextInput in = new TextInput();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                for (String p : pieces) {
                    in.push(p);
                    Thread.sleep(pauseMs);
                }
            } catch (InterruptedException ignored) {
                // stopped after the first audio
            } finally {
                in.finish();
            }
        });
        long t0 = System.nanoTime();
        try (Session s = e.openSession(); SynthesisStream st = s.synthesizeTextStream(template, in)) {
            while (st.hasNext()) {
                if (st.next().samples().length > 0) return (System.nanoTime() - t0) / 1e9;
            }
        } finally {
            writer.interrupt();
        }
        return Double.NaN;
    }
}
