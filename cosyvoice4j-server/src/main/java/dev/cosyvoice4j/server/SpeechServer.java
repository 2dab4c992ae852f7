package dev.cosyvoice4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.engine.Engine;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The speech server: one loaded {@link Engine} shared by every request, one engine session per running synthesis,
 * on Helidon SE's WebServer (a virtual thread per request, so the handlers are plain blocking code and a slow client
 * parks only its own thread). Routes: {@code POST /v1/audio/speech}, {@code GET|POST /v1/audio/voices},
 * {@code DELETE /v1/audio/voices/{id}}, {@code GET /v1/models}, {@code GET /health} (liveness), {@code GET /ready}
 * (readiness: a synthesis slot or queue place is free), {@code GET /metrics} (Prometheus), the web page at
 * {@code /} and the DashScope CosyVoice WebSocket at {@code /api-ws/v1/inference} (text in, streamed audio out). With an API key every {@code /v1} route needs {@code Authorization: Bearer <key>}.
 */
public final class SpeechServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SpeechServer.class.getName());
    /** The DashScope CosyVoice WebSocket route (text in, audio out; {@link DashScopeSession}). */
    static final String DASHSCOPE_PATH = "/api-ws/v1/inference";
    /** Largest WebSocket frame: a continue-task of DashScope's 20,000 characters in UTF-8 plus its JSON. */
    static final int MAX_WS_FRAME = 128 * 1024;

    private final Engine engine;
    private final ServerOptions options;
    private final Admission admission;
    private final SessionPool sessions;
    private final ServerMetrics metrics;
    private final WebServer server;
    private final long createdEpochSeconds = Instant.now().getEpochSecond();

    private SpeechServer(Engine engine, ServerOptions options) {
        this.engine = engine;
        this.options = options;
        this.admission = new Admission(options.maxConcurrent(), options.maxQueue(), options.queueTimeout());
        this.sessions = new SessionPool(engine);
        this.metrics = new ServerMetrics(admission, sessions);
        metrics.voiceCache(engine::voiceCacheStats);
        SpeechService speech = new SpeechService(engine, options, admission, sessions, metrics);
        VoicesService voices = new VoicesService(engine, options, admission);
        WebPage page = new WebPage();
        this.server = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .maxPayloadSize(options.maxBodyBytes())
                .routing(r -> r
                        .addFilter(this::filter)
                        .post("/v1/audio/speech", speech::handle)
                        .get("/v1/audio/voices", voices::list)
                        .post("/v1/audio/voices", voices::create)
                        .delete("/v1/audio/voices/{id}", voices::delete)
                        .get("/v1/models", this::models)
                        .get("/health", (req, res) -> text(res, Status.OK_200, "ok"))
                        .get("/ready", this::ready)
                        .get("/metrics", (req, res) -> {
                            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                            res.send(metrics.scrape());
                        })
                        .get("/", page::index)
                        .get("/app.js", page::script)
                        .error(ApiException.class, SpeechServer::apiError)
                        .error(HttpException.class, SpeechServer::httpError)
                        .error(UncheckedIOException.class, SpeechServer::ioError)
                        .error(Exception.class, SpeechServer::internalError))
                .addRouting(WsRouting.builder().endpoint(DASHSCOPE_PATH,
                        () -> new DashScopeSession(engine, options, admission, sessions, metrics)))
                .addProtocol(WsConfig.builder().name("websocket").maxFrameLength(MAX_WS_FRAME).build())
                .build();
    }

    /** Starts a server on a loaded engine (which must have a speaker directory: the voices live there). */
    public static SpeechServer start(Engine engine, ServerOptions options) {
        engine.speakers();                                           // fails now, with the reason, if there is none
        SpeechServer s = new SpeechServer(engine, options);
        s.server.start();
        return s;
    }

    /** The bound port (the chosen one when the options asked for 0). */
    public int port() { return server.port(); }

    public ServerOptions options() { return options; }

    /** Stops accepting, lets running responses end, then closes the sessions; the engine stays the caller's. */
    @Override
    public void close() {
        server.stop();
        sessions.close();
    }

    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        int status = 500;
        try {
            if (options.apiKey() != null && path.startsWith("/v1/") && !authorized(req)) {
                apiError(req, res, ApiException.unauthorized());
                status = 401;
                return;
            }
            chain.proceed();
            status = res.status().code();
        } catch (ApiException e) {                  // answered by the error handlers after the filters unwind
            status = e.status();
            throw e;
        } catch (HttpException e) {
            status = e.status().code();
            throw e;
        } finally {
            metrics.request(route(path), status);
        }
    }

    private boolean authorized(ServerRequest req) {
        String h = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] given = h.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, options.apiKey().getBytes(StandardCharsets.UTF_8));   // constant time
    }

    /** Route templates for the metrics (raw paths would add a series per voice id). */
    private static String route(String path) {
        if (path.startsWith("/v1/audio/voices/")) return "/v1/audio/voices/{id}";
        return switch (path) {
            case "/v1/audio/speech", "/v1/audio/voices", "/v1/models", "/health", "/ready", "/metrics", "/", "/app.js" -> path;
            default -> "other";
        };
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode m = Json.object();
        m.put("id", options.modelId());
        m.put("object", "model");
        m.put("created", createdEpochSeconds);
        m.put("owned_by", "cosyvoice4j");
        ArrayNode data = Json.MAPPER.createArrayNode().add(m);
        ObjectNode root = Json.object();
        root.put("object", "list");
        root.set("data", data);
        VoicesService.sendJson(res, Status.OK_200, root);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean room = admission.active() < admission.capacity() || admission.queued() < options.maxQueue();
        text(res, room ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, room ? "ready" : "busy");
    }

    private static void text(ServerResponse res, Status status, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(body);
    }

    static void apiError(ServerRequest req, ServerResponse res, ApiException e) {
        if (res.isSent()) return;
        res.status(Status.create(e.status()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.create("x-should-retry"), e.status() == 429 ? "true" : "false");
        for (Map.Entry<String, String> h : e.headers().entrySet()) res.header(HeaderNames.create(h.getKey()), h.getValue());
        res.send(Json.error(e).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Helidon's own refusals (no route for the path, e.g. {@code /v1/audio/voices/..%2Fx} once decoded; a bad request
     * line) keep their status in OpenAI's error shape; the catch-all below would make them a 500.
     */
    private static void httpError(ServerRequest req, ServerResponse res, HttpException e) {
        int status = e.status().code();
        String message = e.status() == Status.NOT_FOUND_404 ? "no route for " + req.prologue().method().text() + " " + req.path().path()
                : e.getMessage();
        apiError(req, res, new ApiException(status, status >= 500 ? "server_error" : "invalid_request_error",
                e.status() == Status.NOT_FOUND_404 ? "not_found" : "http_" + status, null, message, Map.of()));
    }

    private static void ioError(ServerRequest req, ServerResponse res, UncheckedIOException e) {
        // a client that went away mid-body, or a mid-stream failure that must end the connection: nothing to answer
        LOG.log(Level.FINE, "connection ended: " + e.getMessage());
        if (!res.isSent()) apiError(req, res, ApiException.invalid(null, "io_error", e.getMessage()));
    }

    private static void internalError(ServerRequest req, ServerResponse res, Exception e) {
        if (e instanceof IllegalArgumentException iae) {
            apiError(req, res, ApiException.invalid(null, "invalid_request", iae.getMessage()));
            return;
        }
        LOG.log(Level.WARNING, "request failed", e);
        apiError(req, res, ApiException.server(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    /** The page and its script, from the jar. */
    static final class WebPage {
        private final byte[] html = resource("web/index.html"), js = resource("web/app.js");

        void index(ServerRequest req, ServerResponse res) {
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            res.send(html);
        }

        void script(ServerRequest req, ServerResponse res) {
            res.header(HeaderNames.CONTENT_TYPE, "text/javascript; charset=utf-8");
            res.send(js);
        }

        private static byte[] resource(String name) {
            try (InputStream in = SpeechServer.class.getResourceAsStream(name)) {
                if (in == null) throw new IllegalStateException("missing resource " + name + " in the server jar");
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
