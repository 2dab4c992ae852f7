package dev.cosyvoice4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Markdown, JSON and SVG writers on a simulated run (fake clock; exact numbers known). */
class ReportWritersTest {
    static BenchEnvironment env() {
        return new BenchEnvironment("2026-01-02T03:04:05Z", "Test CPU @ 3 GHz", 2, 24_000_000_000L, "Linux 6.1", "amd64",
                "25+36", "OpenJDK 64-Bit Server VM (Eclipse Adoptium)", List.of("--add-modules=jdk.incubator.vector", "-Xmx6g"), 256,
                "Species[float, 8, S_256_BIT]", "2.50 1.00 0.50");
    }

    static BenchReport report(String threads, String stream, boolean compare) throws Exception {
        List<RunResult> runs = BenchRunnerTest.run(BenchRunnerTest.grid(threads, stream, "70"), 1, 3).results();
        Comparison c = compare ? Comparison.of(runs, Baseline.read(CompareTest.PEER), "peer-bench-cpu.json") : null;
        return new BenchReport(env(), runs, c);
    }

    @Test
    void markdownHasTheSeedReportsSections() throws Exception {
        String md = MarkdownReport.write(report("2", "on", true), "bench-stages.svg");
        for (String s : List.of("# cosyvoice4j Performance Benchmark Report", "**Date**: 2026-01-02", "**Hardware**: Test CPU @ 3 GHz (2 logical cores, 24.0 GB RAM)",
                "## Benchmark Configuration", "| Text | \"text\" |", "| Iterations | 3 (after 1 warm-up) |", "| Threads | 2 (of 2 logical cores) |",
                "| Vector width | 256 bits (8 float lanes", "| JVM flags | `--add-modules=jdk.incubator.vector -Xmx6g` |",
                "| System load (1/5/15 min) | 2.50 1.00 0.50 at the end (busy machine: numbers are pessimistic) |",
                "### Average Metrics (3 iterations)",
                "| **First Token Latency (FTL)** | 1.440s | Time to first audio chunk |",
                "| **Real-Time Factor (RTF)** | 0.993 | 1.01x faster than real-time |",
                "| **Throughput** | 1.01 s/s | Audio seconds per wall-clock second |",
                "| **Average Generation Time** | 2.78s | Total time per synthesis |",
                "| **Model Load Time** | 1.50s | One-time startup cost |",
                "| **Peak Memory** | 1.80 GB |",
                "### Per-Iteration Breakdown", "| 1 | 1.440 | 0.993 | 2.78 | 2.80 | 2 |", "| 3 | 1.440 | 0.993 | 2.78 | 2.80 | 2 |",
                "| LLM decode | 1.400 | 50.4% | 70 tokens, 50.00 tokens/s", "| Flow (CFM) | 0.600 | 21.6% | 2 call(s), 20 ODE steps, 30.0 ms/step |",
                "![Time per stage and iteration](bench-stages.svg)",
                "### Bottlenecks Identified", "1. **LLM decode**: 1.40 s, 50% of generation time; 50.00 tokens/s",
                "## Comparison Targets", "| RTF | 0.99 | < 1.0 | met |", "| FTL | 1.44 s | < 0.5 s | 2.88x |", "| Memory (peak RSS) | 1.80 GB | < 2 GB | met |",
                "## Comparison with `peer-bench-cpu.json`", "| RTF (incl. frontend) | 0.993 | 22.10 | **22.3x faster** |",
                "| LLM decode (tokens/s) | 50.00 | 3.156 | **15.8x faster** |", "- peer ran non-streaming")) {
            assertTrue(md.contains(s), "missing: " + s + "\n---\n" + md);
        }
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void markdownGridHasASummaryAndPerRunSections() throws Exception {
        String md = MarkdownReport.write(report("1,2", "on,off", false), null);
        assertTrue(md.contains("### Grid"), md);
        assertTrue(md.contains("| threads=2, stream=off, tokens=70 | 2.430 | 0.868 |"), md);
        assertTrue(md.contains("### threads=1, stream=on, tokens=70"), md);
        assertTrue(md.contains("(non-streaming: the whole utterance)"), md);
        assertTrue(md.contains("| threads=1, stream=on, tokens=70 | RTF | 0.99 | < 1.0 | met |"), md);
        assertFalse(md.contains("!["), "no chart link without a chart file");
    }

    @Test
    void jsonIsValidWithNullsForMissingValues() throws Exception {
        BenchReport r = report("2", "on", true);
        JsonNode j = new ObjectMapper().readTree(JsonReport.write(r));
        assertEquals("cosyvoice4j-bench/1", j.get("schema").asText());
        assertEquals(256, j.at("/environment/vector_bits").asInt());
        JsonNode run = j.at("/runs/0");
        assertEquals(2, run.at("/setup/threads").asInt());
        assertTrue(run.at("/case/stream").asBoolean());
        assertEquals(70, run.at("/case/speech_tokens").asInt());
        assertEquals(1.5, run.at("/load/load_s").asDouble(), 1e-12);
        assertEquals(3, run.get("iterations").size());
        assertEquals(1.44, run.at("/iterations/0/ftl_s").asDouble(), 1e-9);
        assertEquals(2, run.at("/iterations/0/chunk_times_s").size());
        assertEquals(24000, run.at("/iterations/0/chunk_samples/0").asInt());
        assertEquals(70, run.at("/iterations/0/stages/llm_decode/events").asInt());
        assertEquals(2.78 / 2.8, run.at("/aggregates/rtf/median").asDouble(), 1e-9);
        assertEquals(30.0, run.at("/stages/flow_step_ms").asDouble(), 1e-9);
        assertEquals(1_800_000_000L / 1048576.0, run.at("/memory/peak_rss_mb").asDouble(), 1e-9);
        assertEquals(Baseline.KEYS.size(), run.get("summary").size());
        assertEquals("22.3x faster", j.at("/comparison/tables/0/rows/2/verdict").asText());

        // a target that reports nothing: NaNs are written as null
        FakeClock clock = new FakeClock();
        TraceRecorder rec = new TraceRecorder(clock, 24000);
        rec.start();
        rec.end();
        RunResult empty = RunResult.of(new BenchSetup(Path.of("m"), 1, "cpu", "fp32"), new BenchCase("t", Path.of("p.wav"), "p", false, 0, 1),
                new LoadInfo(24000, "cpu", "fp32"), 0.1, 0, List.of(rec.trace()), new MemoryStats(-1, -1, 0, 1));
        JsonNode e = new ObjectMapper().readTree(JsonReport.write(new BenchReport(env(), List.of(empty), null)));
        assertTrue(e.at("/runs/0/iterations/0/rtf").isNull());
        assertTrue(e.at("/runs/0/memory/peak_rss_mb").isNull());
        assertTrue(e.at("/runs/0/stages/flow_s").isNull());
        assertFalse(MarkdownReport.write(new BenchReport(env(), List.of(empty), null), null).contains("NaN"));
        assertDoesNotThrow(() -> parse(SvgChart.write(new BenchReport(env(), List.of(empty), null))));
    }

    @Test
    void svgIsWellFormedWithOneBarPerIterationAndAComparisonPanel() throws Exception {
        String svg = SvgChart.write(report("2", "on", true));
        Document d = parse(svg);
        Element root = d.getDocumentElement();
        assertEquals("svg", root.getTagName());
        NodeList rects = d.getElementsByTagName("rect");
        int flowSegments = 0, decodeSegments = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            String title = rects.item(i).getTextContent();
            if (title.startsWith("Flow (CFM)")) flowSegments++;
            if (title.startsWith("LLM decode")) decodeSegments++;
        }
        assertEquals(3 + 2, flowSegments, "3 iterations + this-run and baseline bars");
        assertEquals(5, decodeSegments);
        assertTrue(svg.contains("first audio 1.440 s"), "FTL marker");
        assertTrue(svg.contains("this run vs official stack (peer-bench)"), svg);
        assertTrue(svg.contains("RTF 0.993 vs 22.1 (22.3x faster)"), svg);
        assertEquals(2.0, SvgChart.niceStep(1.3), 1e-12);
        assertEquals(0.5, SvgChart.niceStep(0.31), 1e-12);
        assertEquals(10.0, SvgChart.niceStep(7), 1e-12);
    }

    static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
