package dev.cosyvoice4j.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.bench.soak.SoakResult.Outcome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The DashScope WebSocket side of the soak, on {@code java.net.http.WebSocket}: whole tasks (run, continue in pieces,
 * finish) whose audio is compared with the serial answer, tasks abandoned after their first audio frame, and broken
 * conversations that must end in {@code task-failed} with the right error code.
 */
final class SoakSocket {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SoakConfig config;
    private final HttpClient http;

    SoakSocket(SoakConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    /** One connection's events: text frames as JSON, binary frames appended as audio. */
    static final class Events implements WebSocket.Listener {
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        final CompletableFuture<Void> started = new CompletableFuture<>(), firstAudio = new CompletableFuture<>();
        /** "task-finished", "task-failed:CODE message", or "closed:STATUS" when the server closed first. */
        final CompletableFuture<String> end = new CompletableFuture<>();
        /** Completed when the connection is over (a close frame from the server, or an error). */
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        volatile long firstAudioNanos;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                try {
                    JsonNode h = JSON.readTree(frame).path("header");
                    switch (h.path("event").asText()) {
                        case "task-started" -> started.complete(null);
                        case "task-finished" -> end.complete("task-finished");
                        case "task-failed" -> {         // end first: a waiter woken by started must see it
                            end.complete("task-failed:" + h.path("error_code").asText() + " " + h.path("error_message").asText());
                            started.complete(null);
                        }
                        default -> { }                           // result-generated: the audio frame follows
                    }
                } catch (IOException e) {
                    end.complete("bad frame from the server: " + SoakHttp.shorten(frame, 120));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                synchronized (audio) {
                    audio.writeBytes(binary.toByteArray());
                }
                binary.reset();
                if (firstAudioNanos == 0) firstAudioNanos = System.nanoTime();
                firstAudio.complete(null);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            end.complete("closed:" + status + " " + reason);
            started.complete(null);
            firstAudio.complete(null);
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            end.complete("error:" + SoakHttp.describe(error));
            started.complete(null);
            firstAudio.complete(null);
            closed.complete(null);
        }

        byte[] audioBytes() {
            synchronized (audio) {
                return audio.toByteArray();
            }
        }
    }

    private WebSocket open(Events events) throws IOException, InterruptedException {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(config.requestTimeout());
        if (config.apiKey() != null) b.header("Authorization", "Bearer " + config.apiKey());
        try {
            return b.buildAsync(config.webSocket(), events).get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("WebSocket upgrade failed: " + SoakHttp.describe(e.getCause() != null ? e.getCause() : e), e);
        }
    }

    static String message(String action, String taskId, ObjectNode payload) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode h = root.putObject("header");
        h.put("action", action);
        h.put("task_id", taskId);
        h.put("streaming", "duplex");
        root.set("payload", payload);
        return root.toString();
    }

    static String runTask(String taskId, SoakCases.Socket c, String voice) {
        ObjectNode p = JSON.createObjectNode();
        p.put("task_group", "audio").put("task", "tts").put("function", "SpeechSynthesizer").put("model", "cosyvoice-v3-flash");
        p.putObject("parameters").put("voice", voice).put("format", c.format()).put("sample_rate", c.sampleRateHz()).put("seed", c.seed());
        p.putObject("input");
        return message("run-task", taskId, p);
    }

    static String continueTask(String taskId, String text) {
        ObjectNode p = JSON.createObjectNode();
        p.putObject("input").put("text", text);
        return message("continue-task", taskId, p);
    }

    /**
     * One task; {@code abandonAfterFirstAudio}: the connection is aborted at the first audio frame (the outcome is then
     * DISCONNECTED). Otherwise OK carries the audio (to be compared), REJECTED a Throttling refusal.
     */
    SoakHttp.Answer task(SoakCases.Socket c, String taskId, boolean abandonAfterFirstAudio) throws InterruptedException {
        long t0 = System.nanoTime();
        Events ev = new Events();
        WebSocket ws = null;
        try {
            ws = open(ev);
            ws.sendText(runTask(taskId, c, c.voice()), true).get(30, TimeUnit.SECONDS);
            ev.started.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (ev.end.isDone()) return ended(ev, t0, "before task-started");
            for (String piece : c.pieces()) ws.sendText(continueTask(taskId, piece), true).get(30, TimeUnit.SECONDS);
            ObjectNode empty = JSON.createObjectNode();
            empty.putObject("input");
            if (abandonAfterFirstAudio) {
                ev.firstAudio.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
                ws.abort();
                return new SoakHttp.Answer(Outcome.DISCONNECTED, 0, null, SoakHttp.ms(t0), ttfa(ev, t0), null);
            }
            ws.sendText(message("finish-task", taskId, empty), true).get(30, TimeUnit.SECONDS);
            String end = ev.end.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!end.equals("task-finished")) return ended(ev, t0, "after finish-task");
            byte[] audio = ev.audioBytes();
            if (audio.length == 0) return new SoakHttp.Answer(Outcome.INCOMPLETE, 0, audio, SoakHttp.ms(t0), Double.NaN, "task-finished without audio");
            return new SoakHttp.Answer(Outcome.OK, 0, audio, SoakHttp.ms(t0), ttfa(ev, t0), null);
        } catch (IOException | ExecutionException e) {
            return new SoakHttp.Answer(Outcome.TRANSPORT, 0, null, SoakHttp.ms(t0), Double.NaN, SoakHttp.describe(e));
        } catch (TimeoutException e) {
            return new SoakHttp.Answer(Outcome.TRANSPORT, 0, null, SoakHttp.ms(t0), Double.NaN, "no answer within " + config.requestTimeout());
        } finally {
            if (ws != null) closeQuietly(ws, ev);
        }
    }

    /** A close handshake (unless the server already closed), then the connection dropped either way. */
    private static void closeQuietly(WebSocket ws, Events ev) {
        try {
            if (!ws.isOutputClosed()) ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            ev.closed.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // abort below
        }
        ws.abort();
    }

    private static SoakHttp.Answer ended(Events ev, long t0, String when) {
        String end = ev.end.getNow("");
        if (end.startsWith("task-failed:Throttling")) return new SoakHttp.Answer(Outcome.REJECTED, 0, null, SoakHttp.ms(t0), Double.NaN, null);
        return new SoakHttp.Answer(Outcome.UNEXPECTED, 0, null, SoakHttp.ms(t0), Double.NaN, when + ": " + SoakHttp.shorten(end, 200));
    }

    private static double ttfa(Events ev, long t0) {
        long t = ev.firstAudioNanos;
        return t == 0 ? Double.NaN : (t - t0) / 1e6;
    }

    /** A broken conversation: REFUSED when the server answers {@code task-failed} with the expected code. */
    SoakResult malformed(SoakCases.MalformedSocket kind, String taskId, double startS) throws InterruptedException {
        long t0 = System.nanoTime();
        Events ev = new Events();
        WebSocket ws = null;
        String variant = kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        try {
            ws = open(ev);
            switch (kind) {
                case BINARY_FRAME -> ws.sendBinary(ByteBuffer.wrap(new byte[]{1, 2, 3, 4}), true).get(30, TimeUnit.SECONDS);
                case BAD_JSON -> ws.sendText("{\"header\": {\"action\": \"run-task\", ", true).get(30, TimeUnit.SECONDS);
                case CONTINUE_BEFORE_RUN -> ws.sendText(continueTask(taskId, "Hello."), true).get(30, TimeUnit.SECONDS);
                case UNKNOWN_VOICE -> ws.sendText(runTask(taskId, new SoakCases.Socket("x", "no-such-voice-soak", "pcm", 24000, 1,
                        java.util.List.of()), "no-such-voice-soak"), true).get(30, TimeUnit.SECONDS);
                case UNKNOWN_ACTION -> ws.sendText(message("pause-task", taskId, JSON.createObjectNode()), true).get(30, TimeUnit.SECONDS);
            }
            String end = ev.end.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (end.startsWith("task-failed:" + kind.errorCode + " ")) {
                return new SoakResult(SoakOp.MALFORMED_WS, variant, Outcome.REFUSED, startS, SoakHttp.ms(t0), Double.NaN, 0, kind.errorCode);
            }
            if (end.startsWith("task-failed:Throttling")) {
                return new SoakResult(SoakOp.MALFORMED_WS, variant, Outcome.REJECTED, startS, SoakHttp.ms(t0), Double.NaN, 0, null);
            }
            return new SoakResult(SoakOp.MALFORMED_WS, variant, Outcome.UNEXPECTED, startS, SoakHttp.ms(t0), Double.NaN, 0,
                    "expected task-failed " + kind.errorCode + ", got " + SoakHttp.shorten(end, 160));
        } catch (IOException | ExecutionException e) {
            return new SoakResult(SoakOp.MALFORMED_WS, variant, Outcome.TRANSPORT, startS, SoakHttp.ms(t0), Double.NaN, 0, SoakHttp.describe(e));
        } catch (TimeoutException e) {
            return new SoakResult(SoakOp.MALFORMED_WS, variant, Outcome.TRANSPORT, startS, SoakHttp.ms(t0), Double.NaN, 0,
                    "no task-failed within " + config.requestTimeout());
        } finally {
            if (ws != null) closeQuietly(ws, ev);
        }
    }
}
