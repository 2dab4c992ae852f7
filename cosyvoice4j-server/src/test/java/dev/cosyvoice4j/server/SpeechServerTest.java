package dev.cosyvoice4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP surface on the fixture model: speech, voices, info routes, and every refusal with OpenAI's error JSON. */
class SpeechServerTest {
    @TempDir static Path speakers;
    static TestServer t;

    @BeforeAll
    static void start() throws Exception { t = TestServer.start(TestServer.MODEL_A, speakers); }

    @AfterAll
    static void stop() { if (t != null) t.close(); }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception { return Json.MAPPER.readTree(r.body()); }

    /** The response is OpenAI's error JSON with this status and code, and its message names {@code mentions}. */
    static void assertError(HttpResponse<byte[]> r, int status, String code, String mentions) throws Exception {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.statusCode(), body);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), body);
        JsonNode e = json(r).get("error");
        assertEquals(List.of("message", "type", "param", "code"), iterable(e));
        assertEquals(code, e.get("code").asText(), body);
        assertTrue(e.get("message").asText().contains(mentions), body);
    }

    static List<String> iterable(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void wavIsAPlayableFileOfTheEngineRate() throws Exception {
        HttpResponse<byte[]> r = t.postJson("/v1/audio/speech", TestServer.speech("Hello there.", "alice", "wav"));
        assertEquals(200, r.statusCode());
        assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElse(""));
        ByteBuffer b = ByteBuffer.wrap(r.body()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(r.body(), 0, 4, StandardCharsets.US_ASCII));
        assertEquals(t.engine.sampleRateHz(), b.getInt(24));
        assertTrue(r.body().length > 44 + 2 * 1000, "some audio: " + r.body().length);
    }

    @Test
    void pcmStreamIsTheSameAudioAsTheWav() throws Exception {
        byte[] pcm = t.postJson("/v1/audio/speech", TestServer.speech("Same words.", "alice", "pcm")).body();
        byte[] wav = t.postJson("/v1/audio/speech", TestServer.speech("Same words.", "alice", "wav")).body();
        assertArrayEquals(pcm, java.util.Arrays.copyOfRange(wav, 44, wav.length));
    }

    @Test
    void sseSendsDeltasThenDoneWithUsage() throws Exception {
        HttpResponse<byte[]> r = t.postJson("/v1/audio/speech", "{\"model\":\"tts\",\"input\":\"Events please.\",\"voice\":{\"id\":\"alice\"},"
                + "\"response_format\":\"pcm\",\"stream_format\":\"sse\"}");
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        String[] events = new String(r.body(), StandardCharsets.UTF_8).split("\n\n");
        int audioBytes = 0;
        for (int i = 0; i < events.length - 1; i++) {
            assertTrue(events[i].startsWith("event: speech.audio.delta\ndata: "), events[i]);
            JsonNode d = Json.MAPPER.readTree(events[i].substring(events[i].indexOf("data: ") + 6));
            assertEquals("speech.audio.delta", d.get("type").asText());
            audioBytes += Base64.getDecoder().decode(d.get("audio").asText()).length;
        }
        String last = events[events.length - 1];
        assertTrue(last.startsWith("event: speech.audio.done\ndata: "), last);
        JsonNode usage = Json.MAPPER.readTree(last.substring(last.indexOf("data: ") + 6)).get("usage");
        assertTrue(usage.get("output_tokens").asInt() > 0 && usage.get("input_tokens").asInt() > 0, usage.toString());
        assertEquals(usage.get("input_tokens").asInt() + usage.get("output_tokens").asInt(), usage.get("total_tokens").asInt());
        assertTrue(audioBytes > 2000, "audio bytes " + audioBytes);
    }

    @Test
    void oneOffVoiceFromRefAudioAndInstructionsWork() throws Exception {
        String ref = "data:audio/wav;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(TestServer.ZERO_SHOT_WAV));
        HttpResponse<byte[]> r = t.postJson("/v1/audio/speech", "{\"model\":\"m\",\"input\":\"One-off.\",\"ref_audio\":\"" + ref
                + "\",\"ref_text\":\"" + TestServer.ZERO_SHOT_TRANSCRIPT + "\",\"response_format\":\"pcm\",\"seed\":3}");
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(r.body().length > 1000);
        HttpResponse<byte[]> i = t.postJson("/v1/audio/speech", "{\"model\":\"m\",\"input\":\"Slowly.\",\"voice\":\"bob\","
                + "\"instructions\":\"Speak slowly.\",\"response_format\":\"pcm\"}");
        assertEquals(200, i.statusCode(), new String(i.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> slow = t.postJson("/v1/audio/speech", "{\"model\":\"m\",\"input\":\"Faster.\",\"voice\":\"alice\","
                + "\"speed\":1.5,\"response_format\":\"wav\"}");
        assertEquals(200, slow.statusCode(), new String(slow.body(), StandardCharsets.UTF_8));
        assertEquals(slow.body().length - 8, ByteBuffer.wrap(slow.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(4),
                "offline synthesis (speed) sends a WAV with exact sizes");
    }

    @Test
    void voicesUploadListUseAndDelete() throws Exception {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("name", "carol");
        form.put("audio_sample", Files.readAllBytes(TestServer.ZERO_SHOT_WAV));
        form.put("ref_text", TestServer.ZERO_SHOT_TRANSCRIPT);
        HttpResponse<byte[]> up = t.postMultipart("/v1/audio/voices", form);
        assertEquals(200, up.statusCode(), new String(up.body(), StandardCharsets.UTF_8));
        JsonNode v = json(up);
        assertEquals("carol", v.get("id").asText());
        assertEquals("audio.voice", v.get("object").asText());
        assertTrue(Files.isRegularFile(speakers.resolve("carol.cvspk")), "the same store as synth --save-speaker");

        JsonNode list = json(t.get("/v1/audio/voices")).get("voices");
        List<String> ids = new ArrayList<>();
        list.forEach(n -> ids.add(n.get("id").asText()));
        assertTrue(ids.containsAll(List.of("alice", "bob", "carol")), ids.toString());
        list.forEach(n -> assertTrue(n.get("created_at").asLong() > 1_600_000_000L));

        assertEquals(200, t.postJson("/v1/audio/speech", TestServer.speech("Carol speaks.", "carol", "pcm")).statusCode());
        HttpResponse<byte[]> del = t.http.send(HttpRequest.newBuilder(t.uri("/v1/audio/voices/carol")).DELETE().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, del.statusCode());
        assertFalse(Files.exists(speakers.resolve("carol.cvspk")));
        HttpResponse<byte[]> again = t.http.send(HttpRequest.newBuilder(t.uri("/v1/audio/voices/carol")).DELETE().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertError(again, 404, "voice_not_found", "carol");
        assertError(t.postJson("/v1/audio/speech", TestServer.speech("Gone.", "carol", "pcm")), 400, "voice_not_found", "carol");
    }

    @Test
    void badUploadsAreRefusedWithTheReason() throws Exception {
        Map<String, Object> notWav = new LinkedHashMap<>();
        notWav.put("name", "dave");
        notWav.put("audio_sample", "this is not audio".getBytes(StandardCharsets.UTF_8));
        assertError(t.postMultipart("/v1/audio/voices", notWav), 400, "invalid_audio", "audio_sample");
        Map<String, Object> badName = new LinkedHashMap<>();
        badName.put("name", "../etc/passwd");
        badName.put("audio_sample", Files.readAllBytes(TestServer.ZERO_SHOT_WAV));
        assertError(t.postMultipart("/v1/audio/voices", badName), 400, "invalid_voice_name", "name");
        Map<String, Object> noAudio = Map.of("name", "erin");
        assertError(t.postMultipart("/v1/audio/voices", noAudio), 400, "missing_audio", "audio_sample");
        assertFalse(Files.list(speakers).anyMatch(p -> p.getFileName().toString().startsWith("dave")
                || p.getFileName().toString().startsWith("erin")), "nothing half-saved");
    }

    @Test
    void brokenRequestsGetOpenAiErrors() throws Exception {
        assertError(t.postJson("/v1/audio/speech", "{\"input\": \"x\", "), 400, "invalid_json", "not valid JSON");
        assertError(t.postJson("/v1/audio/speech", "[1, 2]"), 400, "invalid_json", "JSON object");
        assertError(t.postJson("/v1/audio/speech", TestServer.speech("Who?", "nobody", "pcm")), 400, "voice_not_found", "nobody");
        assertError(t.postJson("/v1/audio/speech", TestServer.speech("x".repeat(4097), "alice", "pcm")), 400, "input_too_long", "4097");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\",\"voice\":\"alice\",\"ref_audio\":\"data:audio/wav;base64,@@@\"}"),
                400, "invalid_base64", "ref_audio");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\",\"ref_audio\":\"" + Base64.getEncoder().encodeToString(
                "not a wav file at all".getBytes(StandardCharsets.UTF_8)) + "\",\"response_format\":\"pcm\"}"), 400, "invalid_request", "ref_audio");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\",\"voice\":\"alice\",\"response_format\":\"ogg\"}"),
                400, "invalid_value", "ogg");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\",\"voice\":\"alice\",\"speed\":9}"), 400, "invalid_value", "speed");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\",\"voice\":\"alice\",\"colour\":\"red\"}"), 400, "unknown_parameter", "colour");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"\",\"voice\":\"alice\"}"), 400, "missing_input", "input");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\"}"), 400, "missing_voice", "voice");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\",\"voice\":\"alice\",\"stream_format\":\"mp4\"}"), 400, "invalid_value", "stream_format");
        assertError(t.postJson("/v1/audio/speech", "{\"input\":\"x\",\"voice\":\"alice\",\"task\":\"vc\"}"), 400, "missing_source_audio", "source_audio");
        if (!dev.cosyvoice4j.codec.AudioEncoders.supported(dev.cosyvoice4j.codec.AudioFormat.AAC)) {
            assertError(t.postJson("/v1/audio/speech", TestServer.speech("x", "alice", "aac")), 400, "unsupported_response_format", "mp3");
        }
        HttpResponse<byte[]> big = t.postJson("/v1/audio/speech", "{\"input\":\"" + "x".repeat(17 << 20) + "\"}");
        assertEquals(413, big.statusCode());
        assertEquals(200, t.get("/health").statusCode(), "the server is still fine");
    }

    @Test
    void infoRoutesAnswer() throws Exception {
        assertEquals("ok", new String(t.get("/health").body(), StandardCharsets.UTF_8));
        assertEquals(200, t.get("/ready").statusCode());
        JsonNode models = json(t.get("/v1/models"));
        assertEquals("list", models.get("object").asText());
        assertEquals("model", models.get("data").get(0).get("object").asText());
        t.postJson("/v1/audio/speech", TestServer.speech("Metrics.", "alice", "pcm"));
        String metrics = new String(t.get("/metrics").body(), StandardCharsets.UTF_8);
        for (String name : List.of("cosyvoice4j_http_requests_total{route=\"/v1/audio/speech\",status=\"200\"}",
                "cosyvoice4j_syntheses_active", "cosyvoice4j_syntheses_queued", "cosyvoice4j_time_to_first_audio_seconds_bucket",
                "cosyvoice4j_rtf_bucket", "cosyvoice4j_audio_seconds_total")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
        String page = new String(t.get("/").body(), StandardCharsets.UTF_8);
        assertTrue(page.contains("<script src=\"app.js\">"), page);
        assertEquals(200, t.get("/app.js").statusCode());
    }
}
