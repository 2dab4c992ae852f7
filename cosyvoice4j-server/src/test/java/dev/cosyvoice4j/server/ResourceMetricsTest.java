package dev.cosyvoice4j.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a soak reads from {@code /metrics}: the process (resident set, heap after GC, threads, open files) and the
 * server's own resources (engine sessions in and out of the pool, WebSocket connections), which must come back to
 * their idle values when the requests are over.
 */
class ResourceMetricsTest {
    @TempDir Path speakers;

    static Map<String, Double> metrics(TestServer t) throws Exception {
        Map<String, Double> m = new HashMap<>();
        for (String line : new String(t.get("/metrics").body()).split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, space);
            m.merge(name.contains("{") ? name.substring(0, name.indexOf('{')) : name, Double.parseDouble(line.substring(space + 1)), Double::sum);
        }
        return m;
    }

    @Test
    void processFiguresArePublished() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers)) {
            Map<String, Double> m = metrics(t);
            assertTrue(m.get("process_resident_memory_bytes") > 10e6, "VmRSS of a JVM: " + m.get("process_resident_memory_bytes"));
            assertTrue(m.get("jvm_memory_used_bytes") > 0);
            assertTrue(m.get("jvm_threads_live_threads") >= 2);
            assertTrue(m.get("process_files_open_files") > 3);
            System.gc();
            double afterGc = metrics(t).get("cosyvoice4j_jvm_heap_after_gc_bytes");
            assertTrue(afterGc > 1e6 && afterGc < Runtime.getRuntime().totalMemory(), "heap after the last GC: " + afterGc);
        }
    }

    @Test
    void sessionsAndWebSocketsComeBackToIdle() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers)) {
            assertEquals(0, metrics(t).get("cosyvoice4j_sessions_open"));
            assertEquals(200, t.postJson("/v1/audio/speech", TestServer.speech("Hello there.", "alice", "pcm")).statusCode());
            Map<String, Double> m = metrics(t);
            assertEquals(1, m.get("cosyvoice4j_sessions_open"), "a session, made on first use");
            assertEquals(1, m.get("cosyvoice4j_sessions_idle"), "and back in the pool");

            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create("ws://127.0.0.1:" + t.server.port() + SpeechServer.DASHSCOPE_PATH), new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS);
            long opened = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);   // the server counts it in its own onOpen
            while (metrics(t).get("cosyvoice4j_websocket_connections") != 1 && System.nanoTime() < opened) Thread.sleep(50);
            assertEquals(1, metrics(t).get("cosyvoice4j_websocket_connections"));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (metrics(t).get("cosyvoice4j_websocket_connections") != 0 && System.nanoTime() < until) Thread.sleep(50);
            assertEquals(0, metrics(t).get("cosyvoice4j_websocket_connections"));
        }
    }
}
