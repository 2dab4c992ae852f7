package dev.cosyvoice4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.codec.AudioEncoder;
import dev.cosyvoice4j.codec.AudioEncoders;
import dev.cosyvoice4j.codec.AudioFormat;
import dev.cosyvoice4j.engine.AudioChunk;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.Mode;
import dev.cosyvoice4j.engine.Session;
import dev.cosyvoice4j.engine.SpeakerStore;
import dev.cosyvoice4j.engine.SynthesisRequest;
import dev.cosyvoice4j.engine.SynthesisStream;
import dev.cosyvoice4j.engine.SystemPrompts;
import dev.cosyvoice4j.engine.TextInput;
import dev.cosyvoice4j.engine.Voice;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection of the DashScope CosyVoice WebSocket protocol ({@code /api-ws/v1/inference}; serving reference 3.1):
 * {@code run-task} (voice = a saved voice id, format, sample_rate, optional instruction for instruct2, seed) starts
 * {@link Session#synthesizeTextStream} once a synthesis slot is held; each {@code continue-task} text is pushed to the
 * {@link TextInput}; {@code finish-task} ends it. The server sends {@code task-started}, then per audio chunk a
 * {@code result-generated} {@code sentence-synthesis} event followed by one binary frame (bracketed by
 * {@code sentence-begin} / {@code sentence-end} per engine segment), and {@code task-finished} with the usage; every
 * failure is a {@code task-failed} event followed by a close. Sends are serialized per connection (the synthesis runs
 * on its own virtual thread while the connection's thread reads). A client that goes away cancels the synthesis; the
 * slot is freed once the engine has stopped.
 */
final class DashScopeSession implements WsListener {
    private static final Logger LOG = Logger.getLogger(DashScopeSession.class.getName());
    static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dashscope-idle");
        t.setDaemon(true);
        return t;
    });
    /** DashScope's limits: characters per continue-task and per task (CJK ideographs count 2). */
    static final int MAX_CHARS_PER_MESSAGE = 20_000, MAX_CHARS_PER_TASK = 200_000;
    /** DashScope's sample rates (the engine's 24 kHz is resampled to the others), and those opus takes. */
    static final java.util.List<Integer> SAMPLE_RATES = java.util.List.of(8000, 16000, 22050, 24000, 44100, 48000),
            OPUS_RATES = java.util.List.of(8000, 16000, 24000, 48000);

    private final Engine engine;
    private final ServerOptions options;
    private final Admission admission;
    private final SessionPool sessions;
    private final ServerMetrics metrics;

    private final Object sendLock = new Object();
    private WsSession ws;
    private volatile boolean closed;
    private ScheduledFuture<?> idle;

    // the running task (guarded by this)
    private String taskId;
    private TextInput text;
    private SynthesisStream stream;
    private boolean finishing, failed, cancelled;
    /** Between run-task and the slot: the client waits for task-started and owes no message, so the idle timer waits too. */
    private boolean awaitingSlot;
    private long characters;

    DashScopeSession(Engine engine, ServerOptions options, Admission admission, SessionPool sessions, ServerMetrics metrics) {
        this.engine = engine;
        this.options = options;
        this.admission = admission;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    /** The API key check of the HTTP routes, on the upgrade request (the DashScope SDK sends the Bearer header). */
    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        if (options.apiKey() != null) {
            String h = headers.first(HeaderNames.AUTHORIZATION).orElse("");
            boolean ok = h.regionMatches(true, 0, "Bearer ", 0, 7) && MessageDigest.isEqual(
                    h.substring(7).strip().getBytes(StandardCharsets.UTF_8), options.apiKey().getBytes(StandardCharsets.UTF_8));
            if (!ok) throw new WsUpgradeException("missing or invalid API key (Authorization: Bearer <key>)");
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        this.ws = session;
        metrics.webSocketOpened();
        touch();
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        fail(currentTaskId(), "InvalidMessage", "binary frames are not accepted; send JSON text frames (run-task, continue-task, finish-task)",
                WsCloseCodes.NOT_CONSISTENT);
    }

    @Override
    public void onMessage(WsSession session, String message, boolean last) {
        touch();
        Message m;
        try {
            m = Message.decode(message);
        } catch (TaskError e) {
            fail(currentTaskId(), e.code, e.getMessage(), WsCloseCodes.NORMAL_CLOSE);
            return;
        }
        try {
            switch (m.action()) {
                case "run-task" -> runTask(m.taskId(), m.payload());
                case "continue-task" -> continueTask(m.taskId(), m.payload());
                case "finish-task" -> finishTask(m.taskId());
                default -> throw new TaskError("InvalidParameter", "unknown action '" + m.action()
                        + "'; expected run-task, continue-task or finish-task");
            }
        } catch (TaskError e) {
            fail(m.taskId() != null ? m.taskId() : currentTaskId(), e.code, e.getMessage(), WsCloseCodes.NORMAL_CLOSE);
        }
    }

    /** One client text frame: {@code {"header": {"action", "task_id"}, "payload": {...}}}. */
    record Message(String action, String taskId, JsonNode payload) {
        /** Parses a frame; anything that is not such an object is a {@link TaskError} "InvalidMessage". */
        static Message decode(String message) {
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(message);
            } catch (Exception e) {
                String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                throw new TaskError("InvalidMessage", "bad JSON: " + why);
            }
            JsonNode header = root == null ? null : root.get("header");
            if (header == null || !header.isObject()) {
                throw new TaskError("InvalidMessage", "a message needs a 'header' object with 'action' and 'task_id'");
            }
            return new Message(header.path("action").asText(""), header.path("task_id").asText(null), root.path("payload"));
        }
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        shutdown();
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(Level.FINE, "DashScope WebSocket error", t);
        shutdown();
    }

    /** A failure to report as task-failed (code and message), then close. */
    static final class TaskError extends RuntimeException {
        final String code;

        TaskError(String code, String message) {
            super(dev.cosyvoice4j.io.ModelFormatException.oneLine(message), null, false, false);
            this.code = code;
        }
    }

    private synchronized String currentTaskId() { return taskId; }

    private void runTask(String id, JsonNode payload) {
        if (id == null || id.isBlank()) throw new TaskError("InvalidParameter", "run-task needs header.task_id");
        synchronized (this) {
            if (taskId != null) throw new TaskError("InvalidParameter", "a task is already running on this connection (task_id " + taskId + ")");
            taskId = id;
        }
        JsonNode params = payload.path("parameters");
        String voiceId = params.path("voice").asText(null);
        if (voiceId == null || voiceId.isBlank()) throw new TaskError("InvalidParameter", "parameters.voice is required: a saved voice id");
        SpeakerStore store = engine.speakers();
        if (!SpeakerStore.validId(voiceId) || !store.exists(voiceId)) {
            throw new TaskError("InvalidParameter", "voice '" + voiceId + "' not found; save one with POST /v1/audio/voices");
        }
        String formatName = params.path("format").asText("mp3");
        AudioFormat format;
        try {
            format = AudioFormat.parse(formatName);
        } catch (IllegalArgumentException e) {
            format = null;
        }
        if (format == null || !AudioEncoders.supported(format)
                || !(format == AudioFormat.PCM || format == AudioFormat.WAV || format == AudioFormat.MP3 || format == AudioFormat.OPUS)) {
            throw new TaskError("InvalidParameter", "format '" + formatName + "' is not supported; supported: pcm, wav, mp3, opus");
        }
        int rate = engine.sampleRateHz();
        JsonNode sr = params.get("sample_rate");
        if (sr != null && !sr.isNull()) {
            rate = sr.asInt(-1);
            if (!SAMPLE_RATES.contains(rate)) {
                throw new TaskError("InvalidParameter", "sample_rate " + sr.asText() + " is not supported; supported: "
                        + SAMPLE_RATES + " (the engine produces " + engine.sampleRateHz() + " Hz; others are resampled)");
            }
        }
        if (format == AudioFormat.OPUS && !OPUS_RATES.contains(rate)) {
            throw new TaskError("InvalidParameter", "opus needs sample_rate " + OPUS_RATES + ", not " + rate);
        }
        long seed = params.path("seed").asLong(0);
        String instruction = params.path("instruction").asText(null);
        if (instruction != null && instruction.isBlank()) instruction = null;
        if (instruction != null && instruction.length() > 128) {
            throw new TaskError("InvalidParameter", "instruction is longer than 128 characters");
        }
        Voice v = engine.savedVoice(voiceId);
        SynthesisRequest request;
        try {
            SynthesisRequest.Builder b;
            if (instruction != null) {
                b = SynthesisRequest.builder(Mode.INSTRUCT2).instructText(SystemPrompts.instruction(engine.family(), instruction));
            } else {
                if (v.promptText() == null) {
                    throw new TaskError("InvalidParameter", "voice '" + voiceId + "' has no transcript, so it cannot be used for "
                            + "zero-shot text streaming; send parameters.instruction (instruct2), or save the voice with ref_text");
                }
                b = SynthesisRequest.builder(Mode.ZERO_SHOT);
            }
            request = b.speakerId(voiceId).seed(seed).stream(true).pinnedTokens(options.pinnedTokens())
                    .text("(text stream)").build().validate();
        } catch (IllegalArgumentException e) {
            throw new TaskError("InvalidParameter", e.getMessage());
        }
        TextInput input = new TextInput();
        synchronized (this) {
            text = input;
            awaitingSlot = true;
        }
        AudioFormat f = format;
        int outRate = rate;
        Thread.ofVirtual().name("dashscope-" + id).start(() -> synthesize(id, request, input, f, outRate));
    }

    private void continueTask(String id, JsonNode payload) {
        String t;
        TextInput input;
        synchronized (this) {
            checkTask(id, "continue-task");
            input = text;
            if (finishing) throw new TaskError("InvalidParameter", "continue-task after finish-task");
            JsonNode in = payload.path("input");
            t = in.path("text").asText("");
            long n = characters(t);
            if (n > MAX_CHARS_PER_MESSAGE) {
                throw new TaskError("InvalidParameter", "text of one continue-task is " + n + " characters; the limit is " + MAX_CHARS_PER_MESSAGE);
            }
            if (characters + n > MAX_CHARS_PER_TASK) {
                throw new TaskError("InvalidParameter", "the task's text exceeds " + MAX_CHARS_PER_TASK + " characters");
            }
            characters += n;
            // input.flush is accepted; the engine's text stream speaks as soon as tokens allow, so there is nothing to force
        }
        if (!t.isEmpty()) input.push(t);
    }

    private void finishTask(String id) {
        TextInput input;
        synchronized (this) {
            checkTask(id, "finish-task");
            if (finishing) return;
            finishing = true;
            input = text;
        }
        input.finish();
    }

    private void checkTask(String id, String action) {
        if (taskId == null) throw new TaskError("InvalidParameter", action + " before run-task");
        if (id != null && !id.equals(taskId)) {
            throw new TaskError("InvalidParameter", action + " for task_id " + id + ", but the running task is " + taskId);
        }
    }

    /** The synthesis thread: slot, session, stream; events and audio out. */
    private void synthesize(String id, SynthesisRequest request, TextInput input, AudioFormat format, int rate) {
        long start = System.nanoTime();
        Admission.Permit permit;
        try {
            permit = admission.acquire();
        } catch (ApiException e) {
            fail(id, "Throttling", "Requests rate limit exceeded, please try again later (" + e.getMessage() + ")", WsCloseCodes.TRY_AGAIN_LATER);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Runnable finished = null;
        try (permit) {
            if (closed) return;
            synchronized (this) {
                awaitingSlot = false;
            }
            touch();                                    // the idle time counts from task-started, not from run-task
            Session session = sessions.take();
            try {
                SynthesisStream s;
                try {
                    s = session.synthesizeTextStream(request, input);
                } catch (IllegalArgumentException e) {
                    fail(id, "InvalidParameter", e.getMessage(), WsCloseCodes.NORMAL_CLOSE);
                    return;
                }
                synchronized (this) {
                    stream = s;
                    if (cancelled || closed) s.cancel();
                }
                finished = run(id, s, format, rate, start);
            } finally {
                sessions.give(session);
            }
        }
        if (finished != null) finished.run();
    }

    /**
     * Streams the audio and events of task {@code id}; returns its ending (free the connection's task, then
     * task-finished), to run once the stream, session and admission slot are given back, or null when it failed or
     * was cancelled.
     */
    private Runnable run(String id, SynthesisStream s, AudioFormat format, int rate, long start) {
        AudioEncoder encoder = AudioEncoders.streaming(format, rate);
        Resampler resampler = rate == engine.sampleRateHz() ? null : new Resampler(engine.sampleRateHz(), rate);
        sendEvent(id, "task-started", Json.object());
        int segment = -1, sentences = 0;
        long samples = 0;
        boolean first = true;
        try (s) {
            while (true) {
                AudioChunk c;
                try {
                    if (!s.hasNext()) break;
                    c = s.next();
                } catch (RuntimeException e) {
                    if (closed || cancelled) return null;
                    metrics.failed();
                    fail(id, e instanceof IllegalArgumentException ? "InvalidParameter" : "InternalError",
                            "synthesis failed: " + e.getMessage(), WsCloseCodes.NORMAL_CLOSE);
                    return null;
                }
                if (closed || cancelled) {
                    drain(s);
                    metrics.cancelled();
                    return null;
                }
                if (c.segmentIndex() != segment) {
                    if (segment >= 0) sendSentence(id, "sentence-end", segment);
                    segment = c.segmentIndex();
                    sentences++;
                    sendSentence(id, "sentence-begin", segment);
                }
                if (c.samples().length == 0) continue;
                samples += c.samples().length;
                float[] pcm = resampler == null ? c.samples() : resampler.process(c.samples());
                byte[] b = encoder.encode(pcm, 0, pcm.length);
                if (b.length > 0) {
                    sendSentence(id, "sentence-synthesis", segment);
                    sendBinary(b);
                    if (first) {
                        first = false;
                        metrics.firstAudio(System.nanoTime() - start);
                    }
                }
            }
            byte[] rest = new byte[0];
            if (resampler != null) {
                float[] r = resampler.finish();
                rest = encoder.encode(r, 0, r.length);
            }
            byte[] fin = encoder.finish();
            byte[] tail = new byte[rest.length + fin.length];
            System.arraycopy(rest, 0, tail, 0, rest.length);
            System.arraycopy(fin, 0, tail, rest.length, fin.length);
            if (tail.length > 0) {
                if (segment < 0) {
                    segment = 0;
                    sendSentence(id, "sentence-begin", segment);
                }
                sendSentence(id, "sentence-synthesis", segment);
                sendBinary(tail);
            }
            if (segment >= 0) sendSentence(id, "sentence-end", segment);
            ObjectNode payload = Json.object();
            payload.set("output", Json.object());
            ObjectNode usage = Json.object();
            synchronized (this) {
                usage.put("characters", characters);
            }
            payload.set("usage", usage);
            double seconds = samples / (double) engine.sampleRateHz();
            return () -> {
                // the connection may run another task, and a client sends it the moment it reads task-finished:
                // everything is free before that goes out (under load the next run-task was refused as "already running")
                synchronized (this) {
                    taskId = null;
                    text = null;
                    stream = null;
                    finishing = false;
                    characters = 0;
                }
                sendEvent(id, "task-finished", payload);
                metrics.finished(seconds, (System.nanoTime() - start) / 1e9);
                touch();                        // an idle connection without a task times out too
            };
        }
    }

    private static void drain(SynthesisStream s) {
        try {
            while (s.hasNext()) s.next();
        } catch (RuntimeException ignored) {
            // cancelled: nothing to report
        }
    }

    private void sendSentence(String id, String type, int index) {
        ObjectNode sentence = Json.object();
        sentence.put("index", index);
        sentence.set("words", Json.MAPPER.createArrayNode());
        ObjectNode output = Json.object();
        output.put("type", type);
        output.set("sentence", sentence);
        ObjectNode payload = Json.object();
        payload.set("output", output);
        sendEvent(id, "result-generated", payload);
    }

    private void sendEvent(String id, String event, ObjectNode payload) {
        ObjectNode header = Json.object();
        header.put("task_id", id);
        header.put("event", event);
        header.set("attributes", Json.object());
        ObjectNode root = Json.object();
        root.set("header", header);
        root.set("payload", payload);
        sendText(Json.write(root));
    }

    private void sendText(String s) {
        synchronized (sendLock) {
            if (closed) return;
            try {
                ws.send(s, true);
            } catch (RuntimeException e) {
                gone(e);
            }
        }
    }

    private void sendBinary(byte[] b) {
        synchronized (sendLock) {
            if (closed) return;
            try {
                ws.send(BufferData.create(b), true);
            } catch (RuntimeException e) {
                gone(e);
            }
        }
    }

    private void gone(RuntimeException e) {
        LOG.log(Level.FINE, "DashScope client gone: " + e.getMessage());
        shutdown();
    }

    /** task-failed (DashScope's form), then close the connection. */
    void fail(String id, String code, String message, int closeCode) {
        synchronized (this) {
            if (failed) return;
            failed = true;
        }
        ObjectNode header = Json.object();
        header.put("task_id", id);
        header.put("event", "task-failed");
        header.put("error_code", code);
        header.put("error_message", message);
        header.set("attributes", Json.object());
        ObjectNode root = Json.object();
        root.set("header", header);
        root.set("payload", Json.object());
        synchronized (sendLock) {
            if (!closed) {
                try {
                    ws.send(Json.write(root), true);
                    ws.close(closeCode, closeCode == WsCloseCodes.TRY_AGAIN_LATER ? "server busy" : code);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "could not send task-failed: " + e.getMessage());
                }
            }
        }
        shutdown();
    }

    /** Ends the connection's task: cancels the synthesis (its thread frees the slot once the engine stopped). */
    private void shutdown() {
        SynthesisStream s;
        TextInput t;
        synchronized (this) {
            if (closed) return;
            closed = true;
            cancelled = true;
            if (ws != null) metrics.webSocketClosed();
            s = stream;
            t = text;
            if (idle != null) idle.cancel(false);
        }
        if (s != null) s.cancel();
        if (t != null) t.finish();
    }

    /** Restarts the idle timer: no client message within the timeout fails the task (DashScope's 23 s rule). */
    private synchronized void touch() {
        if (closed) return;
        if (idle != null) idle.cancel(false);
        long ms = options.wsIdleTimeout().toMillis();
        idle = TIMERS.schedule(() -> {
            synchronized (this) {
                if (taskId != null && stream != null && finishing) return;    // finishing: audio still flowing, no input owed
                if (awaitingSlot) return;            // queued for a slot: admission's queue timeout decides (Throttling)
            }
            fail(currentTaskId(), "CLIENT_ERROR", "request timeout after " + (ms % 1000 == 0 ? ms / 1000 + " seconds" : ms + " ms") + ".",
                    WsCloseCodes.NORMAL_CLOSE);
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** DashScope's count: CJK ideographs 2, every other code point 1. */
    static long characters(String s) {
        return s.codePoints().mapToLong(cp -> Character.isIdeographic(cp) ? 2 : 1).sum();
    }
}
