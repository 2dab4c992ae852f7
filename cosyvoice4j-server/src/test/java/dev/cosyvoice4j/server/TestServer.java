package dev.cosyvoice4j.server;

import dev.cosyvoice4j.engine.SystemPrompts;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.EngineOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * A speech server on a fixture model, on loopback and a free port, with two saved voices: {@code alice} (zero-shot:
 * the golden zero-shot prompt and its transcript) and {@code bob} (cross-lingual: a recording without text).
 */
final class TestServer implements AutoCloseable {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    static final Path MODEL_A = FIXTURES.resolve("cosyvoice3-tiny"), MODEL_C = FIXTURES.resolve("cosyvoice3-tiny-c");
    static final Path ZERO_SHOT_WAV = FIXTURES.resolve("golden/inputs/zero_shot_prompt.wav");
    static final Path CROSS_LINGUAL_WAV = FIXTURES.resolve("golden/inputs/cross_lingual_prompt.wav");
    static final String ZERO_SHOT_TRANSCRIPT = "希望你以后能够做的比我还好呦。";

    final Engine engine;
    final SpeechServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final URI base;

    private TestServer(Engine engine, SpeechServer server) {
        this.engine = engine;
        this.server = server;
        this.base = URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    static TestServer start(Path model, Path speakerDir, ServerOptions options) throws IOException {
        Engine engine = Engine.load(model, EngineOptions.defaults().withThreads(2).withSpeakerDir(speakerDir));
        try {
            engine.saveVoice("alice", engine.analyzeVoice(ZERO_SHOT_WAV, SystemPrompts.promptText(engine.family(), ZERO_SHOT_TRANSCRIPT)));
            engine.saveVoice("bob", engine.analyzeVoice(CROSS_LINGUAL_WAV, null));
            return new TestServer(engine, SpeechServer.start(engine, options.withHost("127.0.0.1").withPort(0)));
        } catch (RuntimeException | IOException e) {
            engine.close();
            throw e;
        }
    }

    static TestServer start(Path model, Path speakerDir) throws IOException {
        return start(model, speakerDir, ServerOptions.defaults().withMaxConcurrent(8).withMaxQueue(8));
    }

    URI uri(String path) { return base.resolve(path.startsWith("/") ? path.substring(1) : path); }

    HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> postJson(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A multipart/form-data body: string values as fields, byte[] values as files. */
    HttpResponse<byte[]> postMultipart(String path, Map<String, Object> fields) throws IOException, InterruptedException {
        String boundary = "----cv4j" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            body.write(("--" + boundary + "\r\n").getBytes(StandardCharsets.UTF_8));
            if (f.getValue() instanceof byte[] bytes) {
                body.write(("Content-Disposition: form-data; name=\"" + f.getKey() + "\"; filename=\"upload.wav\"\r\n"
                        + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                body.write(bytes);
            } else {
                body.write(("Content-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue())
                        .getBytes(StandardCharsets.UTF_8));
            }
            body.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] read(Path p) throws IOException { return Files.readAllBytes(p); }

    static String speech(String input, String voice, String format) {
        return "{\"model\":\"cosyvoice3\",\"input\":" + quote(input) + ",\"voice\":" + quote(voice)
                + ",\"response_format\":" + quote(format) + "}";
    }

    static String quote(String s) {
        return Json.write(Json.MAPPER.getNodeFactory().textNode(s));
    }

    @Override
    public void close() {
        server.close();
        engine.close();
    }
}
