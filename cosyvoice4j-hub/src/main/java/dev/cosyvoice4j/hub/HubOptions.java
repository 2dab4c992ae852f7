package dev.cosyvoice4j.hub;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the hub code needs to know, passed in explicitly (the command line fills it from HF_HOME, HF_ENDPOINT,
 * HF_TOKEN, HF_HUB_OFFLINE, MODELSCOPE_CACHE...; this library reads no environment variable or system property).
 *
 * @param hfEndpoint         the Hugging Face Hub or a mirror of its API, e.g. {@code https://huggingface.co}
 * @param hfToken            bearer token for private or gated repositories, or null
 * @param hfCache            huggingface_hub's cache directory ({@code $HF_HOME/hub}): {@code models--owner--name/...}
 * @param modelScopeEndpoint ModelScope's API, e.g. {@code https://www.modelscope.cn}
 * @param modelScopeCache    ModelScope's cache directory ({@code $MODELSCOPE_CACHE}): models in {@code models/owner/name}
 * @param offline            never touch the network: every request fails with {@link HubException.Kind#OFFLINE}
 * @param parallelism        files downloaded at once
 * @param connectTimeout     for opening a connection
 * @param readTimeout        longest wait for the next bytes of a body, and (beyond the connect timeout) for an answer
 * @param retries            further attempts after a transient failure (reset connection, 5xx, 429, read timeout)
 * @param retryBackoff       wait before the first retry (doubled for each further one)
 */
public record HubOptions(URI hfEndpoint, String hfToken, Path hfCache, URI modelScopeEndpoint, Path modelScopeCache,
                         boolean offline, int parallelism, Duration connectTimeout, Duration readTimeout, int retries,
                         Duration retryBackoff) {
    public static final URI HF_ENDPOINT = URI.create("https://huggingface.co");
    public static final URI MODELSCOPE_ENDPOINT = URI.create("https://www.modelscope.cn");

    public HubOptions {
        hfEndpoint = endpoint("hfEndpoint", hfEndpoint);
        modelScopeEndpoint = endpoint("modelScopeEndpoint", modelScopeEndpoint);
        Objects.requireNonNull(hfCache, "hfCache");
        Objects.requireNonNull(modelScopeCache, "modelScopeCache");
        if (hfToken != null && hfToken.isBlank()) hfToken = null;
        if (parallelism < 1 || parallelism > 64) throw new IllegalArgumentException("parallelism must be 1-64, got " + parallelism);
        if (retries < 0) throw new IllegalArgumentException("retries must be >= 0, got " + retries);
        positive("connectTimeout", connectTimeout);
        positive("readTimeout", readTimeout);
        Objects.requireNonNull(retryBackoff, "retryBackoff");
    }

    /** The public hubs, online, 4 files at once, 10 s to connect, 30 s without data, 3 retries from 1 s. */
    public static HubOptions of(Path hfCache, Path modelScopeCache) {
        return new HubOptions(HF_ENDPOINT, null, hfCache, MODELSCOPE_ENDPOINT, modelScopeCache, false, 4,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 3, Duration.ofSeconds(1));
    }

    public HubOptions withHfEndpoint(URI e) { return new HubOptions(e, hfToken, hfCache, modelScopeEndpoint, modelScopeCache, offline, parallelism, connectTimeout, readTimeout, retries, retryBackoff); }
    public HubOptions withHfToken(String t) { return new HubOptions(hfEndpoint, t, hfCache, modelScopeEndpoint, modelScopeCache, offline, parallelism, connectTimeout, readTimeout, retries, retryBackoff); }
    public HubOptions withModelScopeEndpoint(URI e) { return new HubOptions(hfEndpoint, hfToken, hfCache, e, modelScopeCache, offline, parallelism, connectTimeout, readTimeout, retries, retryBackoff); }
    public HubOptions withOffline(boolean o) { return new HubOptions(hfEndpoint, hfToken, hfCache, modelScopeEndpoint, modelScopeCache, o, parallelism, connectTimeout, readTimeout, retries, retryBackoff); }
    public HubOptions withParallelism(int p) { return new HubOptions(hfEndpoint, hfToken, hfCache, modelScopeEndpoint, modelScopeCache, offline, p, connectTimeout, readTimeout, retries, retryBackoff); }
    public HubOptions withTimeouts(Duration connect, Duration read) { return new HubOptions(hfEndpoint, hfToken, hfCache, modelScopeEndpoint, modelScopeCache, offline, parallelism, connect, read, retries, retryBackoff); }
    public HubOptions withRetries(int n, Duration backoff) { return new HubOptions(hfEndpoint, hfToken, hfCache, modelScopeEndpoint, modelScopeCache, offline, parallelism, connectTimeout, readTimeout, n, backoff); }

    private static URI endpoint(String what, URI uri) {
        Objects.requireNonNull(uri, what);
        String s = uri.toString();
        if (!(s.startsWith("http://") || s.startsWith("https://")) || uri.getHost() == null) {
            throw new IllegalArgumentException(what + ": expected an http(s) URL such as https://huggingface.co, got '" + s + "'");
        }
        return URI.create(s.replaceAll("/+$", ""));
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
}
