package dev.cosyvoice4j.frontend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Measures the per-step prompt-analysis time on a warm JVM (not a unit test):
 * {@code java ... dev.cosyvoice4j.frontend.FrontendTimingMain [modelDir] [wav...]}. Prints the median and
 * minimum of each step over the measured runs.
 */
public final class FrontendTimingMain {
    public static void main(String[] args) {
        Path model = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures/cosyvoice3-tiny");
        List<Path> wavs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) wavs.add(Path.of(args[i]));
        if (wavs.isEmpty()) {
            Path in = Path.of("src/test/resources/fixtures/golden/inputs");
            wavs.add(in.resolve("zero_shot_prompt.wav"));
            wavs.add(in.resolve("cross_lingual_prompt.wav"));
        }
        int warmup = Integer.getInteger("warmup", 15), runs = Integer.getInteger("runs", 25);
        int threads = Integer.getInteger("threads", 1);
        try (AudioFrontend fe = AudioFrontend.open(model, FrontendOptions.defaults().withIntraOpThreads(threads))) {
            for (Path wav : wavs) {
                for (int i = 0; i < warmup; i++) fe.analyzeWithTimings(wav);
                List<PromptAnalysis> rs = new ArrayList<>();
                for (int i = 0; i < runs; i++) rs.add(fe.analyzeWithTimings(wav));
                PromptAnalysis first = rs.get(0);
                System.out.printf("%s: %.2f s @ %d Hz, %d tokens, %d mel frames (%d runs after %d warm-up, ORT threads %d)%n",
                        wav.getFileName(), first.durationSeconds(), first.sampleRateHz(), first.features().tokenCount(),
                        first.features().featFrames(), runs, warmup, threads);
                row(rs, "decode", FrontendTimings::decodeNanos);
                row(rs, "resample16k", FrontendTimings::resample16kNanos);
                row(rs, "resample24k", FrontendTimings::resample24kNanos);
                row(rs, "fbank+cmn", FrontendTimings::fbankNanos);
                row(rs, "campplus", FrontendTimings::campplusNanos);
                row(rs, "whisperMel", FrontendTimings::whisperMelNanos);
                row(rs, "tokenizer", FrontendTimings::tokenizerNanos);
                row(rs, "matchaMel", FrontendTimings::matchaMelNanos);
                row(rs, "total", FrontendTimings::totalNanos);
            }
        }
    }

    private static void row(List<PromptAnalysis> rs, String name, ToLongFunction<FrontendTimings> f) {
        long[] v = rs.stream().mapToLong(r -> f.applyAsLong(r.timings())).sorted().toArray();
        System.out.printf("  %-12s median %8.3f ms   min %8.3f ms%n", name, v[v.length / 2] / 1e6, v[0] / 1e6);
        Arrays.fill(v, 0);
    }
}
