package dev.cosyvoice4j.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.audio.speech.SpeechCreateParams;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each model checked separately, model A and model C (other shapes): the official OpenAI Java client gets its default
 * mp3, wav, opus, flac, streamed pcm and SSE, and a 4xx for an unknown voice; voices upload, list and delete;
 * concurrent requests succeed or get 429; malformed JSON gets 400 with OpenAI's error JSON; /metrics has samples.
 */
class OpenAiClientTest {
    @TempDir Path speakers;

    static Stream<Path> models() { return Stream.of(TestServer.MODEL_A, TestServer.MODEL_C); }

    static byte[] body(HttpResponse r) throws Exception {
        try (r; InputStream in = r.body()) {
            return in.readAllBytes();
        }
    }

    static SpeechCreateParams.Builder speech(String text) {
        return SpeechCreateParams.builder().model("cosyvoice3").input(text).voice("alice");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void officialClientGetsEveryFormat(Path model) throws Exception {
        try (TestServer t = TestServer.start(model, speakers)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(t.base + "v1").apiKey("unused").build();
            try {
                byte[] mp3 = body(client.audio().speech().create(speech("The default format.").build()));
                assertTrue(mp3.length > 100 && (mp3[0] & 0xFF) == 0xFF && (mp3[1] & 0xE0) == 0xE0, "an MPEG audio frame first");

                byte[] wav = body(client.audio().speech().create(speech("A wave file.").responseFormat(SpeechCreateParams.ResponseFormat.WAV).build()));
                assertEquals("RIFF", new String(wav, 0, 4, StandardCharsets.US_ASCII));

                byte[] opus = body(client.audio().speech().create(speech("Opus.").responseFormat(SpeechCreateParams.ResponseFormat.OPUS).build()));
                assertEquals("OggS", new String(opus, 0, 4, StandardCharsets.US_ASCII));
                assertTrue(new String(opus, StandardCharsets.ISO_8859_1).contains("OpusHead"));

                byte[] flac = body(client.audio().speech().create(speech("Flac.").responseFormat(SpeechCreateParams.ResponseFormat.FLAC).build()));
                assertEquals("fLaC", new String(flac, 0, 4, StandardCharsets.US_ASCII));

                try (HttpResponse r = client.audio().speech().create(speech("Streamed pcm.")
                        .responseFormat(SpeechCreateParams.ResponseFormat.PCM)
                        .putAdditionalBodyProperty("seed", JsonValue.from(7)).build());
                     InputStream in = r.body()) {
                    assertEquals(200, r.statusCode());
                    byte[] first = in.readNBytes(2);
                    assertEquals(2, first.length, "audio arrives on the stream");
                    assertTrue((first.length + in.readAllBytes().length) % 2 == 0, "whole 16-bit samples");
                }

                String sse = new String(body(client.audio().speech().create(speech("Events.")
                        .responseFormat(SpeechCreateParams.ResponseFormat.PCM)
                        .streamFormat(SpeechCreateParams.StreamFormat.SSE).build())), StandardCharsets.UTF_8);
                assertTrue(sse.startsWith("event: speech.audio.delta\ndata: {\"type\":\"speech.audio.delta\",\"audio\":\""), sse);
                assertTrue(sse.contains("event: speech.audio.done\ndata: {\"type\":\"speech.audio.done\",\"usage\":{"), sse);

                BadRequestException e = assertThrows(BadRequestException.class,
                        () -> body(client.audio().speech().create(speech("Nobody.").voice("nobody").build())));
                assertTrue(e.getMessage().contains("nobody"), e.getMessage());
            } finally {
                client.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void voicesLoadErrorsAndMetricsWork(Path model) throws Exception {
        ServerOptions small = ServerOptions.defaults().withMaxConcurrent(2).withMaxQueue(1).withQueueTimeout(Duration.ofSeconds(60));
        try (TestServer t = TestServer.start(model, speakers, small)) {
            Map<String, Object> form = new LinkedHashMap<>();
            form.put("name", "dana");
            form.put("audio_sample", Files.readAllBytes(TestServer.ZERO_SHOT_WAV));
            form.put("ref_text", TestServer.ZERO_SHOT_TRANSCRIPT);
            assertEquals(200, t.postMultipart("/v1/audio/voices", form).statusCode());
            assertTrue(new String(t.get("/v1/audio/voices").body(), StandardCharsets.UTF_8).contains("\"id\":\"dana\""));

            int ok = 0, busy = 0;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<java.net.http.HttpResponse<byte[]>>> runs = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    String text = "Concurrent request " + i + ". " + "More words to keep it busy. ".repeat(10);
                    runs.add(pool.submit(() -> t.postJson("/v1/audio/speech", TestServer.speech(text, "dana", "pcm"))));
                }
                for (Future<java.net.http.HttpResponse<byte[]>> f : runs) {
                    int status = f.get(120, TimeUnit.SECONDS).statusCode();
                    if (status == 200) ok++;
                    else if (status == 429) busy++;
                }
            }
            assertEquals(5, ok + busy, ok + " ok + " + busy + " busy");
            assertTrue(ok >= 3, ok + " ok");

            SpeechServerTest.assertError(t.postJson("/v1/audio/speech", "{\"input\": "), 400, "invalid_json", "not valid JSON");
            assertEquals(200, t.http.send(HttpRequest.newBuilder(t.uri("/v1/audio/voices/dana")).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray()).statusCode());
            assertTrue(!new String(t.get("/v1/audio/voices").body(), StandardCharsets.UTF_8).contains("\"dana\""));

            String metrics = new String(t.get("/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("cosyvoice4j_http_requests_total{route=\"/v1/audio/speech\",status=\"200\"} " + ok + ".0"), metrics);
            assertTrue(metrics.contains("cosyvoice4j_http_requests_total{route=\"/v1/audio/speech\",status=\"400\"} 1.0"), metrics);
            assertTrue(metrics.contains("cosyvoice4j_time_to_first_audio_seconds_count " + ok), metrics);
        }
    }
}
