package dev.cosyvoice4j.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How the speech server listens and what it admits. The defaults follow the serving reference: OpenAI's 4096-character
 * input, CosyVoice's 30 s prompt limit (the engine's), OpenAI's 10 MiB voice upload.
 *
 * @param host               address to bind (loopback by default: nothing is exposed unless asked)
 * @param port               TCP port (0 picks a free one)
 * @param apiKey             when non-null, every API route needs {@code Authorization: Bearer <apiKey>}
 * @param maxConcurrent      syntheses that run at once (each holds one engine session)
 * @param maxQueue           requests that may wait for a slot, first come first served; more get 429
 * @param queueTimeout       how long a request waits for a slot before 429
 * @param maxInputChars      longest {@code input} (and {@code instructions}) in characters
 * @param maxUploadBytes     largest voice upload or decoded {@code ref_audio}
 * @param maxBodyBytes       largest request body of any route (base64 makes a JSON body ~4/3 of its audio)
 * @param modelId            the id {@code /v1/models} reports
 * @param pinnedTokens       when > 0, every segment generates exactly this many speech tokens, ignoring stop tokens:
 *                           for benchmarks on random weights only (as {@code synth --tokens})
 * @param wsIdleTimeout      DashScope WebSocket: the longest gap between client messages of a task (DashScope's 23 s)
 */
public record ServerOptions(String host, int port, String apiKey, int maxConcurrent, int maxQueue, Duration queueTimeout,
                            int maxInputChars, long maxUploadBytes, long maxBodyBytes, String modelId,
                            int pinnedTokens, Duration wsIdleTimeout) {

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(wsIdleTimeout, "wsIdleTimeout");
        if (wsIdleTimeout.isNegative() || wsIdleTimeout.isZero()) throw new IllegalArgumentException("WebSocket idle timeout must be positive");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535, got " + port);
        if (maxConcurrent < 1) throw new IllegalArgumentException("max concurrent syntheses must be >= 1, got " + maxConcurrent);
        if (maxQueue < 0) throw new IllegalArgumentException("max queue must be >= 0, got " + maxQueue);
        if (queueTimeout.isNegative()) throw new IllegalArgumentException("queue timeout must not be negative");
        if (maxInputChars < 1) throw new IllegalArgumentException("max input characters must be >= 1");
        if (maxUploadBytes < 1 || maxBodyBytes < 1) throw new IllegalArgumentException("upload and body limits must be >= 1 byte");
        if (pinnedTokens < 0) throw new IllegalArgumentException("pinned tokens must be >= 0, got " + pinnedTokens);
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
    }

    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, 1, 8, Duration.ofSeconds(30), 4096, 10L << 20, 16L << 20,
                "cosyvoice3", 0, Duration.ofSeconds(23));
    }

    public ServerOptions withHost(String v) { return new ServerOptions(v, port, apiKey, maxConcurrent, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withPort(int v) { return new ServerOptions(host, v, apiKey, maxConcurrent, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withApiKey(String v) { return new ServerOptions(host, port, v, maxConcurrent, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withMaxConcurrent(int v) { return new ServerOptions(host, port, apiKey, v, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withMaxQueue(int v) { return new ServerOptions(host, port, apiKey, maxConcurrent, v, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withQueueTimeout(Duration v) { return new ServerOptions(host, port, apiKey, maxConcurrent, maxQueue, v, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withMaxInputChars(int v) { return new ServerOptions(host, port, apiKey, maxConcurrent, maxQueue, queueTimeout, v, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withMaxUploadBytes(long v) { return new ServerOptions(host, port, apiKey, maxConcurrent, maxQueue, queueTimeout, maxInputChars, v, maxBodyBytes, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withMaxBodyBytes(long v) { return new ServerOptions(host, port, apiKey, maxConcurrent, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, v, modelId, pinnedTokens, wsIdleTimeout); }
    public ServerOptions withPinnedTokens(int v) { return new ServerOptions(host, port, apiKey, maxConcurrent, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, v, wsIdleTimeout); }
    public ServerOptions withModelId(String v) { return new ServerOptions(host, port, apiKey, maxConcurrent, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, v, pinnedTokens, wsIdleTimeout); }

    public ServerOptions withWsIdleTimeout(Duration v) { return new ServerOptions(host, port, apiKey, maxConcurrent, maxQueue, queueTimeout, maxInputChars, maxUploadBytes, maxBodyBytes, modelId, pinnedTokens, v); }

    /** True when the bind address is a loopback one (then no key is needed to be safe). */
    public boolean loopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }
}
