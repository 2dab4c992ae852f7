package dev.cosyvoice4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.bench.server.FakeSpeechServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.cosyvoice4j.cli.BenchCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code bench --server} through the real command line, against the bench module's fake speech server. */
class BenchServerCommandTest {
    @TempDir Path tmp;

    @Test
    void benchAgainstARunningServerWritesTheServerReport() throws Exception {
        try (FakeSpeechServer server = FakeSpeechServer.start()) {
            Path out = tmp.resolve("report");
            BenchCommandTest.Result r = run("bench", "--server", server.uri().toString(), "--concurrency", "1,2", "--requests", "3",
                    "--warmup", "1", "--seed", "5", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            for (String f : new String[]{"bench.md", "bench.json", "bench-server.svg"}) assertTrue(Files.size(out.resolve(f)) > 500, f);
            JsonNode j = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
            assertEquals(2, j.get("levels").size());
            assertEquals(3, j.at("/levels/1/ok").asInt());
            assertEquals(1 + 2 * 3, server.speechRequests());
            // without --voice: the in-process bench's prompt, as a one-off voice
            JsonNode body = server.bodies().getFirst();
            assertTrue(body.get("ref_audio").asText().startsWith("data:audio/wav;base64,UklGR"), "a RIFF file");
            assertEquals(BenchCommand.DEFAULT_PROMPT_TEXT, body.get("ref_text").asText());
            assertEquals(BenchCommand.DEFAULT_TEXT, body.get("input").asText());
            assertEquals(5, body.get("seed").asInt());
        }
    }

    @Test
    void inProcessOptionsAreRefusedWithServer() {
        BenchCommandTest.Result r = run("bench", "--server", "http://127.0.0.1:9", "--model", BenchCommandTest.TINY, "--threads", "2", "--iterations", "3");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --model, --iterations, --threads: only for in-process runs, not with --server"), r.err());
        assertTrue(r.err().contains("use --requests for --iterations"), r.err());
    }

    @Test
    void serverOptionsAreRefusedWithoutServer() {
        BenchCommandTest.Result r = run("bench", "--model", BenchCommandTest.TINY, "--target", "simulated", "--concurrency", "2", "--voice", "a");
        assertEquals(1, r.code());
        assertEquals("error: --concurrency, --voice: only with --server URL", r.err().trim());

        r = run("bench", "--target", "simulated");
        assertEquals(1, r.code());
        assertEquals("error: --model: required (or --server URL to benchmark a running server)", r.err().trim());
    }

    @Test
    void anUnreachableServerIsOneLine() throws Exception {
        URI gone;
        try (FakeSpeechServer server = FakeSpeechServer.start()) {
            gone = server.uri();
        }
        BenchCommandTest.Result r = run("bench", "--server", gone.toString(), "--voice", "a", "--out", tmp.resolve("x").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --server: cannot reach " + gone + "/health"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing written");
    }

    @Test
    void voiceOptionsMustDescribeOneVoice() {
        BenchCommandTest.Result r = run("bench", "--server", "http://127.0.0.1:9", "--voice", "a", "--ref-wav", "x.wav");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--voice: give either --voice or --ref-wav/--ref-text, not both"), r.err());
        r = run("bench", "--server", "http://127.0.0.1:9", "--ref-wav", tmp.resolve("missing.wav").toString(), "--ref-text", "t");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--ref-wav: '"), r.err());
        r = run("bench", "--server", "not a url", "--voice", "a");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --server: 'not a url'"), r.err());
    }
}
