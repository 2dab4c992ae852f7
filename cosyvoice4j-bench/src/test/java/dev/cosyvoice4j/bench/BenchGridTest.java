package dev.cosyvoice4j.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BenchGridTest {
    @Test
    void commaListsExpandToTheCartesianProductSetupMajor() {
        List<BenchGrid.Point> g = BenchGrid.expand(Path.of("m"), List.of("cpu", "cuda"), List.of("fp32"), List.of(1, 2, 4),
                "t", Path.of("p.wav"), "p", List.of(true, false), List.of(70, 0), 5);
        assertEquals(2 * 3 * 2 * 2, g.size());
        assertEquals(new BenchSetup(Path.of("m"), 1, "cpu", "fp32"), g.getFirst().setup());
        assertEquals(new BenchCase("t", Path.of("p.wav"), "p", true, 70, 5), g.getFirst().benchCase());
        assertEquals(new BenchCase("t", Path.of("p.wav"), "p", true, 0, 5), g.get(1).benchCase());
        assertEquals(new BenchCase("t", Path.of("p.wav"), "p", false, 70, 5), g.get(2).benchCase());
        assertEquals(2, g.get(4).setup().threads());
        assertEquals("cuda", g.getLast().setup().backend());
        assertEquals(4, g.getLast().setup().threads());
    }

    @Test
    void parsingValidatesAndDeduplicates() {
        assertEquals(List.of(1, 2, 4), BenchGrid.ints("--threads", " 1, 2,4,2 ", 1));
        assertEquals(List.of(true, false), BenchGrid.onOff("--stream", "on,off"));
        assertEquals(List.of(false), BenchGrid.onOff("--stream", "OFF"));
        assertEquals(List.of("cpu", "cuda"), BenchGrid.strings("--backend", "cpu,cuda"));
        var e = assertThrows(IllegalArgumentException.class, () -> BenchGrid.ints("--threads", "1,x", 1));
        assertEquals("--threads: 'x' is not an integer", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchGrid.ints("--threads", "0", 1));
        assertTrue(e.getMessage().startsWith("--threads: 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BenchGrid.onOff("--stream", "maybe"));
        assertEquals("--stream: 'maybe' is not on or off", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchGrid.ints("--tokens", "1,,2", 0));
        assertThrows(IllegalArgumentException.class, () -> BenchGrid.strings("--backend", ""));
    }

    @Test
    void firstChunkModesAreSetupsLabelledWhenNotAuto() {
        List<BenchGrid.Point> g = BenchGrid.expand(Path.of("m"), List.of("cpu"), List.of("fp32"), List.of(2), List.of("on"),
                List.of("auto", "official", "split"), "t", Path.of("p.wav"), "p", List.of(true), List.of(70), List.of("saved"), 5);
        assertEquals(3, g.size());
        assertEquals("auto", g.getFirst().setup().firstChunk());
        assertEquals("", g.getFirst().setup().streamingLabel());
        assertEquals(", first-chunk=official", g.get(1).setup().streamingLabel());
        assertEquals(", first-chunk=split", g.getLast().setup().streamingLabel());
        assertEquals(", stream-cache=causal, first-chunk=split", g.getLast().setup().withStreamCache("causal").streamingLabel());
        assertEquals("auto", g.getFirst().setup().withStreamCache("off").firstChunk(), "auto is official without the caches");
        var e = assertThrows(IllegalArgumentException.class, () -> g.getFirst().setup().withFirstChunk("early"));
        assertEquals("--first-chunk: 'early' is not auto, official or split", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.getLast().setup().withStreamCache("off"));
        assertEquals("--first-chunk split needs the DiT caches (--stream-cache on or causal)", e.getMessage());
    }
}
