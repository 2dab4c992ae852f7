package dev.cosyvoice4j.bench.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.bench.BenchClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The load runner against {@link FakeSpeechServer}: counts, audio length from the bytes, the request it sends, failures. */
class ServerLoadRunnerTest {
    static final double CHUNK_AUDIO_S_24K = FakeSpeechServer.CHUNKS * FakeSpeechServer.CHUNK_BYTES / 2.0 / 24000; // 0.3 s
    FakeSpeechServer server;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    @TempDir Path tmp;

    @BeforeEach
    void start() throws IOException { server = FakeSpeechServer.start(); }

    @AfterEach
    void stop() { server.close(); }

    static ServerLoadConfig config(URI uri, SpeechRequest request, List<Integer> levels, int requests, double durationS, int warmup, String apiKey) {
        return new ServerLoadConfig(uri, apiKey, request, levels, requests, durationS, warmup, ServerLoadConfig.DEFAULT_REQUEST_TIMEOUT);
    }

    static SpeechRequest voice(String name) { return SpeechRequest.voice("Hello there.", name, 7); }

    ServerLoadReport run(ServerLoadConfig c) throws Exception {
        return new ServerLoadRunner(BenchClock.system(), new PrintStream(log, true)).run(c);
    }

    @Test
    void countsOkRejectedAndErrorsPerConcurrencyLevel() throws Exception {
        server.rejectEvery = 4; // each level's 8 requests are numbers 8k+1..8k+8 at the server: two of them are 429s
        ServerLoadReport r = run(config(server.uri(), voice("alice"), List.of(1, 2, 4, 8), 8, 0, 0, null));
        assertEquals(List.of(1, 2, 4, 8), r.levels().stream().map(ServerLevelResult::concurrency).toList());
        for (ServerLevelResult l : r.levels()) {
            String at = "concurrency " + l.concurrency();
            assertEquals(8, l.requests().size(), at);
            assertEquals(6, l.okCount(), at);
            assertEquals(2, l.rejectedCount(), at);
            assertEquals(0, l.errorCount(), at);
            assertEquals(6 * CHUNK_AUDIO_S_24K, l.audioSeconds(), 1e-12, at);
            assertEquals(List.of(new ServerLevelResult.ErrorCount("HTTP 429 server_busy: server is full", 2)), l.errorMessages(5), at);
            Set<Integer> clients = l.requests().stream().map(ServerRequestResult::client).collect(Collectors.toSet());
            assertTrue(clients.stream().allMatch(c -> c >= 0 && c < l.concurrency()), at + ": " + clients);
            for (ServerRequestResult q : l.requests()) {
                if (q.rejected()) {
                    assertEquals(0.0, q.retryAfterS());
                    assertTrue(Double.isNaN(q.ttfaMs()));
                    continue;
                }
                assertEquals(200, q.status());
                assertEquals(FakeSpeechServer.CHUNKS * FakeSpeechServer.CHUNK_BYTES, q.audioBytes());
                assertTrue(q.ttfaMs() >= 0 && q.ttfaMs() <= q.totalMs(), "first audio comes before the end");
                assertEquals(q.totalMs() / 1000 / CHUNK_AUDIO_S_24K, q.rtf(), 1e-9);
            }
            assertTrue(l.audioSecondsPerSecond() > 0, at);
        }
        assertEquals(32, server.speechRequests());
        assertTrue(log.toString().contains("[concurrency 8] 6 ok, 2 rejected (429), 0 errors"), log.toString());
    }

    @Test
    void audioSecondsComeFromTheBytesAndTheRateInTheContentType() throws Exception {
        server.sampleRateHz = 16000;
        ServerRequestResult q = run(config(server.uri(), voice("alice"), List.of(1), 1, 0, 0, null)).levels().getFirst().requests().getFirst();
        assertEquals(16000, q.sampleRateHz());
        assertEquals(14400 / 2.0 / 16000, q.audioSeconds(), 1e-12);

        server.sampleRateHz = 0; // "audio/pcm" without a rate: 24 kHz
        q = run(config(server.uri(), voice("alice"), List.of(1), 1, 0, 0, null)).levels().getFirst().requests().getFirst();
        assertEquals(24000, q.sampleRateHz());
        assertEquals(CHUNK_AUDIO_S_24K, q.audioSeconds(), 1e-12);
    }

    @Test
    void anUnknownVoiceIsAnErrorCarryingTheServersMessage() throws Exception {
        ServerLoadReport r = run(config(server.uri(), voice(FakeSpeechServer.BAD_VOICE), List.of(1, 2), 3, 0, 0, null));
        for (ServerLevelResult l : r.levels()) {
            assertEquals(3, l.errorCount());
            assertEquals(0, l.okCount());
            assertEquals(0, l.rejectedCount());
            assertEquals(List.of(new ServerLevelResult.ErrorCount("HTTP 400 voice_not_found: unknown voice 'nope'", 3)), l.errorMessages(5));
            assertTrue(Double.isNaN(l.ttfaMs(0.5)), "no latency without audio");
            assertEquals(0.0, l.audioSecondsPerSecond());
            assertTrue(l.requests().stream().allMatch(q -> q.status() == 400));
        }
    }

    @Test
    void theRequestFollowsTheSpeechContractAndCarriesTheApiKey() throws Exception {
        server.apiKey = "k1";
        ServerLoadReport r = run(config(server.uri(), voice("alice"), List.of(1), 2, 0, 0, "k1"));
        assertEquals(2, r.levels().getFirst().okCount());
        JsonNode b = server.bodies().getFirst();
        assertEquals("cosyvoice3", b.get("model").asText());
        assertEquals("Hello there.", b.get("input").asText());
        assertEquals("alice", b.get("voice").asText());
        assertEquals("pcm", b.get("response_format").asText());
        assertEquals("audio", b.get("stream_format").asText());
        assertEquals(7, b.get("seed").asLong());
        assertFalse(b.has("ref_audio"));
        assertEquals(List.of("Bearer k1", "Bearer k1"), server.authorizations());
        assertEquals(List.of("cosyvoice3"), r.server().models());

        ServerLevelResult wrongKey = run(config(server.uri(), voice("alice"), List.of(1), 2, 0, 0, "k2")).levels().getFirst();
        assertEquals(2, wrongKey.errorCount());
        assertEquals("HTTP 401 invalid_api_key: Incorrect API key provided", wrongKey.errorMessages(5).getFirst().message());
    }

    @Test
    void aReferenceWavIsSentAsADataUriWithItsTranscript() throws Exception {
        Path wav = tmp.resolve("ref.wav");
        byte[] bytes = {'R', 'I', 'F', 'F', 1, 2, 3, (byte) 0xff};
        Files.write(wav, bytes);
        SpeechRequest req = SpeechRequest.refWav("Hi.", wav, "the transcript", 3);
        assertEquals("one-off voice from " + wav, req.voiceLabel());
        assertFalse(req.toString().contains("base64"), "the data URI stays out of logs");
        run(config(server.uri(), req, List.of(1), 1, 0, 0, null));
        JsonNode b = server.bodies().getFirst();
        assertEquals("data:audio/wav;base64," + Base64.getEncoder().encodeToString(bytes), b.get("ref_audio").asText());
        assertEquals("the transcript", b.get("ref_text").asText());
        assertFalse(b.has("voice"), "the one-off voice replaces the voice name");
    }

    @Test
    void warmupRequestsAreSentButNotCounted() throws Exception {
        ServerLoadReport r = run(config(server.uri(), voice("alice"), List.of(1), 3, 0, 2, null));
        assertEquals(3, r.levels().getFirst().requests().size());
        assertEquals(5, server.speechRequests());
        assertTrue(log.toString().contains("warm-up 2/2: TTFA"), log.toString());
    }

    @Test
    void aWarmupRefusedForTheRequestsOwnFaultStopsTheRun() {
        IOException e = assertThrows(IOException.class,
                () -> run(config(server.uri(), voice(FakeSpeechServer.BAD_VOICE), List.of(1, 2), 8, 0, 1, null)));
        assertTrue(e.getMessage().contains("warm-up request failed with HTTP 400 voice_not_found: unknown voice 'nope'"), e.getMessage());
        assertEquals(1, server.speechRequests(), "no level ran");
    }

    @Test
    void aRejectedWarmupDoesNotStopTheRun() throws Exception {
        server.rejectEvery = 1;
        ServerLoadReport r = run(config(server.uri(), voice("alice"), List.of(1), 2, 0, 1, null));
        assertEquals(2, r.levels().getFirst().rejectedCount());
    }

    @Test
    void anUnreachableServerFailsBeforeTheRunWithAClearMessage() {
        URI gone = server.uri();
        server.close();
        IOException e = assertThrows(IOException.class, () -> run(config(gone, voice("alice"), List.of(1), 1, 0, 0, null)));
        assertTrue(e.getMessage().startsWith("--server: cannot reach " + gone + "/health ("), e.getMessage());
        assertTrue(e.getMessage().contains("cosyvoice4j serve"), e.getMessage());
    }

    @Test
    void anUnhealthyServerIsReportedWithItsAnswer() {
        server.healthy = false;
        IOException e = assertThrows(IOException.class, () -> run(config(server.uri(), voice("alice"), List.of(1), 1, 0, 0, null)));
        assertEquals("--server: " + server.uri() + "/health answered HTTP 503 {\"status\":\"loading\"}", e.getMessage());
        assertEquals(0, server.speechRequests());
    }

    @Test
    void aDurationKeepsEveryClientSendingUntilTheLevelEnds() throws Exception {
        ServerLevelResult l = run(config(server.uri(), voice("alice"), List.of(2), 1, 0.05, 0, null)).levels().getFirst();
        assertTrue(l.requests().size() >= 2, "each client sends at least one request");
        assertEquals(Set.of(0, 1), l.requests().stream().map(ServerRequestResult::client).collect(Collectors.toSet()));
        assertEquals(l.requests().size(), l.okCount());
        assertEquals(l.requests().size(), server.speechRequests());
    }

    @Test
    void aTrailingSlashInTheServerUrlIsHarmless() throws Exception {
        ServerLoadReport r = run(config(URI.create(server.uri() + "/"), voice("alice"), List.of(1), 1, 0, 0, null));
        assertEquals(server.uri(), r.config().server());
        assertEquals(1, r.levels().getFirst().okCount());
    }

    @Test
    void badSchedulesAreRefusedNamingTheOption() {
        assertEquals("--concurrency: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> config(server.uri(), voice("a"), List.of(1, 0), 1, 0, 0, null)).getMessage());
        assertEquals("--requests: must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> config(server.uri(), voice("a"), List.of(1), 0, 0, 0, null)).getMessage());
        assertEquals("--server: 'ftp://x' is not an http:// or https:// URL", assertThrows(IllegalArgumentException.class,
                () -> config(URI.create("ftp://x"), voice("a"), List.of(1), 1, 0, 0, null)).getMessage());
    }
}
