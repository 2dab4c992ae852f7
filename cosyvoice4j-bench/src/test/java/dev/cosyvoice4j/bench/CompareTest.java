package dev.cosyvoice4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** --compare: the peer-bench-cpu.json key mapping, our own JSON read back, pairing and "x faster" ratios. */
class CompareTest {
    static final Path PEER = Path.of("src/test/resources/bench/peer-bench-cpu.json");
    @TempDir Path tmp;

    @Test
    void peerBenchKeysMapOntoOurs() {
        List<Baseline> bs = Baseline.read(PEER);
        assertEquals(1, bs.size());
        Baseline p = bs.getFirst();
        assertEquals(19.949628331999975, p.get("load_s"), 1e-12);
        assertEquals(22.069392213928563, p.get("rtf_core"), 1e-12);            // peer "rtf" excludes the frontend
        assertEquals(22.102854691785623, p.get("rtf"), 1e-12);                 // rtf_incl_standin_frontend
        assertEquals(61.79429819899997 + 0.09369493799977135, p.get("generation_s"), 1e-9);
        assertEquals(p.get("generation_s"), p.get("ftl_s"), 1e-12);            // non-streaming
        assertEquals(2.8, p.get("audio_s"), 1e-12);
        assertEquals(2.5844178100001045, p.get("llm_prefill_s"), 1e-12);
        assertEquals(22.178183132999948, p.get("llm_decode_s"), 1e-12);
        assertEquals(3.1562549366744004, p.get("decode_tok_per_s"), 1e-12);
        assertEquals(36.59007608000002, p.get("flow_s"), 1e-12);
        assertEquals(3659.007608000002, p.get("flow_step_ms"), 1e-9);
        assertEquals(0.4416211759998987, p.get("hift_s"), 1e-12);
        assertEquals(6279.53125, p.get("peak_rss_mb"), 1e-12);
        assertEquals(2, p.threads());
        assertEquals(false, p.stream());
        assertEquals(70, p.tokens());
        assertEquals(Baseline.KEYS, List.copyOf(p.metrics().keySet()));
    }

    @Test
    void ratiosSayHowManyTimesFaster() throws Exception {
        RunResult ours = BenchRunnerTest.run(BenchRunnerTest.grid("2", "on", "70"), 0, 2).results().getFirst();
        Comparison c = Comparison.of(List.of(ours), Baseline.read(PEER), PEER.toString());
        Comparison.Table t = c.tables().getFirst();
        Map<String, Comparison.Row> rows = new java.util.HashMap<>();
        t.rows().forEach(r -> rows.put(r.key(), r));
        Comparison.Row rtf = rows.get("rtf");
        assertEquals(22.102854691785623 / (2.78 / 2.8), rtf.factor(), 1e-9);
        assertEquals("22.3x faster", rtf.verdict());
        Comparison.Row tok = rows.get("decode_tok_per_s");
        assertEquals(50 / 3.1562549366744004, tok.factor(), 1e-9);     // rates: ours / theirs
        assertEquals("15.8x faster", tok.verdict());
        Comparison.Row mem = rows.get("peak_rss_mb");
        assertEquals(6279.53125 / (1_800_000_000L / 1048576.0), mem.factor(), 1e-9);
        assertEquals("3.66x less", mem.verdict());
        assertEquals("", rows.get("audio_s").verdict());
        Baseline faster = new Baseline("fast", Map.of("rtf", (2.78 / 2.8) / 1.5, "peak_rss_mb", 1000.0), 2, true, 70, List.of());
        Comparison.Table slow = Comparison.of(List.of(ours), List.of(faster), "x").tables().getFirst();
        assertEquals("1.50x slower", slow.rows().stream().filter(r -> r.key().equals("rtf")).findFirst().orElseThrow().verdict());
        assertEquals("1.72x more", slow.rows().stream().filter(r -> r.key().equals("peak_rss_mb")).findFirst().orElseThrow().verdict());
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("non-streaming")), t.notes().toString());
    }

    @Test
    void ourJsonReadsBackAndPairsLikeWithLike() throws Exception {
        List<RunResult> grid = BenchRunnerTest.run(BenchRunnerTest.grid("1,2", "on,off", "70"), 0, 1).results();
        BenchReport report = new BenchReport(ReportWritersTest.env(), grid, null);
        Path json = tmp.resolve("bench.json");
        Files.writeString(json, JsonReport.write(report));
        List<Baseline> back = Baseline.read(json);
        assertEquals(4, back.size());
        for (int i = 0; i < 4; i++) {
            Baseline expected = Baseline.of(grid.get(i));
            for (String k : Baseline.KEYS) assertEquals(expected.get(k), back.get(i).get(k), 1e-12, k);
            assertEquals(expected.threads(), back.get(i).threads());
            assertEquals(expected.stream(), back.get(i).stream());
        }
        // run threads=2 stream=off pairs with the baseline threads=2 stream=off, and compares equal
        Comparison c = Comparison.of(grid, back, json.toString());
        assertEquals("threads=2, stream=off, tokens=70", c.tables().get(3).theirs());
        assertTrue(c.tables().get(3).rows().stream().filter(r -> !r.verdict().isEmpty()).allMatch(r -> r.verdict().equals("same")));
    }

    @Test
    void unknownJsonIsAClearError() throws Exception {
        Path f = tmp.resolve("x.json");
        Files.writeString(f, "{\"hello\": 1}");
        var e = assertThrows(ModelFormatException.class, () -> Baseline.read(f));
        assertTrue(e.getMessage().contains("--compare"), e.getMessage());
        Files.writeString(f, "{not json");
        assertThrows(ModelFormatException.class, () -> Baseline.read(f));
        assertNotNull(new ObjectMapper());
    }
}
