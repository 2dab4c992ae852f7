package dev.cosyvoice4j.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.bench.BenchEnvironment;
import dev.cosyvoice4j.bench.soak.SoakResult.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The soak's three report files from a made-up run. */
class SoakReportTest {
    @TempDir Path tmp;

    static SoakReport report(boolean withFailure) {
        List<SoakResult> results = new ArrayList<>();
        results.add(new SoakResult(SoakOp.SPEECH_STREAM, "s1-pcm", Outcome.OK, 1, 900, 300, 78720, null));
        results.add(new SoakResult(SoakOp.SPEECH_STREAM, "s3-mp3", Outcome.OK, 2, 1100, 350, 9000, null));
        results.add(new SoakResult(SoakOp.SPEECH_SSE, "s6-sse-pcm", Outcome.REJECTED, 2, 5, Double.NaN, 0, null));
        results.add(new SoakResult(SoakOp.MALFORMED_HTTP, "bad-json", Outcome.REFUSED, 3, 20, Double.NaN, 0, "HTTP 400"));
        results.add(new SoakResult(SoakOp.DISCONNECT_HTTP, "s1-pcm/mid-stream", Outcome.DISCONNECTED, 4, 400, 380, 4096, null));
        if (withFailure) results.add(new SoakResult(SoakOp.WEBSOCKET, "w1-pcm", Outcome.MISMATCH, 5, 2000, 600, 5000, "5000 bytes vs 5002 serially | first difference at byte 44"));
        List<MetricsSample> samples = new ArrayList<>();
        for (int i = 0; i <= 12; i++) {
            samples.add(new MetricsSample(i * 5, 100e6 + (i % 3) * 20e6, 50e6, 300e6, 500e6, 22, 85, 2, i % 2, i % 3, 0, 2, 1, i, i * 4L));
        }
        MetricsSample idle = new MetricsSample(-0.0, 60e6, 40e6, 300e6, 480e6, 18, 81, 1, 1, 0, 0, 2, 0, 0, 0);
        MetricsSample settled = new MetricsSample(62, 62e6, 41e6, 300e6, 500e6, 19, 81, 2, 2, 0, 0, 2, 0, 12, 48);
        List<Trend> trends = List.of(Trend.of("heap after GC", samples, MetricsSample::heapAfterGcBytes),
                Trend.of("resident set", samples, MetricsSample::rssBytes), Trend.of("heap in use", samples, MetricsSample::heapUsedBytes));
        List<SoakReport.Check> checks = List.of(new SoakReport.Check("every response complete and identical to its serial run", !withFailure, "x"),
                new SoakReport.Check("resident set flat after warm-up", true, "+0.0 MiB"));
        SoakReport.Setup setup = new SoakReport.Setup("http://127.0.0.1:8080", 6, 60, 1986, 5, true, 0.5, SoakConfig.Bounds.DEFAULT);
        return new SoakReport(BenchEnvironment.capture(), setup, "ok", Instant.parse("2026-12-06T19:00:00Z"), 60, 30, results, samples,
                idle, settled, trends, checks);
    }

    @Test
    void writesMarkdownJsonAndAWellFormedSvg() throws Exception {
        SoakReport r = report(true);
        List<Path> files = r.writeTo(tmp);
        assertEquals(List.of(tmp.resolve("soak.md"), tmp.resolve("soak.json"), tmp.resolve("soak-memory.svg")), files);

        String md = Files.readString(files.get(0));
        assertTrue(md.startsWith("# Soak: FAILED"), md);
        assertTrue(md.contains("| speech_stream | 2 |"), md);
        assertTrue(md.contains("| websocket |  |  |  |  | **1** |"), md);
        assertTrue(md.contains("first difference at byte 44"), "failures are listed");
        assertTrue(md.contains("\\|"), "a | inside a cell is escaped");
        assertTrue(md.contains("![memory, threads and file descriptors over the run](soak-memory.svg)"));

        JsonNode j = new ObjectMapper().readTree(files.get(1).toFile());
        assertEquals(SoakReport.SCHEMA, j.get("schema").asText());
        assertFalse(j.get("passed").asBoolean());
        assertEquals(6, j.at("/totals/operations").asInt());
        assertEquals(1, j.at("/totals/failures").asInt());
        assertEquals(2, j.at("/by_kind/speech_stream/ok").asInt());
        assertEquals(13, j.get("samples").size());
        assertEquals(1, j.at("/not_ok_by_variant/malformed_http ~1 bad-json ~1 refused").asInt());
        assertEquals(1000, j.at("/latency_ms/speech_stream/p50Ms").asDouble(), 1e-9);

        String svg = Files.readString(files.get(2));
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(files.get(2).toFile());   // well-formed XML
        assertEquals(8, svg.split("<polyline").length - 1, "4 memory and 4 count series");
    }

    @Test
    void passedOnlyWhenEveryCheckPassed() {
        assertTrue(report(false).passed());
        assertFalse(report(true).passed());
    }
}
