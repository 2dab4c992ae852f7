package dev.cosyvoice4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DashScope CosyVoice WebSocket protocol ({@code /api-ws/v1/inference}) with the JDK's WebSocket client: audio
 * arrives while the text is still open, errors are task-failed events then a close, the idle timeout, a full server
 * closes with 1013, the API key is checked on the upgrade.
 */
class DashScopeWebSocketTest {
    @TempDir Path speakers;

    /** What the server sent: text events as parsed JSON, audio as byte[], the close as a Closed. */
    record Closed(int code, String reason) {}

    static final class Client implements WebSocket.Listener {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        WebSocket ws;

        static Client connect(TestServer t, String apiKey) {
            Client c = new Client();
            WebSocket.Builder b = t.http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
            c.ws = b.buildAsync(URI.create("ws://127.0.0.1:" + t.server.port() + SpeechServer.DASHSCOPE_PATH), c).join();
            return c;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    received.add(Json.MAPPER.readTree(text.toString()));
                } catch (Exception e) {
                    received.add(e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                received.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            received.add(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            received.add(new Closed(-1, String.valueOf(error)));
        }

        void send(String json) { ws.sendText(json, true).join(); }

        Object next(long seconds) throws InterruptedException {
            Object o = received.poll(seconds, TimeUnit.SECONDS);
            assertNotNull(o, "nothing from the server within " + seconds + " s");
            return o;
        }

        /** The next JSON event (skipping nothing: audio here fails the test). */
        JsonNode event(long seconds) throws InterruptedException {
            return assertInstanceOf(JsonNode.class, next(seconds));
        }
    }

    static String runTask(String taskId, String params) {
        return "{\"header\":{\"action\":\"run-task\",\"task_id\":\"" + taskId + "\",\"streaming\":\"duplex\"},"
                + "\"payload\":{\"task_group\":\"audio\",\"task\":\"tts\",\"function\":\"SpeechSynthesizer\",\"model\":\"cosyvoice-v3-flash\","
                + "\"parameters\":{" + params + "},\"input\":{}}}";
    }

    static String continueTask(String taskId, String text) {
        return "{\"header\":{\"action\":\"continue-task\",\"task_id\":\"" + taskId + "\",\"streaming\":\"duplex\"},"
                + "\"payload\":{\"input\":{\"text\":" + TestServer.quote(text) + "}}}";
    }

    static String finishTask(String taskId) {
        return "{\"header\":{\"action\":\"finish-task\",\"task_id\":\"" + taskId + "\",\"streaming\":\"duplex\"},\"payload\":{\"input\":{}}}";
    }

    static String event(JsonNode n) { return n.path("header").path("event").asText(); }

    static String outputType(JsonNode n) { return n.path("payload").path("output").path("type").asText(); }

    static final String INSTRUCT_PARAMS = "\"text_type\":\"PlainText\",\"voice\":\"alice\",\"format\":\"pcm\",\"sample_rate\":24000,"
            + "\"seed\":7,\"instruction\":\"请用广东话表达。\"";

    static java.util.stream.Stream<java.nio.file.Path> models() { return java.util.stream.Stream.of(TestServer.MODEL_A, TestServer.MODEL_C); }

    /** On the fixture model and, separately, on model C of other shapes. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("models")
    void audioArrivesBeforeFinishTaskThenTheRestThenTaskFinished(java.nio.file.Path model) throws Exception {
        try (TestServer t = TestServer.start(model, speakers,
                ServerOptions.defaults().withMaxConcurrent(2).withWsIdleTimeout(Duration.ofMinutes(3)))) {
            assertTimeoutPreemptively(Duration.ofMinutes(4), () -> {
                Client c = Client.connect(t, null);
                c.send(runTask("t1", INSTRUCT_PARAMS));
                assertEquals("task-started", event(c.event(60)));
                c.send(continueTask("t1", "好少咯，"));
                Thread.sleep(200);
                c.send(continueTask("t1", "一般系放嗰啲国庆啊，"));
                Thread.sleep(200);
                c.send(continueTask("t1", "中秋嗰啲可能会咯。"));
                // audio must come while the text is still open (no finish-task sent yet)
                List<String> types = new ArrayList<>();
                long audioBefore = 0;
                while (audioBefore == 0) {
                    Object o = c.next(120);
                    if (o instanceof byte[] b) {
                        audioBefore += b.length;
                        assertEquals("sentence-synthesis", types.getLast(), "a sentence-synthesis event precedes each audio frame");
                    } else {
                        JsonNode n = assertInstanceOf(JsonNode.class, o, "unexpected " + o);
                        assertEquals("result-generated", event(n), n.toString());
                        types.add(outputType(n));
                    }
                }
                assertEquals("sentence-begin", types.getFirst());
                c.send(continueTask("t1", "然后结束。"));
                c.send(finishTask("t1"));
                long audioAfter = 0;
                JsonNode finished = null;
                while (finished == null) {
                    Object o = c.next(120);
                    if (o instanceof byte[] b) {
                        audioAfter += b.length;
                    } else {
                        JsonNode n = assertInstanceOf(JsonNode.class, o, "unexpected " + o);
                        if (event(n).equals("task-finished")) finished = n;
                        else {
                            assertEquals("result-generated", event(n), n.toString());
                            types.add(outputType(n));
                        }
                    }
                }
                assertTrue(audioAfter > 0, "the rest of the audio after finish-task");
                assertEquals(0, (audioBefore + audioAfter) % 2, "pcm is whole s16 samples");
                assertEquals("sentence-end", types.getLast());
                assertEquals("t1", finished.path("header").path("task_id").asText());
                // 好少咯，一般系放嗰啲国庆啊，中秋嗰啲可能会咯。然后结束。: ideographs count 2, punctuation 1
                assertTrue(finished.path("payload").path("usage").path("characters").asLong() > 20, finished.toString());

                // the connection takes another task (wav at DashScope's default 22050 Hz this time: resampled)
                c.send(runTask("t2", INSTRUCT_PARAMS.replace("\"pcm\"", "\"wav\"").replace("24000", "22050")));
                assertEquals("task-started", event(c.event(60)));
                c.send(continueTask("t2", "好少咯，一般系放嗰啲国庆啊。"));
                c.send(finishTask("t2"));
                ByteArrayOutputStream wav = new ByteArrayOutputStream();
                while (true) {
                    Object o = c.next(120);
                    if (o instanceof byte[] b) wav.writeBytes(b);
                    else if (event(assertInstanceOf(JsonNode.class, o)).equals("task-finished")) break;
                }
                byte[] w = wav.toByteArray();
                assertEquals("RIFF", new String(w, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
                assertEquals(22050, java.nio.ByteBuffer.wrap(w, 24, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
                c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
            });
        }
    }

    @Test
    void errorsAreTaskFailedNamingTheProblemThenAClose() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers)) {
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                assertFails(t, runTask("e1", "\"voice\":\"nobody\",\"format\":\"pcm\""), "InvalidParameter", "nobody");
                assertFails(t, "{\"header\":", "InvalidMessage", "bad JSON");
                assertFails(t, runTask("e2", "\"voice\":\"alice\",\"format\":\"aiff\""), "InvalidParameter", "aiff");
                assertFails(t, runTask("e3", "\"voice\":\"alice\",\"format\":\"pcm\",\"sample_rate\":12345"), "InvalidParameter", "22050");
                assertFails(t, runTask("e6", "\"voice\":\"alice\",\"format\":\"opus\",\"sample_rate\":22050"), "InvalidParameter", "opus");
                assertFails(t, runTask("e4", "\"voice\":\"bob\",\"format\":\"pcm\""), "InvalidParameter", "transcript");
                assertFails(t, continueTask("e5", "hello"), "InvalidParameter", "before run-task");
            });
        }
    }

    static void assertFails(TestServer t, String message, String code, String inMessage) throws InterruptedException {
        Client c = Client.connect(t, null);
        c.send(message);
        JsonNode n = c.event(30);
        assertEquals("task-failed", event(n), n.toString());
        assertEquals(code, n.path("header").path("error_code").asText(), n.toString());
        assertTrue(n.path("header").path("error_message").asText().contains(inMessage), n.toString());
        assertInstanceOf(Closed.class, c.next(30));
    }

    @Test
    void idleTimeoutFullServerAndApiKey() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers, ServerOptions.defaults().withMaxConcurrent(1)
                .withMaxQueue(0).withApiKey("sekrit").withWsIdleTimeout(Duration.ofSeconds(2)))) {
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                // no key, a wrong key: the upgrade is refused
                for (String key : new String[] {null, "wrong"}) {
                    CompletionException e = assertThrows(CompletionException.class, () -> Client.connect(t, key));
                    assertNotNull(e.getCause());
                }
                // idle: no message within the timeout fails the task, then the connection closes
                Client idle = Client.connect(t, "sekrit");
                idle.send(runTask("i1", INSTRUCT_PARAMS));
                assertEquals("task-started", event(idle.event(60)));
                idle.send(continueTask("i1", "好少咯，"));
                JsonNode failed = null;
                while (failed == null) {
                    Object o = idle.next(30);
                    if (o instanceof JsonNode n && event(n).equals("task-failed")) failed = n;
                }
                assertEquals("CLIENT_ERROR", failed.path("header").path("error_code").asText());
                assertTrue(failed.path("header").path("error_message").asText().contains("request timeout after 2 seconds"), failed.toString());
                Object last;
                do last = idle.next(30); while (!(last instanceof Closed));

                // the cancelled synthesis frees its slot
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (t.get("/ready").statusCode() != 200) {
                    assertTrue(System.nanoTime() < deadline, "slot not freed after the idle timeout");
                    Thread.sleep(50);
                }

                // full: one task holds the only slot, the next is refused with task-failed and close 1013
                Client a = Client.connect(t, "sekrit");
                a.send(runTask("a1", INSTRUCT_PARAMS));
                assertEquals("task-started", event(a.event(60)));
                Client b = Client.connect(t, "sekrit");
                b.send(runTask("b1", INSTRUCT_PARAMS));
                JsonNode busy = b.event(30);
                assertEquals("task-failed", event(busy), busy.toString());
                assertEquals("Throttling", busy.path("header").path("error_code").asText());
                Closed closed = assertInstanceOf(Closed.class, b.next(30));
                assertEquals(1013, closed.code());
                // a client that goes away mid-task: its synthesis is cancelled and the slot freed
                a.send(continueTask("a1", "好少咯，"));
                a.ws.abort();
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (t.get("/ready").statusCode() != 200) {
                    assertTrue(System.nanoTime() < deadline, "slot not freed after the client went away");
                    Thread.sleep(50);
                }
            });
        }
    }
    /**
     * Found by the soak: a task queued for the only slot longer than the idle timeout failed with CLIENT_ERROR "request
     * timeout", blaming the client, which must wait for task-started and so had nothing to send. The idle time now
     * counts from task-started; the queue timeout alone decides how long a task may wait (Throttling).
     */
    @Test
    void aTaskWaitingForItsSlotDoesNotIdleOut() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers, ServerOptions.defaults().withMaxConcurrent(1)
                .withMaxQueue(1).withQueueTimeout(Duration.ofMinutes(2)).withWsIdleTimeout(Duration.ofSeconds(2)))) {
            assertTimeoutPreemptively(Duration.ofMinutes(4), () -> {
                Client a = Client.connect(t, null);
                a.send(runTask("a1", INSTRUCT_PARAMS));
                assertEquals("task-started", event(a.event(60)));
                Client b = Client.connect(t, null);
                b.send(runTask("b1", INSTRUCT_PARAMS));              // queued behind a
                for (int i = 0; i < 8; i++) {                         // a holds the slot for 4 s, twice b's idle timeout
                    a.send(continueTask("a1", "好少咯，"));
                    Thread.sleep(500);
                }
                a.send(finishTask("a1"));
                Object o;
                do o = a.next(120); while (!(o instanceof JsonNode aEnd && event(aEnd).equals("task-finished")));

                JsonNode started = b.event(120);
                assertEquals("task-started", event(started), "b waited for its slot, it was not idle: " + started);
                b.send(continueTask("b1", "中秋嗰啲可能会咯。"));
                b.send(finishTask("b1"));
                do {
                    o = b.next(120);
                    if (o instanceof JsonNode ev) assertTrue(!event(ev).equals("task-failed"), ev.toString());
                } while (!(o instanceof JsonNode end && event(end).equals("task-finished")));
            });
        }
    }
}
