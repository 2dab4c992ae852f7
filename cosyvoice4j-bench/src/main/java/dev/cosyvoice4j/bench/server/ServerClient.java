package dev.cosyvoice4j.bench.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.bench.BenchClock;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The speech API over the JDK's HTTP client (virtual threads, HTTP/1.1: the audio comes as a chunked body).
 * {@link #speak} times one request: time to first audio is taken when the first body byte is read, so it
 * includes the server's queueing and the first chunk's synthesis.
 */
public final class ServerClient implements AutoCloseable {
    public static final int DEFAULT_SAMPLE_RATE_HZ = 24000;
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerLoadConfig config;
    private final BenchClock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final String body;

    public ServerClient(ServerLoadConfig config, BenchClock clock) {
        this.config = config;
        this.clock = clock;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CHECK_TIMEOUT)
                .executor(executor).build();
        this.body = config.request().json(); // built once: a reference WAV is encoded once per run
    }

    /** Fails with one clear line when the server is not there or not healthy; then asks for its models. */
    public ServerInfo check() throws IOException, InterruptedException {
        String url = config.endpoint("/health").toString();
        HttpResponse<String> health;
        try {
            health = http.send(get("/health"), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("--server: cannot reach " + url + " (" + describe(e) + "); is the server running?"
                    + " Start one with ./cosyvoice4j serve --model DIR --port P", e);
        }
        if (health.statusCode() / 100 != 2) {
            throw new IOException("--server: " + url + " answered " + errorText(health.statusCode(), health.body()));
        }
        List<String> models = new ArrayList<>();
        try {
            HttpResponse<String> m = http.send(get("/v1/models"), HttpResponse.BodyHandlers.ofString());
            if (m.statusCode() == 200) {
                for (JsonNode d : JSON.readTree(m.body()).path("data")) if (d.hasNonNull("id")) models.add(d.get("id").asText());
            }
        } catch (IOException e) {
            // the model list only decorates the report; the speech requests show any real problem
        }
        return new ServerInfo(shorten(health.body().strip(), 200), models);
    }

    /** One speech request, read to the end. Never throws for what the server or the network did: that is the result. */
    public ServerRequestResult speak(int client, long levelStartNanos) throws InterruptedException {
        long t0 = clock.nanoTime();
        double startMs = (t0 - levelStartNanos) / 1e6;
        HttpRequest.Builder b = HttpRequest.newBuilder(config.endpoint("/v1/audio/speech")).timeout(config.requestTimeout())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (config.apiKey() != null) b.header("Authorization", "Bearer " + config.apiKey());
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new ServerRequestResult(client, startMs, 0, Double.NaN, ms(t0), 0, 0, describe(e), Double.NaN);
        }
        int status = resp.statusCode();
        try (InputStream in = resp.body()) {
            if (status != 200) {
                String text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
                double retry = status == 429 ? retryAfterS(resp.headers()) : Double.NaN;
                return new ServerRequestResult(client, startMs, status, Double.NaN, ms(t0), 0, 0, errorText(status, text), retry);
            }
            String type = resp.headers().firstValue("Content-Type").orElse(null);
            if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("audio/pcm")) {
                return new ServerRequestResult(client, startMs, status, Double.NaN, ms(t0), 0, 0,
                        "HTTP 200 with Content-Type " + type + ", not audio/pcm", Double.NaN);
            }
            int rate = sampleRateHz(type);
            byte[] buf = new byte[16384];
            long bytes = 0;
            double ttfaMs = Double.NaN;
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (n > 0 && bytes == 0) ttfaMs = ms(t0);
                    bytes += n;
                }
            } catch (IOException e) {
                return new ServerRequestResult(client, startMs, status, ttfaMs, ms(t0), bytes, rate,
                        "audio stream broke after " + bytes + " bytes: " + describe(e), Double.NaN);
            }
            return new ServerRequestResult(client, startMs, status, ttfaMs, ms(t0), bytes, rate,
                    bytes == 0 ? "HTTP 200 without audio" : null, Double.NaN);
        } catch (IOException e) {
            return new ServerRequestResult(client, startMs, status, Double.NaN, ms(t0), 0, 0, describe(e), Double.NaN);
        }
    }

    private HttpRequest get(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(config.endpoint(path)).timeout(CHECK_TIMEOUT).GET();
        if (config.apiKey() != null) b.header("Authorization", "Bearer " + config.apiKey());
        return b.build();
    }

    private double ms(long t0) { return (clock.nanoTime() - t0) / 1e6; }

    /** The {@code rate} parameter of {@code audio/pcm;rate=24000}; 24000 when absent or unreadable. */
    static int sampleRateHz(String contentType) {
        if (contentType == null) return DEFAULT_SAMPLE_RATE_HZ;
        for (String part : contentType.split(";")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("rate")) {
                try {
                    int r = Integer.parseInt(kv[1].trim().replace("\"", ""));
                    if (r > 0) return r;
                } catch (NumberFormatException ignored) {
                    // fall through to the default
                }
            }
        }
        return DEFAULT_SAMPLE_RATE_HZ;
    }

    /** Seconds of a Retry-After (the HTTP-date form is not worth parsing here: NaN). */
    static double retryAfterS(HttpHeaders h) {
        try {
            return h.firstValue("Retry-After").map(v -> Double.parseDouble(v.trim())).orElse(Double.NaN);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** "HTTP 400 invalid_request_error: unknown voice 'x'" from an OpenAI error body; the raw body (shortened) otherwise. */
    static String errorText(int status, String body) {
        String detail = shorten(body.strip(), 200);
        try {
            JsonNode e = JSON.readTree(body).path("error");
            if (e.hasNonNull("message")) {
                String kind = e.hasNonNull("code") ? e.get("code").asText() : e.path("type").asText("");
                detail = (kind.isEmpty() ? "" : kind + ": ") + shorten(e.get("message").asText(), 200);
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: keep the raw text
        }
        return "HTTP " + status + (detail.isEmpty() ? "" : " " + detail);
    }

    static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    static String shorten(String s, int max) { return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026"; }

    @Override
    public void close() {
        http.close();
        executor.close(); // the client does not own an executor it was given
    }
}
