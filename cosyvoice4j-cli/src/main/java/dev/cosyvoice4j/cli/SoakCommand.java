package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.bench.soak.SoakConfig;
import dev.cosyvoice4j.bench.soak.SoakReport;
import dev.cosyvoice4j.bench.soak.SoakRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code soak}: a long mixed run against a running server, judged for correctness and for flat memory. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Soak a running speech server: --clients concurrent clients for --duration seconds mixing normal requests",
                "(streamed, SSE and offline speech in every format, saved and one-off voices, voice uploads, DashScope WebSocket",
                "tasks), client disconnects, malformed requests and overload (429). Every successful response must be complete",
                "and byte-identical to the same request's serial answer; /metrics is sampled over time and, after warm-up, the",
                "post-GC heap and the resident set must stay flat, and threads, file descriptors and sessions return to idle.",
                "Writes soak.md, soak.json and soak-memory.svg to --out; exits 0 when every check passed, 3 when one failed.",
                "The run saves (and deletes) the voices soak-zs and soak-xl, so use a server no one else is using."},
        footer = {"", "Example:",
                "  cosyvoice4j serve --model DIR --port 8080 --max-concurrent 2 --max-queue 4 & ",
                "  cosyvoice4j soak --server http://127.0.0.1:8080 --server-pid $! --clients 12 --duration 600 --out soak-results"})
public final class SoakCommand implements Callable<Integer> {
    /** Exit code when the run completed but a check failed. */
    static final int CHECK_FAILED = 3;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The server (e.g. http://127.0.0.1:8080).")
    String server;

    @Option(names = "--clients", defaultValue = "12", description = "Concurrent clients (default ${DEFAULT-VALUE}); more than the server's slots plus queue makes 429s.")
    int clients;

    @Option(names = "--duration", defaultValue = "600", description = "Seconds of load (default ${DEFAULT-VALUE}).")
    double durationS;

    @Option(names = "--seed", defaultValue = "1986", description = "Seed of the requests and of each client's choices (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sample-interval", defaultValue = "10", description = "Seconds between samples of /metrics (default ${DEFAULT-VALUE}).")
    double sampleIntervalS;

    @Option(names = "--server-pid", description = "The server's process id on this machine: a full GC is forced (jcmd PID GC.run) "
            + "before each sample so the heap figure is the live set. Without it: the server's heap after its last GC.")
    Long serverPid;

    @Option(names = "--warmup-fraction", defaultValue = "0.5", description = "Part of the run before the flatness window (default ${DEFAULT-VALUE}: the second half is judged).")
    double warmupFraction;

    @Option(names = "--max-heap-growth", defaultValue = "32", description = "MiB the post-GC heap may grow over the judged window (default ${DEFAULT-VALUE}).")
    double maxHeapGrowthMiB;

    @Option(names = "--max-rss-growth", defaultValue = "64", description = "MiB the resident set may grow over the judged window (default ${DEFAULT-VALUE}).")
    double maxRssGrowthMiB;

    @Option(names = "--thread-slack", defaultValue = "4", description = "Live threads allowed above idle after the run (default ${DEFAULT-VALUE}).")
    int threadSlack;

    @Option(names = "--fd-slack", defaultValue = "8", description = "Open file descriptors allowed above idle after the run (default ${DEFAULT-VALUE}).")
    int fdSlack;

    @Option(names = "--prompt-wav", description = "Recording of the run's voices (default: " + BenchCommand.DEFAULT_PROMPT_WAV + ").")
    Path promptWav;

    @Option(names = "--prompt-text", defaultValue = "希望你以后能够做的比我还好呦。",
            description = "Its transcript, plain (default: the official zero-shot example's).")
    String promptText;

    @Option(names = "--request-timeout", defaultValue = "120", description = "Seconds one operation may take (default ${DEFAULT-VALUE}).")
    double requestTimeoutS;

    @Option(names = "--api-key", description = "Sent as 'Authorization: Bearer KEY'; never written to the report.")
    String apiKey;

    @Option(names = "--out", description = "Directory for soak.md, soak.json and soak-memory.svg; without it the Markdown goes to stdout.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path wav = promptWav != null ? promptWav : ProjectFiles.find(BenchCommand.DEFAULT_PROMPT_WAV);
        if (wav == null || !Files.isRegularFile(wav)) {
            throw new UserException("--prompt-wav: '" + (promptWav != null ? promptWav : BenchCommand.DEFAULT_PROMPT_WAV) + "' does not exist");
        }
        if (!(durationS > 0)) throw new UserException("--duration: must be > 0, got " + durationS);
        if (!(requestTimeoutS > 0)) throw new UserException("--request-timeout: must be > 0, got " + requestTimeoutS);
        SoakConfig config;
        try {
            config = new SoakConfig(uri(), apiKey, clients, millis(durationS), seed, millis(sampleIntervalS), wav, promptText,
                    serverPid == null ? 0 : serverPid, warmupFraction,
                    new SoakConfig.Bounds(maxHeapGrowthMiB, maxRssGrowthMiB, threadSlack, fdSlack), millis(requestTimeoutS));
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        SoakReport report;
        try {
            report = new SoakRunner(config, System.err).run();
        } catch (IOException e) {
            throw new UserException(e.getMessage());
        }
        if (out == null) {
            System.out.print(report.markdown());
        } else {
            List<Path> files = report.writeTo(out);
            System.out.println("wrote " + String.join(", ", files.stream().map(Path::toString).toList()));
        }
        for (SoakReport.Check c : report.checks()) System.err.println("soak: " + (c.passed() ? "pass" : "FAIL") + "  " + c.name() + ": " + c.detail());
        return report.passed() ? 0 : CHECK_FAILED;
    }

    private static Duration millis(double seconds) { return Duration.ofMillis(Math.round(seconds * 1000)); }

    private URI uri() {
        try {
            return new URI(server.strip());
        } catch (URISyntaxException e) {
            throw new UserException("--server: '" + server + "' is not a URL (" + e.getReason() + ")");
        }
    }
}
