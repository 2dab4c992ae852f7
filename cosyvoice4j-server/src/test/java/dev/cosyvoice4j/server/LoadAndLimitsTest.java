package dev.cosyvoice4j.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many clients at once: nothing mixed up, disconnects free their slot, overload is a clean 429, keys are checked. */
class LoadAndLimitsTest {
    @TempDir Path speakers;

    static String request(int i) {
        String voice = i % 2 == 0 ? "alice" : "bob";
        return "{\"model\":\"cosyvoice3\",\"input\":\"Stream number " + i + " says something different.\",\"voice\":\""
                + voice + "\",\"response_format\":\"pcm\",\"seed\":" + (100 + i) + "}";
    }

    @Test
    void eightConcurrentStreamsEachEqualTheirSerialRun() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers)) {
            Map<Integer, byte[]> serial = new HashMap<>();
            for (int i = 0; i < 8; i++) {
                HttpResponse<byte[]> r = t.postJson("/v1/audio/speech", request(i));
                assertEquals(200, r.statusCode());
                serial.put(i, r.body());
            }
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<byte[]>>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    runs.add(pool.submit(() -> t.postJson("/v1/audio/speech", request(n))));
                }
                for (int i = 0; i < 8; i++) {
                    HttpResponse<byte[]> r = runs.get(i).get(120, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode());
                    assertArrayEquals(serial.get(i), r.body(), "stream " + i + " differs from its serial run");
                }
            }
            for (int i = 1; i < 8; i++) assertTrue(!java.util.Arrays.equals(serial.get(0), serial.get(i)), "distinct requests");
        }
    }

    @Test
    void aClientThatDisconnectsFreesItsSlot() throws Exception {
        ServerOptions one = ServerOptions.defaults().withMaxConcurrent(1).withMaxQueue(0).withQueueTimeout(Duration.ZERO);
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers, one)) {
            String longText = "This is a long text that keeps the engine busy for a while. ".repeat(12);
            HttpRequest req = HttpRequest.newBuilder(t.uri("/v1/audio/speech")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"input\":\"" + longText
                            + "\",\"voice\":\"alice\",\"response_format\":\"pcm\"}")).build();
            HttpResponse<InputStream> r = t.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            try (InputStream in = r.body()) {
                assertTrue(in.read(new byte[4096]) > 0, "first audio arrived");
            }                                                               // closes the connection mid-stream
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int status;
            do {                                                            // the slot frees once the engine has stopped
                Thread.sleep(50);
                status = t.postJson("/v1/audio/speech", TestServer.speech("Next.", "alice", "pcm")).statusCode();
            } while (status == 429 && System.nanoTime() < deadline);
            assertEquals(200, status, "the slot was freed");
            String metrics = new String(t.get("/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("cosyvoice4j_syntheses_cancelled_total 1.0"), metrics);
        }
    }

    @Test
    void overloadIsA429WithRetryAfterAndNothingElseBreaks() throws Exception {
        ServerOptions small = ServerOptions.defaults().withMaxConcurrent(1).withMaxQueue(1).withQueueTimeout(Duration.ofSeconds(60));
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers, small)) {
            int ok = 0, busy = 0;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<byte[]>>> runs = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    int n = i;
                    // long enough that the burst arrives while the slot and the queue place are taken
                    runs.add(pool.submit(() -> t.postJson("/v1/audio/speech", request(n).replace("says something different.",
                            "says something different. ".repeat(20)))));
                }
                for (Future<HttpResponse<byte[]>> f : runs) {
                    HttpResponse<byte[]> r = f.get(120, TimeUnit.SECONDS);
                    if (r.statusCode() == 200) {
                        ok++;
                        assertTrue(r.body().length > 1000);
                    } else {
                        SpeechServerTest.assertError(r, 429, "server_busy", "busy");
                        assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow()) >= 1);
                        assertEquals("true", r.headers().firstValue("x-should-retry").orElseThrow());
                        busy++;
                    }
                }
            }
            assertEquals(6, ok + busy);
            assertTrue(ok >= 2 && busy >= 1, ok + " ok, " + busy + " busy");
            assertEquals(200, t.postJson("/v1/audio/speech", request(0)).statusCode(), "served again after the burst");
        }
    }

    @Test
    void anApiKeyGuardsEveryApiRoute() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers, ServerOptions.defaults().withApiKey("s3cret"))) {
            SpeechServerTest.assertError(t.postJson("/v1/audio/speech", TestServer.speech("x", "alice", "pcm")), 401, "invalid_api_key", "Bearer");
            SpeechServerTest.assertError(t.get("/v1/models"), 401, "invalid_api_key", "Bearer");
            HttpResponse<byte[]> wrong = t.http.send(HttpRequest.newBuilder(t.uri("/v1/audio/voices"))
                    .header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(401, wrong.statusCode());
            HttpResponse<byte[]> right = t.http.send(HttpRequest.newBuilder(t.uri("/v1/audio/voices"))
                    .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, right.statusCode());
            assertEquals(200, t.get("/health").statusCode(), "liveness needs no key");
        }
    }
}
