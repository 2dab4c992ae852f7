package dev.cosyvoice4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.codec.AudioEncoder;
import dev.cosyvoice4j.codec.AudioEncoders;
import dev.cosyvoice4j.codec.AudioFormat;
import dev.cosyvoice4j.engine.SystemPrompts;
import dev.cosyvoice4j.engine.AudioChunk;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.Mode;
import dev.cosyvoice4j.engine.Session;
import dev.cosyvoice4j.engine.SpeakerStore;
import dev.cosyvoice4j.engine.SynthesisRequest;
import dev.cosyvoice4j.engine.SynthesisStream;
import dev.cosyvoice4j.engine.Voice;
import dev.cosyvoice4j.io.ModelFormatException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Collectors;

/**
 * {@code POST /v1/audio/speech}: OpenAI's speech endpoint on the engine. The audio is streamed while it is generated
 * (the engine's streaming mode, official chunk schedule) as raw bytes of the response format ({@code stream_format:
 * audio}, chunked) or as {@code speech.audio.delta}/{@code speech.audio.done} events ({@code sse}); {@code speed}
 * other than 1 needs the offline mode (as the official engine), whose audio is sent as one file with exact sizes.
 * A client that goes away is noticed at the next write: the synthesis is cancelled, and its slot is freed once the
 * engine has stopped.
 */
final class SpeechService {
    private final Engine engine;
    private final ServerOptions options;
    private final Admission admission;
    private final SessionPool sessions;
    private final ServerMetrics metrics;

    SpeechService(Engine engine, ServerOptions options, Admission admission, SessionPool sessions, ServerMetrics metrics) {
        this.engine = engine;
        this.options = options;
        this.admission = admission;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    void handle(ServerRequest req, ServerResponse res) throws InterruptedException {
        long startNanos = System.nanoTime();
        String body = new String(Bodies.read(req, options.maxBodyBytes()), StandardCharsets.UTF_8);
        SpeechParams p = SpeechParams.parse(body, options);
        if (!AudioEncoders.supported(p.format())) {
            throw ApiException.invalid("response_format", "unsupported_response_format", "response_format '" + p.format().id()
                    + "' is not supported by this server; supported: " + supportedFormats());
        }
        try (TempAudio ref = TempAudio.of(p.refAudio()); TempAudio source = TempAudio.of(p.sourceAudio())) {
            SynthesisRequest request = request(p, ref, source);
            try (Admission.Permit permit = admission.acquire()) {
                Session session = sessions.take();
                try {
                    run(session, request, p, ref, source, res, startNanos);
                } finally {
                    sessions.give(session);
                }
            }
        }
    }

    static String supportedFormats() {
        return AudioEncoders.supportedFormats().stream().map(AudioFormat::id).sorted().collect(Collectors.joining(", "));
    }

    /** The engine request: the voice (saved or one-off), the mode (task, or inferred), the CosyVoice3 prompts. */
    private SynthesisRequest request(SpeechParams p, TempAudio ref, TempAudio source) {
        String promptText;
        SynthesisRequest.Builder b;
        Mode mode;
        String voiceId = null;
        if (ref != null) {
            promptText = SystemPrompts.promptText(engine.family(), p.refText());
        } else {
            voiceId = p.voice();
            SpeakerStore store = engine.speakers();
            if (!SpeakerStore.validId(voiceId) || !store.exists(voiceId)) {
                throw ApiException.invalid("voice", "voice_not_found", "voice '" + voiceId + "' not found; saved voices: "
                        + savedVoices(store) + " (upload one with POST /v1/audio/voices, or send ref_audio and ref_text)");
            }
            Voice v = engine.savedVoice(voiceId);
            promptText = v.promptText();
        }
        String instruct = SystemPrompts.instruction(engine.family(), p.instructions());
        if (p.task() != null) {
            mode = switch (p.task()) {
                case ZERO_SHOT -> Mode.ZERO_SHOT;
                case CROSS_LINGUAL -> Mode.CROSS_LINGUAL;
                case INSTRUCT2 -> Mode.INSTRUCT2;
                case VC -> Mode.VOICE_CONVERSION;
            };
        } else if (instruct != null) {
            mode = Mode.INSTRUCT2;
        } else {
            mode = promptText != null ? Mode.ZERO_SHOT : Mode.CROSS_LINGUAL;
        }
        if (mode == Mode.ZERO_SHOT && promptText == null) {
            throw ApiException.invalid(ref != null ? "ref_text" : "voice", "missing_prompt_text",
                    "zero_shot needs the transcript of the voice's audio: send ref_text (or save the voice with ref_text), or use task cross_lingual");
        }
        b = SynthesisRequest.builder(mode).seed(p.seed()).speed(p.speed()).stream(p.speed() == 1.0)
                .pinnedTokens(options.pinnedTokens());
        if (ref != null) b.promptWav(ref.file);
        else b.speakerId(voiceId);
        if (mode == Mode.ZERO_SHOT && ref != null) b.promptText(promptText);
        if (mode == Mode.INSTRUCT2) b.instructText(instruct);
        if (mode == Mode.VOICE_CONVERSION) b.sourceWav(source.file);
        else b.text(mode == Mode.CROSS_LINGUAL ? SystemPrompts.crossLingualText(engine.family(), p.input()) : p.input());
        try {
            return b.build().validate();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, "invalid_request", e.getMessage());
        }
    }

    private static String savedVoices(SpeakerStore store) {
        try {
            var list = store.list();
            return list.isEmpty() ? "none" : list.stream().map(SpeakerStore.Entry::id).collect(Collectors.joining(", "));
        } catch (IOException e) {
            return "(cannot list: " + e.getMessage() + ")";
        }
    }

    private void run(Session session, SynthesisRequest request, SpeechParams p, TempAudio ref, TempAudio source,
                     ServerResponse res, long startNanos) {
        SynthesisStream stream = session.synthesize(request);
        ResponseWriter out = p.sse() ? new SseWriter(res, p.format(), engine.sampleRateHz())
                : request.stream() ? new AudioStreamWriter(res, p.format(), engine.sampleRateHz())
                : new WholeFileWriter(res, p.format(), engine.sampleRateHz());
        long samples = 0;
        boolean first = true;
        try (stream) {
            while (true) {
                AudioChunk c;
                try {
                    if (!stream.hasNext()) break;
                    c = stream.next();
                } catch (RuntimeException e) {
                    metrics.failed();
                    if (out.started()) {
                        out.fail(error(e, ref, source));
                        return;
                    }
                    throw error(e, ref, source);
                }
                if (c.samples().length == 0) continue;
                samples += c.samples().length;
                try {
                    if (out.write(c.samples()) && first) {
                        first = false;
                        metrics.firstAudio(System.nanoTime() - startNanos);
                    }
                } catch (ClientGone gone) {
                    stream.cancel();
                    drain(stream);
                    metrics.cancelled();
                    return;
                }
            }
            try {
                if (out.finish(usage(p, stream)) && first) metrics.firstAudio(System.nanoTime() - startNanos);
            } catch (ClientGone gone) {
                metrics.cancelled();
                return;
            }
            metrics.finished(samples / (double) engine.sampleRateHz(), (System.nanoTime() - startNanos) / 1e9);
        }
    }

    /** Waits for a cancelled synthesis to stop, so its slot and session are free when the permit is released. */
    private static void drain(SynthesisStream stream) {
        try {
            while (stream.hasNext()) stream.next();
        } catch (RuntimeException ignored) {
            // a failure after cancellation changes nothing: the client is gone
        }
    }

    private ObjectNode usage(SpeechParams p, SynthesisStream stream) {
        int inputTokens = p.input() == null ? 0 : engine.parts().tokenizer().encode(p.input()).length;
        long outputTokens = stream.timings().llmDecodeTokens.sum();
        ObjectNode u = Json.object();
        u.put("input_tokens", inputTokens);
        u.put("output_tokens", outputTokens);
        u.put("total_tokens", inputTokens + outputTokens);
        return u;
    }

    /** An engine failure as the client should see it: bad audio and arguments are 400, the rest 500. */
    private static ApiException error(RuntimeException e, TempAudio ref, TempAudio source) {
        if (e instanceof ApiException a) return a;
        String field = null;
        String msg = e.getMessage();
        if (ref != null && msg != null && msg.contains(ref.file.toString())) {
            field = "ref_audio";
            msg = ref.describe(msg, field);
        } else if (source != null && msg != null && msg.contains(source.file.toString())) {
            field = "source_audio";
            msg = source.describe(msg, field);
        }
        if (e instanceof IllegalArgumentException || e instanceof ModelFormatException) {
            return ApiException.invalid(field, "invalid_request", msg);
        }
        return ApiException.server("synthesis failed: " + msg);
    }

    /** The client closed the connection (seen as a failed write). */
    static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) { super("client disconnected", cause, false, false); }
    }

    /** How audio reaches the client. {@code write} and {@code finish} return true when audio bytes went out. */
    abstract static class ResponseWriter {
        final ServerResponse res;
        final AudioFormat format;
        final int sampleRateHz;
        OutputStream os;

        ResponseWriter(ServerResponse res, AudioFormat format, int sampleRateHz) {
            this.res = res;
            this.format = format;
            this.sampleRateHz = sampleRateHz;
        }

        boolean started() { return os != null; }

        abstract boolean write(float[] samples);

        abstract boolean finish(ObjectNode usage);

        /** A failure after the headers went out (the status cannot change any more). */
        abstract void fail(ApiException e);

        void open(String contentType) {
            if (os != null) return;
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, contentType);
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.header(HeaderNames.create("X-Accel-Buffering"), "no");
            os = res.outputStream();
        }

        void send(byte[] bytes) {
            try {
                os.write(bytes);
                os.flush();
            } catch (IOException | UncheckedIOException e) {
                throw new ClientGone(e);
            } catch (RuntimeException e) {             // Helidon's ServerConnectionException and kin
                throw new ClientGone(e);
            }
        }

        void close() {
            try {
                os.close();
            } catch (IOException | RuntimeException e) {
                throw new ClientGone(e);
            }
        }

        String contentType() {
            return format == AudioFormat.PCM ? format.contentType() + ";rate=" + sampleRateHz : format.contentType();
        }
    }

    /** {@code stream_format: audio}: the format's bytes, chunked, as they are encoded. */
    static final class AudioStreamWriter extends ResponseWriter {
        private final AudioEncoder encoder;

        AudioStreamWriter(ServerResponse res, AudioFormat format, int sampleRateHz) {
            super(res, format, sampleRateHz);
            this.encoder = AudioEncoders.streaming(format, sampleRateHz);
        }

        @Override
        boolean write(float[] samples) {
            open(contentType());
            byte[] b = encoder.encode(samples, 0, samples.length);
            if (b.length > 0) send(b);
            return b.length > 0;
        }

        @Override
        boolean finish(ObjectNode usage) {
            open(contentType());
            byte[] b = encoder.finish();
            if (b.length > 0) send(b);
            close();
            return b.length > 0;
        }

        @Override
        void fail(ApiException e) {
            // raw audio has no error frame: end the connection without the last chunk, so the client sees a truncated
            // response rather than a short complete file
            throw new UncheckedIOException(new IOException("synthesis failed mid-stream: " + e.getMessage()));
        }
    }

    /** Offline synthesis (speed != 1): one file with exact sizes and a Content-Length. */
    static final class WholeFileWriter extends ResponseWriter {
        private float[] all = new float[0];
        private int n;

        WholeFileWriter(ServerResponse res, AudioFormat format, int sampleRateHz) { super(res, format, sampleRateHz); }

        @Override
        boolean write(float[] samples) {
            if (n + samples.length > all.length) all = java.util.Arrays.copyOf(all, Math.max(n + samples.length, 2 * all.length));
            System.arraycopy(samples, 0, all, n, samples.length);
            n += samples.length;
            return false;
        }

        @Override
        boolean finish(ObjectNode usage) {
            byte[] file = AudioEncoders.encodeAll(format, sampleRateHz, java.util.Arrays.copyOf(all, n));
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, contentType());
            try {
                res.send(file);
            } catch (RuntimeException e) {
                throw new ClientGone(e);
            }
            return file.length > 0;
        }

        @Override
        void fail(ApiException e) { throw e; }

        @Override
        boolean started() { return false; }
    }

    /**
     * {@code stream_format: sse}: OpenAI's events, each {@code event:} + {@code data: } (with the space: hand-written
     * parsers test {@code startswith("data: ")}), the audio of the response format base64-encoded; a failure after
     * the start is a {@code speech.audio.error} event (vLLM-Omni's extension).
     */
    static final class SseWriter extends ResponseWriter {
        private final AudioEncoder encoder;

        SseWriter(ServerResponse res, AudioFormat format, int sampleRateHz) {
            super(res, format, sampleRateHz);
            this.encoder = AudioEncoders.streaming(format, sampleRateHz);
        }

        private void event(String type, ObjectNode data) {
            send(("event: " + type + "\ndata: " + Json.write(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        }

        private boolean delta(byte[] audio) {
            if (audio.length == 0) return false;
            ObjectNode d = Json.object();
            d.put("type", "speech.audio.delta");
            d.put("audio", Base64.getEncoder().encodeToString(audio));
            event("speech.audio.delta", d);
            return true;
        }

        @Override
        boolean write(float[] samples) {
            open("text/event-stream");
            return delta(encoder.encode(samples, 0, samples.length));
        }

        @Override
        boolean finish(ObjectNode usage) {
            open("text/event-stream");
            boolean sent = delta(encoder.finish());
            ObjectNode done = Json.object();
            done.put("type", "speech.audio.done");
            done.set("usage", usage);
            event("speech.audio.done", done);
            close();
            return sent;
        }

        @Override
        void fail(ApiException e) {
            ObjectNode err = Json.object();
            err.put("message", e.getMessage());
            err.put("type", e.type());
            err.put("param", e.param());
            err.put("code", e.code());
            ObjectNode ev = Json.object();
            ev.put("type", "speech.audio.error");
            ev.set("error", err);
            try {
                event("speech.audio.error", ev);
                close();
            } catch (ClientGone ignored) {
                // nobody left to tell
            }
        }
    }
}
