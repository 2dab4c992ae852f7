package dev.cosyvoice4j.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The distinct requests of a soak run, each seeded so the server must answer it with the same bytes every time:
 * speech requests (every response format, streamed, SSE and offline, saved voices with and without a transcript,
 * a one-off voice, instruct2) and DashScope WebSocket tasks. Their serial answers are taken once at the start and
 * every later answer is compared with them. Also the malformed requests and the answers they must get.
 */
final class SoakCases {
    /** The voices the run saves (and deletes at the end): with a transcript (zero-shot) and without (cross-lingual). */
    static final String VOICE_ZERO_SHOT = "soak-zs", VOICE_CROSS_LINGUAL = "soak-xl";
    static final String TEXT_EN = "Hello there, this is a soak test of the speech server.";
    static final String TEXT_ZH = "今天天气很好，我们一起去公园散步吧。";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A speech request: {@code sse} reads server-sent events; {@code streamed}: the body comes chunked (disconnectable). */
    record Speech(String id, String json, boolean sse, boolean streamed, String format) {}

    /** A DashScope task: run-task parameters, the text in pieces. */
    record Socket(String id, String voice, String format, int sampleRateHz, long seed, List<String> pieces) {}

    /** A malformed request and the statuses it may get (besides 429). */
    record Malformed(String id, String method, String path, String contentType, byte[] body, List<Integer> expected) {}

    final byte[] promptWav;
    final String promptTranscript;
    final List<Speech> speech;
    final List<Socket> sockets;
    final List<Malformed> malformedHttp, malformedMultipart;
    private final String refAudio;

    SoakCases(SoakConfig config) throws IOException {
        this.promptWav = Files.readAllBytes(config.promptWav());
        this.promptTranscript = config.promptTranscript();
        this.refAudio = "data:audio/wav;base64," + Base64.getEncoder().encodeToString(promptWav);
        long s = config.seed();
        speech = List.of(
                speech("s1-pcm", TEXT_EN, VOICE_ZERO_SHOT, "pcm", false, 1, s + 1, null),
                speech("s2-wav", TEXT_ZH, VOICE_CROSS_LINGUAL, "wav", false, 1, s + 2, null),
                speech("s3-mp3", TEXT_EN, VOICE_ZERO_SHOT, "mp3", false, 1, s + 3, null),
                speech("s4-opus", TEXT_EN, VOICE_CROSS_LINGUAL, "opus", false, 1, s + 4, null),
                speech("s5-flac-inline", TEXT_ZH, null, "flac", false, 1, s + 5, null),
                speech("s6-sse-pcm", TEXT_ZH, VOICE_ZERO_SHOT, "pcm", true, 1, s + 6, null),
                speech("s7-sse-mp3-inline", TEXT_EN, null, "mp3", true, 1, s + 7, null),
                speech("s8-offline-wav", TEXT_EN, VOICE_ZERO_SHOT, "wav", false, 1.25, s + 8, null),
                speech("s9-instruct-pcm", TEXT_EN, VOICE_CROSS_LINGUAL, "pcm", false, 1, s + 9, "Speak slowly and calmly."));
        sockets = List.of(
                new Socket("w1-pcm", VOICE_ZERO_SHOT, "pcm", 24000, s + 10, List.of("Hello there, ", "this is a soak test ", "of the speech server.")),
                new Socket("w2-wav-22050", VOICE_ZERO_SHOT, "wav", 22050, s + 11, List.of(TEXT_ZH)));
        malformedHttp = malformedHttp();
        malformedMultipart = malformedMultipart();
    }

    List<Speech> streamed() { return speech.stream().filter(Speech::streamed).toList(); }

    /** The speech case a voice-cycle repeats on its freshly uploaded voice (must equal this case's answer). */
    Speech voiceCycleBase() { return speech.getFirst(); }

    /** {@code base}'s body with another saved voice. */
    static String withVoice(Speech base, String voice) {
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(base.json());
            n.put("voice", voice);
            return n.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Speech speech(String id, String text, String voice, String format, boolean sse, double speed, long seed, String instructions) {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", "cosyvoice3");
        n.put("input", text);
        if (voice != null) {
            n.put("voice", voice);
        } else {
            n.put("ref_audio", refAudio);
            n.put("ref_text", promptTranscript);
        }
        n.put("response_format", format);
        if (sse) n.put("stream_format", "sse");
        if (speed != 1) n.put("speed", speed);
        if (instructions != null) n.put("instructions", instructions);
        n.put("seed", seed);
        return new Speech(id, n.toString(), sse, !sse && speed == 1, format);
    }

    private List<Malformed> malformedHttp() {
        List<Malformed> m = new ArrayList<>();
        String ok = speech.getFirst().json();
        m.add(json("bad-json", "{\"model\":\"cosyvoice3\",\"input\":\"Hello\",\"voice\":", 400));
        m.add(json("not-an-object", "[1, 2, 3]", 400));
        m.add(json("unknown-voice", ok.replace("\"" + VOICE_ZERO_SHOT + "\"", "\"no-such-voice-soak\""), 400));
        m.add(json("unknown-field", ok.replace("{", "{\"colour\":\"blue\","), 400));
        m.add(json("input-too-long", ok.replace(TEXT_EN, "a".repeat(5000)), 400));
        m.add(json("empty-input", ok.replace(TEXT_EN, ""), 400));
        m.add(json("absurd-speed", ok.replace("{", "{\"speed\":1000,"), 400));
        m.add(json("wrong-type", "{\"model\":\"cosyvoice3\",\"input\":42,\"voice\":\"" + VOICE_ZERO_SHOT + "\"}", 400));
        m.add(json("unsupported-format", ok.replace("\"pcm\"", "\"aac\""), 400));
        m.add(json("bad-base64", "{\"model\":\"cosyvoice3\",\"input\":\"Hello\",\"ref_audio\":\"data:audio/wav;base64,!!not*base64!!\",\"ref_text\":\"x\"}", 400));
        m.add(json("not-a-wav", "{\"model\":\"cosyvoice3\",\"input\":\"Hello\",\"ref_audio\":\""
                + Base64.getEncoder().encodeToString("this is not a RIFF file at all".getBytes(StandardCharsets.UTF_8))
                + "\",\"ref_text\":\"x\"}", 400));
        m.add(new Malformed("delete-unknown-voice", "DELETE", "/v1/audio/voices/no-such-voice-soak", null, null, List.of(404)));
        m.add(new Malformed("delete-bad-voice-id", "DELETE", "/v1/audio/voices/..%2Fescape", null, null, List.of(400, 404)));
        return List.copyOf(m);
    }

    private static Malformed json(String id, String body, int status) {
        return new Malformed(id, "POST", "/v1/audio/speech", "application/json", body.getBytes(StandardCharsets.UTF_8), List.of(status));
    }

    private List<Malformed> malformedMultipart() {
        String b = "soakBoundary7MA4YWxkTrZu0gW";
        String type = "multipart/form-data; boundary=" + b;
        byte[] full = multipart(b, "soak-never-saved", promptWav, promptTranscript);
        List<Malformed> m = new ArrayList<>();
        m.add(new Malformed("truncated", "POST", "/v1/audio/voices", type, java.util.Arrays.copyOf(full, full.length / 2), List.of(400)));
        m.add(new Malformed("no-boundary", "POST", "/v1/audio/voices", "multipart/form-data", full, List.of(400)));
        m.add(new Malformed("wrong-boundary", "POST", "/v1/audio/voices", "multipart/form-data; boundary=other", full, List.of(400)));
        m.add(new Malformed("missing-audio", "POST", "/v1/audio/voices", type, multipart(b, "soak-never-saved", null, "x"), List.of(400)));
        m.add(new Malformed("bad-name", "POST", "/v1/audio/voices", type, multipart(b, "../../etc/passwd", promptWav, "x"), List.of(400)));
        m.add(new Malformed("not-a-wav", "POST", "/v1/audio/voices", type,
                multipart(b, "soak-never-saved", "RIFF but not really".getBytes(StandardCharsets.UTF_8), "x"), List.of(400)));
        return List.copyOf(m);
    }

    /** A voice upload body: {@code name}, {@code audio_sample} (when not null), {@code ref_text} (when not null). */
    static byte[] multipart(String boundary, String name, byte[] wav, String refText) {
        var out = new java.io.ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        if (wav != null) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"audio_sample\"; filename=\"voice.wav\"\r\n"
                    + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(wav);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        if (refText != null) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"ref_text\"\r\n\r\n" + refText + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The malformed WebSocket conversations and the {@code task-failed} error code each must get. */
    enum MalformedSocket {
        BINARY_FRAME("InvalidMessage"), BAD_JSON("InvalidMessage"), CONTINUE_BEFORE_RUN("InvalidParameter"),
        UNKNOWN_VOICE("InvalidParameter"), UNKNOWN_ACTION("InvalidParameter");

        final String errorCode;

        MalformedSocket(String errorCode) { this.errorCode = errorCode; }
    }
}
