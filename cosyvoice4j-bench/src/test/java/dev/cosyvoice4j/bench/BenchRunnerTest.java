package dev.cosyvoice4j.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The runner on a fake clock with the simulated pipeline: exact numbers, one load per setup, warm-ups unmeasured. */
class BenchRunnerTest {
    static final MemoryStats MEM = new MemoryStats(1_800_000_000L, 1_500_000_000L, 200_000_000L, 4_000_000_000L);

    record Run(List<RunResult> results, List<SimulatedTarget> targets, String log) {}

    static Run run(List<BenchGrid.Point> points, int warmup, int iterations) throws Exception {
        FakeClock clock = new FakeClock();
        List<SimulatedTarget> made = new ArrayList<>();
        BenchTargetProvider p = new BenchTargetProvider() {
            public String name() { return "sim"; }
            public BenchTarget create(BenchSetup s) {
                SimulatedTarget t = new SimulatedTarget(clock);
                made.add(t);
                return t;
            }
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<RunResult> r = new BenchRunner(clock, () -> MEM, new PrintStream(log, true)).run(p, points, warmup, iterations);
        return new Run(r, made, log.toString());
    }

    static List<BenchGrid.Point> grid(String threads, String stream, String tokens) {
        return BenchGrid.expand(Path.of("model"), List.of("cpu"), List.of("fp32"), BenchGrid.ints("--threads", threads, 1),
                "text", Path.of("p.wav"), "prompt", BenchGrid.onOff("--stream", stream), BenchGrid.ints("--tokens", tokens, 0), 1);
    }

    @Test
    void streamingRunHasExactNumbers() throws Exception {
        Run run = run(grid("2", "on", "70"), 1, 3);
        assertEquals(1, run.results().size());
        RunResult r = run.results().getFirst();
        assertEquals(1.5, r.loadS(), 1e-9);
        assertEquals(3, r.iterations().size());
        // 70 tokens, chunks after 25, 75->70 (hops 25 then 50): two chunks
        // time to first chunk = frontend 90 + prefill 500 + 25 x 20 decode + 10 x 30 flow + 2 x 25 hift = 1440 ms
        assertEquals(1.44, r.aggregate("ftl_s").mean(), 1e-9);
        // total: 90 + 500 + 70 x 20 + 2 x 300 + 2 x (25 + 70) = 2780 ms for 70 x 960 / 24000 = 2.8 s of audio
        assertEquals(2.78, r.aggregate("generation_s").mean(), 1e-9);
        assertEquals(2.8, r.aggregate("audio_s").mean(), 1e-9);
        assertEquals(2.78 / 2.8, r.aggregate("rtf").mean(), 1e-9);
        assertEquals(2.78 / 2.8, r.aggregate("rtf").max(), 1e-9);
        assertEquals(50.0, r.stages().decodeTokPerS(), 1e-9);
        assertEquals(30.0, r.stages().flowMsPerStep(), 1e-9);
        assertEquals(0, r.stages().otherS(), 1e-9);
        assertEquals(MEM, r.memory());
        assertEquals(1, run.targets().getFirst().loads);
        assertEquals(4, run.targets().getFirst().runs, "1 warm-up + 3 measured");
        assertTrue(run.log().contains("iteration 3/3"), run.log());
    }

    @Test
    void nonStreamingFtlIsTheWholeUtterance() throws Exception {
        RunResult r = run(grid("1", "off", "50"), 0, 2).results().getFirst();
        IterationMetrics m = r.iterations().getFirst();
        assertEquals(1, m.chunks());
        assertEquals(m.generationS(), m.ftlS(), 1e-9);
        assertEquals(2.0, m.audioS(), 1e-9);
    }

    @Test
    void gridLoadsOncePerSetupAndKeepsOrder() throws Exception {
        Run run = run(grid("1,2", "on,off", "70"), 0, 1);
        assertEquals(List.of("threads=1, stream=on, tokens=70", "threads=1, stream=off, tokens=70",
                "threads=2, stream=on, tokens=70", "threads=2, stream=off, tokens=70"),
                run.results().stream().map(r -> r.label(false)).toList());
        assertEquals(2, run.targets().size());
        for (SimulatedTarget t : run.targets()) {
            assertEquals(1, t.loads);
            assertEquals(2, t.runs);
        }
    }

    @Test
    void eachSetupStartsANewMemoryPeakBeforeItsLoad() throws Exception {
        List<String> events = new ArrayList<>();
        FakeClock clock = new FakeClock();
        BenchTargetProvider p = new BenchTargetProvider() {
            public String name() { return "sim"; }
            public BenchTarget create(BenchSetup s) {
                events.add("create " + s.threads());
                return new SimulatedTarget(clock);
            }
        };
        MemoryStats.Probe probe = new MemoryStats.Probe() {
            public MemoryStats snapshot() { return MEM; }
            public void resetPeaks() { events.add("reset"); }
        };
        new BenchRunner(clock, probe, new PrintStream(new ByteArrayOutputStream(), true))
                .run(p, grid("1,2", "off", "70"), 0, 1);
        assertEquals(List.of("reset", "create 1", "reset", "create 2"), events);
    }

    @Test
    void badCountsAreArgumentErrors() {
        assertThrows(IllegalArgumentException.class, () -> run(grid("1", "on", "70"), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> run(grid("1", "on", "70"), -1, 1));
    }
}
