package dev.cosyvoice4j.bench.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the speech server on 127.0.0.1 (a free port): {@code /health}, {@code /v1/models} and
 * {@code /v1/audio/speech} answering {@link #CHUNKS} chunks of {@link #CHUNK_BYTES} bytes of deterministic s16le
 * PCM, a 400 OpenAI error for the voice {@link #BAD_VOICE}, a 401 for a wrong API key, and a 429 for every
 * {@code rejectEvery}-th speech request (counted from 1 over the server's life, warm-ups included).
 */
public final class FakeSpeechServer implements AutoCloseable {
    public static final int CHUNKS = 3, CHUNK_BYTES = 4800;
    public static final String BAD_VOICE = "nope";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer http;
    private final AtomicInteger speechRequests = new AtomicInteger();
    private final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    public volatile int rejectEvery;
    /** The rate parameter of the Content-Type; 0 = none ("audio/pcm"). */
    public volatile int sampleRateHz = 24000;
    public volatile boolean healthy = true;
    /** When set, requests without "Authorization: Bearer KEY" get a 401. */
    public volatile String apiKey;

    private FakeSpeechServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(executor);
        http.createContext("/health", ex -> send(ex, healthy ? 200 : 503, healthy ? "{\"status\":\"ok\"}" : "{\"status\":\"loading\"}"));
        http.createContext("/v1/models", ex -> send(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"cosyvoice3\",\"object\":\"model\"}]}"));
        http.createContext("/v1/audio/speech", this::speech);
        http.start();
    }

    public static FakeSpeechServer start() throws IOException { return new FakeSpeechServer(); }

    public URI uri() { return URI.create("http://127.0.0.1:" + http.getAddress().getPort()); }

    public int speechRequests() { return speechRequests.get(); }

    public List<JsonNode> bodies() { return List.copyOf(bodies); }

    public List<String> authorizations() { return List.copyOf(authorizations); }

    /** The PCM every successful request gets: a ramp, so that any byte can be checked. */
    public static byte[] chunk(int index) {
        byte[] b = new byte[CHUNK_BYTES];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (index * 31 + i);
        return b;
    }

    private void speech(HttpExchange ex) throws IOException {
        int n = speechRequests.incrementAndGet();
        JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
        bodies.add(body);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "" : auth);
        if (apiKey != null && !("Bearer " + apiKey).equals(auth)) {
            send(ex, 401, error("Incorrect API key provided", "invalid_request_error", null, "invalid_api_key"));
        } else if (BAD_VOICE.equals(body.path("voice").asText())) {
            send(ex, 400, error("unknown voice '" + BAD_VOICE + "'", "invalid_request_error", "voice", "voice_not_found"));
        } else if (rejectEvery > 0 && n % rejectEvery == 0) {
            ex.getResponseHeaders().add("Retry-After", "0");
            send(ex, 429, error("server is full", "rate_limit_error", null, "server_busy"));
        } else {
            ex.getResponseHeaders().add("Content-Type", sampleRateHz > 0 ? "audio/pcm;rate=" + sampleRateHz : "audio/pcm");
            ex.sendResponseHeaders(200, 0); // 0 = chunked: bytes go out as they are written
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < CHUNKS; i++) {
                    out.write(chunk(i));
                    out.flush();
                }
            }
        }
    }

    private static String error(String message, String type, String param, String code) {
        var e = JSON.createObjectNode();
        var inner = e.putObject("error");
        inner.put("message", message);
        inner.put("type", type);
        inner.put("param", param);
        inner.put("code", code);
        return e.toString();
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.close();
    }
}
