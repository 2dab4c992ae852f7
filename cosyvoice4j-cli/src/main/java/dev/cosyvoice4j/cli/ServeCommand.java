package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.server.ServerOptions;
import dev.cosyvoice4j.server.SpeechServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code serve}: the OpenAI-compatible speech server on one loaded engine, until interrupted (Ctrl-C, SIGTERM). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve speech over HTTP: OpenAI's POST /v1/audio/speech (streamed audio or SSE), saved voices",
                "(/v1/audio/voices), /v1/models, /health, /ready, /metrics (Prometheus) and a web page at /.",
                "",
                "  cosyvoice4j serve --model DIR --port 8080",
                "  curl -s localhost:8080/v1/audio/speech -H 'Content-Type: application/json' \\",
                "    -d '{\"model\":\"cosyvoice3\",\"input\":\"Hello!\",\"voice\":\"NAME\",\"response_format\":\"wav\"}' -o hello.wav"})
public final class ServeCommand implements Callable<Integer> {
    /** The variable an API key may come from (so it need not appear in the process list). */
    static final String API_KEY_ENV = "COSYVOICE4J_API_KEY";

    @Option(names = "--model", defaultValue = ModelLocator.DEFAULT_MODEL,
            description = "Model directory, or a model id (owner/name) found in the Hugging Face or ModelScope cache or "
                    + "downloaded on first use (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--max-concurrent", defaultValue = "1", description = "Syntheses running at once (default ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--max-queue", defaultValue = "8", description = "Requests that may wait for a slot; more get 429 (default ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--queue-timeout", defaultValue = "30", description = "Seconds a request waits for a slot before 429 (default ${DEFAULT-VALUE}).")
    double queueTimeoutSeconds;

    @Option(names = "--ws-idle-timeout", defaultValue = "23",
            description = "DashScope WebSocket: seconds without a client message before the task fails (default ${DEFAULT-VALUE}, as DashScope).")
    double wsIdleTimeoutSeconds;

    @Option(names = "--max-input-chars", defaultValue = "4096", description = "Longest input text (default ${DEFAULT-VALUE}, as OpenAI).")
    int maxInputChars;

    @Option(names = "--max-upload-mb", defaultValue = "10", description = "Largest voice upload or ref_audio, MiB (default ${DEFAULT-VALUE}).")
    int maxUploadMb;

    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' on every /v1 route (or set $" + API_KEY_ENV + ").")
    String apiKey;

    @Option(names = "--tokens", defaultValue = "0",
            description = "Generate exactly N speech tokens per segment, ignoring stop tokens (benchmarks on random weights only).")
    int pinnedTokens;

    @Mixin
    EngineFlags engineFlags = new EngineFlags();

    @Mixin
    HubFlags hubFlags = new HubFlags();

    @Override
    public Integer call() throws Exception {
        if (maxUploadMb < 1 || maxUploadMb > 1024) throw new UserException("--max-upload-mb must be 1-1024");
        if (!(queueTimeoutSeconds >= 0 && queueTimeoutSeconds <= 3600)) throw new UserException("--queue-timeout must be 0-3600 seconds");
        if (!(wsIdleTimeoutSeconds > 0 && wsIdleTimeoutSeconds <= 3600)) throw new UserException("--ws-idle-timeout must be >0-3600 seconds");
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_ENV);
        ServerOptions server;
        try {
            long upload = (long) maxUploadMb << 20;
            server = ServerOptions.defaults().withHost(host).withPort(port).withApiKey(key).withMaxConcurrent(maxConcurrent)
                    .withMaxQueue(maxQueue).withQueueTimeout(Duration.ofMillis((long) (queueTimeoutSeconds * 1000)))
                    .withMaxInputChars(maxInputChars).withMaxUploadBytes(upload).withMaxBodyBytes(upload * 4 / 3 + (1 << 20))
                    .withModelId(Path.of(model).getFileName().toString()).withPinnedTokens(pinnedTokens)
                    .withWsIdleTimeout(Duration.ofMillis((long) (wsIdleTimeoutSeconds * 1000)));
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        EngineOptions options = engineFlags.options();
        Path dir = hubFlags.locator(false).resolve(model);
        if (!server.loopback() && server.apiKey() == null) {
            System.err.println("warning: listening on " + host + " without an API key: anyone who can reach this port can use it "
                    + "(pass --api-key or set $" + API_KEY_ENV + ")");
        }
        System.err.println("loading " + dir);
        try (Engine engine = Engine.load(dir, options); SpeechServer s = SpeechServer.start(engine, server)) {
            System.err.printf(Locale.ROOT, "loaded in %.2f s; serving on http://%s:%d/ (voices in %s)%n",
                    engine.loadTimings().totalMs() / 1000, host.contains(":") ? "[" + host + "]" : host, s.port(), options.speakerDir());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {       // Ctrl-C, SIGTERM: let responses end, then exit
                System.err.println("stopping");
                s.close();
                stopped.countDown();
            }, "cosyvoice4j-shutdown"));
            stopped.await();
        }
        return 0;
    }
}
