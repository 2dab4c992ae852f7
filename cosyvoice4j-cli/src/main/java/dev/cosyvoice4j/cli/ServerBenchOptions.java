package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.bench.BenchClock;
import dev.cosyvoice4j.bench.BenchGrid;
import dev.cosyvoice4j.bench.server.ServerLoadConfig;
import dev.cosyvoice4j.bench.server.ServerLoadReport;
import dev.cosyvoice4j.bench.server.ServerLoadRunner;
import dev.cosyvoice4j.bench.server.ServerMarkdownReport;
import dev.cosyvoice4j.bench.server.SpeechRequest;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --server URL}: the options of the server target (a mixin of {@link BenchCommand}) and its run.
 * The server chooses model, threads and precision itself; the client only decides what to send and how hard.
 */
final class ServerBenchOptions {
    /** Options that mean something only with --server (refused without it). */
    static final List<String> SERVER_ONLY = List.of("--concurrency", "--requests", "--duration", "--voice", "--ref-wav", "--ref-text", "--api-key");

    @Option(names = "--server", paramLabel = "URL",
            description = "Benchmark a running speech server (OpenAI-compatible /v1/audio/speech, e.g. http://127.0.0.1:8080) instead of the engine in-process.")
    String server;

    @Option(names = "--concurrency", defaultValue = "1,2,4,8", description = "With --server: concurrent clients per level, a list (default ${DEFAULT-VALUE}).")
    String concurrency;

    @Option(names = "--requests", defaultValue = "8", description = "With --server: requests per level (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--duration", description = "With --server: seconds per level instead of a request count (every client keeps sending until then).")
    Double durationS;

    @Option(names = "--voice", description = "With --server: a voice the server knows (a saved voice name).")
    String voice;

    @Option(names = "--ref-wav", description = "With --server: a one-off voice from this WAV (sent as ref_audio; needs --ref-text). "
            + "Default without --voice: " + BenchCommand.DEFAULT_PROMPT_WAV + " and its transcript.")
    Path refWav;

    @Option(names = "--ref-text", description = "With --server: the transcript of --ref-wav.")
    String refText;

    @Option(names = "--api-key", description = "With --server: sent as 'Authorization: Bearer KEY'; never written to the report.")
    String apiKey;

    boolean active() { return server != null; }

    Integer run(String text, long seed, int warmup, Path out) throws IOException, InterruptedException {
        if (durationS != null && !(durationS > 0)) throw new UserException("--duration: must be > 0, got " + durationS);
        ServerLoadConfig config = new ServerLoadConfig(uri(), apiKey, request(text, seed), BenchGrid.ints("--concurrency", concurrency, 1),
                requests, durationS != null ? durationS : 0, warmup, ServerLoadConfig.DEFAULT_REQUEST_TIMEOUT);
        System.err.printf(Locale.ROOT, "bench: server %s, concurrency %s, %s per level (after %d warm-up request(s))%n", config.server(),
                concurrency, config.byDuration() ? durationS + " s" : requests + " requests", warmup);
        ServerLoadReport report = new ServerLoadRunner(BenchClock.system(), System.err).run(config);
        if (out == null) {
            System.out.print(ServerMarkdownReport.write(report, null));
        } else {
            List<Path> files = report.writeTo(out);
            System.out.println("wrote " + String.join(", ", files.stream().map(Path::toString).toList()));
        }
        return 0;
    }

    private URI uri() {
        try {
            return new URI(server.strip());
        } catch (URISyntaxException e) {
            throw new UserException("--server: '" + server + "' is not a URL (" + e.getReason() + ")");
        }
    }

    private SpeechRequest request(String text, long seed) throws IOException {
        if (voice != null && (refWav != null || refText != null)) throw new UserException("--voice: give either --voice or --ref-wav/--ref-text, not both");
        if (voice != null) return SpeechRequest.voice(text, voice, seed);
        if (refText != null && refWav == null) throw new UserException("--ref-text: needs --ref-wav");
        if (refWav != null) {
            if (!Files.isRegularFile(refWav)) throw new UserException("--ref-wav: '" + refWav + "' does not exist");
            if (refText == null) throw new UserException("--ref-wav: needs --ref-text (the transcript of the recording)");
            return SpeechRequest.refWav(text, refWav, refText, seed);
        }
        // the in-process bench's prompt: numbers of the two targets describe the same work
        Path wav = ProjectFiles.find(BenchCommand.DEFAULT_PROMPT_WAV);
        if (wav == null) throw new UserException("--voice or --ref-wav: needed (the default prompt " + BenchCommand.DEFAULT_PROMPT_WAV + " is not here)");
        return SpeechRequest.refWav(text, wav, BenchCommand.DEFAULT_PROMPT_TEXT, seed);
    }
}
