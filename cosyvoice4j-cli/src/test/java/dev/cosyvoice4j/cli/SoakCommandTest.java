package dev.cosyvoice4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.server.ServerOptions;
import dev.cosyvoice4j.server.SpeechServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The short soak of CI: {@code soak} through the real command line against a server on the fixture model in this
 * process (1 slot, 2 queue places, 5 clients: 429s; 25 speech tokens per segment, since a model with random weights may
 * otherwise stop at once), 24 s of the full mix, the last three quarters judged. No forced GC here (jcmd on a loaded
 * machine is slow): the heap figure is the server's heap after its last GC, hence the wide bounds. Asserts what the soak asserts (no failed
 * operation, memory flat, threads, descriptors, sessions and voices back to idle) with generous bounds: the machine
 * may be slow and shared, so nothing here depends on speed.
 */
class SoakCommandTest {
    @TempDir Path tmp;

    @Test
    void aShortSoakOfTheFixtureServerPasses() throws Exception {
        try (Engine engine = Engine.load(Path.of(BenchCommandTest.TINY), EngineOptions.defaults().withThreads(2).withSpeakerDir(tmp.resolve("voices")));
             SpeechServer server = SpeechServer.start(engine, ServerOptions.defaults().withHost("127.0.0.1").withPort(0)
                     .withMaxConcurrent(1).withMaxQueue(2).withQueueTimeout(Duration.ofSeconds(60))
                     .withPinnedTokens(25))) {                          // random weights: 1 s of audio per segment, whatever the seed
            Path out = tmp.resolve("soak");
            BenchCommandTest.Result r = BenchCommandTest.run("soak", "--server", "http://127.0.0.1:" + server.port(),
                    "--clients", "5", "--duration", "24", "--sample-interval", "1", "--warmup-fraction", "0.25", "--seed", "7",
                    "--max-heap-growth", "256", "--max-rss-growth", "512", "--thread-slack", "16", "--fd-slack", "32",
                    "--out", out.toString());
            assertTrue(Files.exists(out.resolve("soak.json")), r.err());
            JsonNode j = new ObjectMapper().readTree(out.resolve("soak.json").toFile());
            assertEquals(0, r.code(), r.err() + "\nfailures: " + j.get("failures"));
            for (String f : new String[]{"soak.md", "soak.json", "soak-memory.svg"}) assertTrue(Files.size(out.resolve(f)) > 1000, f);
            assertTrue(j.get("passed").asBoolean(), r.err());
            assertEquals(0, j.at("/totals/failures").asInt(), j.get("failures").toString());
            assertTrue(j.at("/totals/ok").asInt() > 0, "responses compared with their serial runs");
            assertTrue(j.at("/totals/refused").asInt() > 0, "malformed requests refused");
            assertTrue(j.get("samples").size() >= 4, "sampled over time");
            for (JsonNode c : j.get("checks")) assertTrue(c.get("passed").asBoolean(), c.toString());
        }
    }

    @Test
    void anUnreachableServerIsOneLine() {
        BenchCommandTest.Result r = BenchCommandTest.run("soak", "--server", "http://127.0.0.1:9", "--duration", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --server: cannot reach http://127.0.0.1:9/health"), r.err());
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertTrue(BenchCommandTest.run("soak", "--server", "ftp://x", "--duration", "1").err().contains("--server: 'ftp://x' is not an http:// or https:// URL"));
        assertTrue(BenchCommandTest.run("soak", "--server", "http://127.0.0.1:9", "--clients", "0").err().contains("--clients: must be >= 1"));
        assertTrue(BenchCommandTest.run("soak", "--server", "http://127.0.0.1:9", "--duration", "-1").err().contains("--duration: must be > 0"));
    }
}
