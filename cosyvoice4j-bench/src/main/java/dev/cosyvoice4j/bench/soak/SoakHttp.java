package dev.cosyvoice4j.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.bench.soak.SoakResult.Outcome;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP side of the soak: speech requests read to the end and compared with their serial answers, abandoned
 * requests, malformed requests, voice uploads and deletions. Every method answers with what happened and never throws
 * for what the server or the network did.
 */
final class SoakHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** A response read to its end: the audio (Ogg serials zeroed), or why there is none. */
    record Answer(Outcome outcome, int status, byte[] audio, double latencyMs, double ttfaMs, String detail) {
        boolean ok() { return outcome == Outcome.OK; }
    }

    private final SoakConfig config;
    final HttpClient http;

    SoakHttp(SoakConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(config.endpoint(path)).timeout(config.requestTimeout());
        if (config.apiKey() != null) b.header("Authorization", "Bearer " + config.apiKey());
        return b;
    }

    private HttpRequest speechRequest(String json) {
        return request("/v1/audio/speech").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** One speech request read to its end; the outcome is OK when the response is complete (not yet compared). */
    Answer speak(String json, boolean sse, String format) throws InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(speechRequest(json), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Answer(Outcome.TRANSPORT, 0, null, ms(t0), Double.NaN, describe(e));
        }
        int status = resp.statusCode();
        if (status != 200) return refusal(resp, t0);
        double[] ttfa = {Double.NaN};
        try (InputStream in = resp.body()) {
            byte[] audio = sse ? readSse(in, t0, ttfa) : readAll(in, t0, ttfa);
            if (audio == null) return new Answer(Outcome.INCOMPLETE, status, null, ms(t0), ttfa[0], "SSE stream without speech.audio.done");
            if (audio.length == 0) return new Answer(Outcome.INCOMPLETE, status, audio, ms(t0), ttfa[0], "HTTP 200 without audio");
            if (format.equals("opus")) audio = OggPages.withoutSerials(audio);
            return new Answer(Outcome.OK, status, audio, ms(t0), ttfa[0], null);
        } catch (SseError e) {
            return new Answer(Outcome.UNEXPECTED, status, null, ms(t0), ttfa[0], e.getMessage());
        } catch (IOException e) {
            return new Answer(Outcome.INCOMPLETE, status, null, ms(t0), ttfa[0], "stream broke: " + describe(e));
        }
    }

    private static byte[] readAll(InputStream in, long t0, double[] ttfa) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        for (int n; (n = in.read(buf)) >= 0; ) {
            if (n > 0 && out.size() == 0) ttfa[0] = ms(t0);
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** The decoded audio of the delta events; null when {@code speech.audio.done} never came. */
    private static byte[] readSse(InputStream in, long t0, double[] ttfa) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        ByteArrayOutputStream audio = new ByteArrayOutputStream();
        boolean done = false;
        for (String line; (line = r.readLine()) != null; ) {
            if (!line.startsWith("data: ")) continue;
            JsonNode ev = JSON.readTree(line.substring(6));
            switch (ev.path("type").asText()) {
                case "speech.audio.delta" -> {
                    if (audio.size() == 0) ttfa[0] = ms(t0);
                    audio.writeBytes(Base64.getDecoder().decode(ev.path("audio").asText()));
                }
                case "speech.audio.done" -> done = true;
                case "speech.audio.error" -> throw new SseError("speech.audio.error: " + ev.path("error").path("message").asText());
                default -> throw new SseError("unknown SSE event " + ev.path("type").asText());
            }
        }
        return done ? audio.toByteArray() : null;
    }

    private static final class SseError extends IOException {
        SseError(String m) { super(m); }
    }

    /**
     * A speech request abandoned on purpose: half the time the exchange is cancelled after a random 20-600 ms (queued,
     * in prefill or already streaming), otherwise the body is closed after its first bytes.
     */
    SoakResult disconnect(SoakCases.Speech c, Random random, double startS) throws InterruptedException {
        long t0 = System.nanoTime();
        boolean early = random.nextBoolean();
        CompletableFuture<HttpResponse<InputStream>> f = http.sendAsync(speechRequest(c.json()), HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> resp;
        try {
            resp = early ? f.get(20 + random.nextInt(580), TimeUnit.MILLISECONDS) : f.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new SoakResult(SoakOp.DISCONNECT_HTTP, c.id() + "/before-headers", Outcome.DISCONNECTED, startS, ms(t0), Double.NaN, 0, null);
        } catch (ExecutionException e) {
            return new SoakResult(SoakOp.DISCONNECT_HTTP, c.id(), Outcome.TRANSPORT, startS, ms(t0), Double.NaN, 0, describe(e.getCause()));
        }
        if (resp.statusCode() != 200) {
            Answer a = refusal(resp, t0);
            return new SoakResult(SoakOp.DISCONNECT_HTTP, c.id(), a.outcome(), startS, ms(t0), Double.NaN, 0, a.detail());
        }
        long bytes = 0;
        double ttfa = Double.NaN;
        try (InputStream in = resp.body()) {            // closing before the end drops the connection
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            if (n > 0) {
                bytes = n;
                ttfa = ms(t0);
            }
        } catch (IOException e) {
            // the abandoning side does not care how the stream ended
        }
        return new SoakResult(SoakOp.DISCONNECT_HTTP, c.id() + "/mid-stream", Outcome.DISCONNECTED, startS, ms(t0), ttfa, bytes, null);
    }

    /** A malformed request: REFUSED when it gets one of its expected statuses with an OpenAI error body. */
    SoakResult malformed(SoakOp op, SoakCases.Malformed m, double startS) throws InterruptedException {
        long t0 = System.nanoTime();
        HttpRequest.Builder b = request(m.path());
        if (m.contentType() != null) b.header("Content-Type", m.contentType());
        b.method(m.method(), m.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(m.body()));
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return new SoakResult(op, m.id(), Outcome.TRANSPORT, startS, ms(t0), Double.NaN, 0, describe(e));
        }
        String body = new String(resp.body(), StandardCharsets.UTF_8);
        int status = resp.statusCode();
        if (status == 429) return new SoakResult(op, m.id(), Outcome.REJECTED, startS, ms(t0), Double.NaN, 0, null);
        String message = errorMessage(body);
        if (m.expected().contains(status) && message != null) {
            return new SoakResult(op, m.id(), Outcome.REFUSED, startS, ms(t0), Double.NaN, 0, "HTTP " + status);
        }
        return new SoakResult(op, m.id(), Outcome.UNEXPECTED, startS, ms(t0), Double.NaN, 0,
                "expected HTTP " + m.expected() + " with an error message, got " + status + ": " + shorten(body, 160));
    }

    /** Saves a voice from the run's prompt ({@code transcript} null = none); the status (0 = transport failure) and body. */
    Answer uploadVoice(String name, byte[] wav, String transcript) throws InterruptedException {
        long t0 = System.nanoTime();
        String boundary = "soakUpload" + Long.toHexString(System.nanoTime());
        byte[] body = SoakCases.multipart(boundary, name, wav, transcript);
        try {
            HttpResponse<byte[]> r = http.send(request("/v1/audio/voices").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            String text = new String(r.body(), StandardCharsets.UTF_8);
            Outcome o = r.statusCode() == 200 || r.statusCode() == 201 ? Outcome.OK : r.statusCode() == 429 ? Outcome.REJECTED : Outcome.UNEXPECTED;
            return new Answer(o, r.statusCode(), null, ms(t0), Double.NaN, o == Outcome.OK ? null : "upload: HTTP " + r.statusCode() + " " + shorten(text, 160));
        } catch (IOException e) {
            return new Answer(Outcome.TRANSPORT, 0, null, ms(t0), Double.NaN, "upload: " + describe(e));
        }
    }

    /** Deletes a voice; the status (0 = transport failure). */
    int deleteVoice(String name) throws InterruptedException {
        try {
            return http.send(request("/v1/audio/voices/" + name).DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The saved voice ids. */
    List<String> voices() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request("/v1/audio/voices").GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET /v1/audio/voices answered HTTP " + r.statusCode() + ": " + shorten(r.body(), 200));
        List<String> ids = new ArrayList<>();
        for (JsonNode v : JSON.readTree(r.body()).path("voices")) ids.add(v.path("id").asText());
        return ids;
    }

    /** GET a small text resource (health, metrics); IOException with the status when not 200. */
    String getText(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(path).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + path + " answered HTTP " + r.statusCode());
        return r.body();
    }

    private static Answer refusal(HttpResponse<InputStream> resp, long t0) {
        String text;
        try (InputStream in = resp.body()) {
            text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = describe(e);
        }
        int status = resp.statusCode();
        Outcome o = status == 429 ? Outcome.REJECTED : Outcome.UNEXPECTED;
        return new Answer(o, status, null, ms(t0), Double.NaN, "HTTP " + status + " " + shorten(text, 200));
    }

    /** The OpenAI error's message, or null when the body is not one. */
    static String errorMessage(String body) {
        try {
            JsonNode m = JSON.readTree(body).path("error").path("message");
            return m.isTextual() && !m.asText().isBlank() ? m.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    static String shorten(String s, int max) {
        s = s.strip().replace('\n', ' ');
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

}
