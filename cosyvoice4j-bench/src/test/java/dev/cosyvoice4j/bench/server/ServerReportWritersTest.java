package dev.cosyvoice4j.bench.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.bench.BenchEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Markdown, JSON and SVG of a server run with known numbers. */
class ServerReportWritersTest {
    static final String KEY = "sk-secret-123";
    @TempDir Path tmp;

    static ServerLoadReport report() {
        BenchEnvironment env = new BenchEnvironment("2026-01-02T03:04:05Z", "Test CPU @ 3 GHz", 2, 24_000_000_000L, "Linux 6.1", "amd64",
                "25+36", "OpenJDK 64-Bit Server VM", List.of("-Xmx6g"), 256, "Species[float, 8, S_256_BIT]", "0.50 0.40 0.30");
        ServerLoadConfig c = new ServerLoadConfig(URI.create("http://127.0.0.1:8080"), KEY, SpeechRequest.voice("Hello | world.", "alice", 1986),
                List.of(1, 2), 4, 0, 1, ServerLoadConfig.DEFAULT_REQUEST_TIMEOUT);
        // concurrency 1: TTFA 100..400 ms, RTF 1..4, 1 s of audio each, 10 s wall
        List<ServerRequestResult> one = List.of(
                ServerLevelResultTest.ok(100, 1000, 1), ServerLevelResultTest.ok(200, 2000, 1),
                ServerLevelResultTest.ok(300, 3000, 1), ServerLevelResultTest.ok(400, 4000, 1));
        List<ServerRequestResult> two = List.of(ServerLevelResultTest.ok(500, 2000, 2), ServerLevelResultTest.ok(700, 3000, 2),
                ServerLevelResultTest.failed(429, "HTTP 429 server_busy: server is full"), ServerLevelResultTest.failed(400, "HTTP 400 bad | voice"));
        return new ServerLoadReport(env, c, new ServerInfo("{\"status\":\"ok\"}", List.of("cosyvoice3")),
                List.of(new ServerLevelResult(1, 10, one), new ServerLevelResult(2, 5, two)));
    }

    @Test
    void markdownHasTheConfigurationOneRowPerLevelAndTheErrors() {
        String md = ServerMarkdownReport.write(report(), ServerLoadReport.SVG);
        for (String s : List.of("# cosyvoice4j Server Load Report", "**Date**: 2026-01-02",
                "**Server**: `http://127.0.0.1:8080` (models: cosyvoice3)",
                "| Text | \"Hello \\| world.\" |", "| Voice | `alice` |", "| Seed | 1986 |", "| Requests per level | 4 (after 1 warm-up request) |",
                "| API key | sent (not shown) |",
                "| 1 | 4 | 4 | 0 | 0 | 250 | 385 | 2.500 | 3.850 | 0.40 | 10.00 |",
                "| 2 | 4 | 2 | 1 | 1 | 600 | 690 | 1.250 | 1.475 | 0.80 | 5.00 |",
                "![Latency and throughput per concurrency level](bench-server.svg)",
                "## Errors", "- 1x HTTP 429 server_busy: server is full", "- 1x HTTP 400 bad \\| voice",
                "## Per-Request Breakdown", "| 3 | 0 | 0 | 429 | - | 5 | - | - | HTTP 429 server_busy: server is full |")) {
            assertTrue(md.contains(s), "missing: " + s + "\n---\n" + md);
        }
        assertFalse(md.contains(KEY));
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void jsonParsesWithLevelSummariesAndEveryRequest() throws Exception {
        JsonNode j = new ObjectMapper().readTree(ServerJsonReport.write(report()));
        assertEquals(ServerLoadReport.SCHEMA, j.get("schema").asText());
        assertEquals(256, j.at("/environment/vector_bits").asInt());
        assertEquals("http://127.0.0.1:8080", j.at("/server/url").asText());
        assertEquals("cosyvoice3", j.at("/server/models/0").asText());
        assertEquals("alice", j.at("/config/voice").asText());
        assertEquals(4, j.at("/config/requests_per_level").asInt());
        assertTrue(j.at("/config/duration_s").isNull());
        assertTrue(j.at("/config/api_key_sent").asBoolean());
        JsonNode l1 = j.at("/levels/0"), l2 = j.at("/levels/1");
        assertEquals(250, l1.get("ttfa_ms_p50").asDouble(), 1e-9);
        assertEquals(385, l1.get("ttfa_ms_p95").asDouble(), 1e-9);
        assertEquals(2.5, l1.get("rtf_p50").asDouble(), 1e-9);
        assertEquals(3.85, l1.get("rtf_p95").asDouble(), 1e-9);
        assertEquals(0.4, l1.get("audio_seconds_per_second").asDouble(), 1e-9);
        assertEquals(2, l2.get("ok").asInt());
        assertEquals(1, l2.get("rejected_429").asInt());
        assertEquals(1, l2.get("errors").asInt());
        assertEquals(2, l2.get("error_messages").size());
        assertEquals("HTTP 429 server_busy: server is full", l2.at("/error_messages/0/message").asText());
        assertEquals(4, l2.get("request_results").size());
        assertEquals(96000, l2.at("/request_results/0/audio_bytes").asLong());
        assertEquals(2.0, l2.at("/request_results/0/audio_seconds").asDouble(), 1e-12);
        assertTrue(l2.at("/request_results/2/ttfa_ms").isNull());
        assertEquals(1.0, l2.at("/request_results/2/retry_after_s").asDouble());
        assertFalse(j.toString().contains(KEY));
    }

    @Test
    void svgIsWellFormedWithARowPerLevelInEachPanel() throws Exception {
        String svg = ServerSvgChart.write(report());
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", d.getDocumentElement().getTagName());
        NodeList texts = d.getElementsByTagName("text");
        int rowLabels = 0;
        for (int i = 0; i < texts.getLength(); i++) if (texts.item(i).getTextContent().startsWith("concurrency ")) rowLabels++;
        assertEquals(3 * 2, rowLabels, "3 panels x 2 levels");
        assertTrue(svg.contains("<title>p50 250</title>"), svg);
        assertTrue(svg.contains("0.400 s/s \u00b7 4 ok, 0 \u00d7 429, 0 err"), svg);
        assertTrue(svg.contains("<title>real time</title>"), "RTF 1 line");
    }

    @Test
    void writeToPutsTheThreeFilesInTheDirectory() throws Exception {
        Path dir = tmp.resolve("out");
        List<Path> files = report().writeTo(dir);
        assertEquals(List.of(dir.resolve("bench.md"), dir.resolve("bench.json"), dir.resolve("bench-server.svg")), files);
        for (Path f : files) assertTrue(Files.size(f) > 500, f.toString());
        assertDoesNotThrow(() -> new ObjectMapper().readTree(dir.resolve("bench.json").toFile()));
    }
}
