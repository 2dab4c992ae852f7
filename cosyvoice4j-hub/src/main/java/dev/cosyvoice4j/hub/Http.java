package dev.cosyvoice4j.hub;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GET over the JDK's HTTP client with what model downloads need: redirects followed by hand (the token is dropped
 * when one leads to another host, as the hub's resolve URLs send LFS files to a CDN), a read timeout on body data as
 * well as on headers, retries of transient failures, and errors that name the URL and what to do.
 */
final class Http implements AutoCloseable {
    static final String USER_AGENT = "cosyvoice4j/0.1 (java.net.http)";
    private static final int MAX_REDIRECTS = 10;

    private final HubOptions options;
    private final HttpClient client;     // null when offline: nothing can reach the network

    Http(HubOptions options) {
        this.options = options;
        this.client = options.offline() ? null : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)             // one connection per file; no h2c upgrade surprises with mirrors
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Another client with the same options (its own connections). */
    Http fresh() { return new Http(options); }

    /** The body of a 200 answer to GET {@code uri} (an API call), retrying transient failures. */
    byte[] get(URI uri, String token) {
        for (int attempt = 0; ; attempt++) {
            try {
                return getOnce(uri, token);
            } catch (HubException e) {
                if (!e.isTransient() || attempt >= options.retries()) throw e;
                pause(attempt);
            }
        }
    }

    private byte[] getOnce(URI start, String token) {
        URI uri = start;
        String auth = token;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            CompletableFuture<HttpResponse<byte[]>> f = client().sendAsync(request(uri, auth, 0), HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> r = await(f, null, uri);
            int s = r.statusCode();
            if (s == 200) return r.body();
            if (isRedirect(s)) {
                URI next = location(uri, r.headers());
                if (!sameOrigin(uri, next)) auth = null;
                uri = next;
                continue;
            }
            throw statusError(uri, s, r.headers(), auth != null);
        }
        throw new HubException(HubException.Kind.HTTP, "GET " + start + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /**
     * Streams the body of {@code start} into {@code receiver}, from the receiver's offset on (an HTTP Range request);
     * one attempt: a failure is thrown, transient or not, for the caller to retry with what it has.
     */
    void download(URI start, String token, BodyReceiver.Receiver receiver) {
        URI uri = start;
        String auth = token;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            BodyReceiver handler = new BodyReceiver(receiver);
            CompletableFuture<HttpResponse<Void>> f = client().sendAsync(request(uri, auth, receiver.offset()), handler);
            HttpResponse<Void> r = await(f, handler, uri);
            int s = r.statusCode();
            if (s == 200 || s == 206) return;
            if (isRedirect(s)) {
                URI next = location(uri, r.headers());
                if (!sameOrigin(uri, next)) auth = null;
                uri = next;
                continue;
            }
            if (s == 416) {
                throw new HubException(HubException.Kind.CORRUPT, "GET " + uri + " answered 416 to a request for bytes from "
                        + receiver.offset() + ": the server's copy is shorter than the hub's file list says");
            }
            throw statusError(uri, s, r.headers(), auth != null);
        }
        throw new HubException(HubException.Kind.HTTP, "GET " + start + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private HttpClient client() {
        if (client == null) throw new HubException(HubException.Kind.OFFLINE, "offline mode is on: no network access");
        return client;
    }

    private HttpRequest request(URI uri, String token, long offset) {
        // the client's request timeout runs from before the connection: it would report a slow connect as a timeout
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(answerTimeout()).header("User-Agent", USER_AGENT).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (offset > 0) b.header("Range", "bytes=" + offset + "-");
        return b.build();
    }

    /** Waits for the exchange; a body that brings no data for the read timeout is aborted. */
    private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> f, BodyReceiver body, URI uri) {
        long stallNanos = options.readTimeout().toNanos();
        long pollMs = Math.max(1, Math.min(200, options.readTimeout().toMillis() / 4));
        while (true) {
            try {
                return f.get(pollMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (body != null && body.stalledFor() > stallNanos) {
                    body.abort(new HttpTimeoutException("stalled"));
                    f.cancel(true);
                    throw new HubException(HubException.Kind.TIMEOUT, "GET " + uri + ": the transfer stalled (no data for "
                            + seconds(options.readTimeout()) + ")", true, null);
                }
            } catch (ExecutionException e) {
                throw failure(uri, e.getCause());
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw new HubException(HubException.Kind.NETWORK, "GET " + uri + ": interrupted", false, e);
            }
        }
    }

    HubException failure(URI uri, Throwable t) {
        String at = "GET " + uri + ": ";
        for (Throwable c = t; c != null; c = c.getCause()) {       // ours, possibly wrapped by the client
            if (c instanceof HubException h) return h;
            if (c instanceof BodyReceiver.LocalWriteFailure w) {
                return new HubException(HubException.Kind.LOCAL_IO, "cannot write the download of " + uri + ": "
                        + w.getCause().getMessage(), false, w.getCause());
            }
        }
        if (t instanceof HttpConnectTimeoutException) {
            return new HubException(HubException.Kind.NETWORK, at + "no connection to " + authority(uri) + " within "
                    + seconds(options.connectTimeout()) + " (is it reachable from this machine, or only through a proxy?)", false, t);
        }
        if (t instanceof HttpTimeoutException) {
            return new HubException(HubException.Kind.TIMEOUT, at + "no answer within " + seconds(answerTimeout()), true, t);
        }
        if (hasCause(t, UnresolvedAddressException.class) || hasCause(t, UnknownHostException.class)) {
            return new HubException(HubException.Kind.NETWORK, at + "cannot resolve the host name " + uri.getHost() + " (DNS)", false, t);
        }
        if (t instanceof ConnectException) {
            return new HubException(HubException.Kind.NETWORK, at + "cannot connect to " + authority(uri) + " ("
                    + (t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName()) + ")", false, t);
        }
        if (t instanceof IOException) {
            return new HubException(HubException.Kind.NETWORK, at + "the connection failed: "
                    + (t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName()), true, t);
        }
        if (t instanceof RuntimeException r) throw r;
        throw new IllegalStateException(t);
    }

    /** The error for a status that is neither success nor redirect: what it means for a model download. */
    static HubException statusError(URI uri, int status, HttpHeaders h, boolean withToken) {
        String server = h.firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        String at = "GET " + uri + " answered " + status + server + ": ";
        return switch (status) {
            case 401 -> new HubException(HubException.Kind.UNAUTHORIZED, at + (withToken
                    ? "the access token was refused; check that it is valid and may read this repository"
                    : "the repository is private or gated and needs an access token (HF_TOKEN for the Hugging Face Hub)"));
            case 403 -> new HubException(HubException.Kind.FORBIDDEN, at + "access denied; for a gated model, accept its terms "
                    + "on the model's page with the account the token belongs to");
            case 404 -> new HubException(HubException.Kind.NOT_FOUND, at + "no such repository, revision or file (check the "
                    + "model id and revision; a mirror may not have it)");
            case 408, 429, 500, 502, 503, 504 -> new HubException(HubException.Kind.HTTP, at + "the server is busy or failing; try again later", true, null);
            default -> new HubException(HubException.Kind.HTTP, at + "unexpected answer");
        };
    }

    /** How long a request may wait for its answer's headers: the connection, then the read timeout. */
    private Duration answerTimeout() { return options.connectTimeout().plus(options.readTimeout()); }

    private void pause(int attempt) {
        long ms = options.retryBackoff().toMillis() << Math.min(attempt, 10);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.NETWORK, "interrupted", false, e);
        }
    }

    /** Waits before retry number {@code attempt + 1} (exponential backoff). */
    void backoff(int attempt) { pause(attempt); }

    private static boolean isRedirect(int s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

    private static URI location(URI from, HttpHeaders h) {
        String loc = h.firstValue("Location").orElseThrow(() -> new HubException(HubException.Kind.BAD_RESPONSE,
                "GET " + from + ": a redirect without a Location header"));
        return from.resolve(loc);
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) { return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80; }

    private static String authority(URI u) { return u.getHost() + ":" + port(u); }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return true;
        return false;
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
    }

    @Override
    public void close() {
        if (client != null) client.shutdownNow();     // nothing is left to wait for: every exchange was awaited or aborted
    }
}
