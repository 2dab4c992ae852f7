package dev.cosyvoice4j.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The report's arithmetic on hand-made traces and a fake clock. */
class BenchMetricsTest {
    static final double EPS = 1e-9;

    /** start at t0; chunks at +0.4 s (12000 samples) and +1.5 s (36000 samples); end at +2.0 s; 24 kHz -> 2 s audio. */
    static IterationTrace streamingTrace(FakeClock clock) {
        TraceRecorder rec = new TraceRecorder(clock, 24000);
        rec.start();
        clock.advanceMs(100);
        rec.stage(Stage.FRONTEND, 100_000_000L);
        clock.advanceMs(300);
        rec.stage(Stage.LLM_PREFILL, 200_000_000L);
        rec.chunk(12000);
        clock.advanceMs(1100);
        rec.chunk(36000);
        for (int i = 0; i < 4; i++) rec.stage(Stage.LLM_DECODE, 100_000_000L + i * 10_000_000L); // 100,110,120,130 ms
        rec.stage(Stage.FLOW, 500_000_000L);
        for (int i = 0; i < 10; i++) rec.stage(Stage.FLOW_STEP, 50_000_000L);
        rec.stage(Stage.HIFT, 100_000_000L);
        rec.count("prefill_positions", 100);
        clock.advanceMs(500);
        rec.end();
        return rec.trace();
    }

    @Test
    void iterationMetricsFromChunkTimestamps() {
        IterationMetrics m = IterationMetrics.of(1, streamingTrace(new FakeClock()));
        assertEquals(2.0, m.generationS(), EPS);
        assertEquals(2.0, m.audioS(), EPS);          // 48000 samples / 24000 Hz
        assertEquals(1.0, m.rtf(), EPS);
        assertEquals(1.0, m.throughput(), EPS);
        assertEquals(0.4, m.ftlS(), EPS);            // first chunk, not the stage sum
        assertEquals(2, m.chunks());
        assertEquals(1.9, m.coreS(), EPS);           // generation - frontend
        assertEquals(0.95, m.rtfCore(), EPS);
        assertEquals(0.46, m.stageS(Stage.LLM_DECODE), EPS);
        assertEquals(4, m.stages().get(Stage.LLM_DECODE).events());
        // 2.0 - (0.1 + 0.2 + 0.46 + 0.5 + 0.1); FLOW_STEP is nested in FLOW and not counted twice
        assertEquals(0.64, m.otherS(), EPS);
    }

    @Test
    void fasterThanRealTimeAndNoAudio() {
        FakeClock c = new FakeClock();
        TraceRecorder rec = new TraceRecorder(c, 24000);
        rec.start();
        c.advanceMs(500);
        rec.chunk(24000 * 2);
        rec.end();
        IterationMetrics m = IterationMetrics.of(1, rec.trace());
        assertEquals(0.25, m.rtf(), EPS);
        assertEquals(4.0, m.throughput(), EPS);
        assertEquals(0.5, m.ftlS(), EPS);
        assertEquals(0.5, m.otherS(), EPS); // no stages reported

        TraceRecorder empty = new TraceRecorder(c, 24000);
        empty.start();
        c.advanceMs(10);
        empty.end();
        IterationMetrics e = IterationMetrics.of(1, empty.trace());
        assertTrue(Double.isNaN(e.rtf()) && Double.isNaN(e.ftlS()));
        assertEquals(0, e.throughput(), EPS);
    }

    @Test
    void stageSummaryPoolsIterations() {
        FakeClock c = new FakeClock();
        List<IterationTrace> traces = List.of(streamingTrace(c), streamingTrace(c));
        RunResult r = RunResult.of(new BenchSetup(Path.of("m"), 2, "cpu", "fp32"),
                new BenchCase("t", Path.of("p.wav"), "p", true, 70, 1), new LoadInfo(24000, "cpu", "fp32"), 3.5, 1,
                traces, new MemoryStats(2_500_000_000L, 2_000_000_000L, 300_000_000L, 6_000_000_000L));
        StageSummary s = r.stages();
        assertEquals(0.1, s.frontendS(), EPS);
        assertEquals(0.2, s.prefillS(), EPS);
        assertEquals(100, s.prefillPositions(), EPS);
        assertEquals(500, s.prefillPosPerS(), EPS);
        assertEquals(4, s.decodeTokens(), EPS);
        assertEquals(8 / 0.92, s.decodeTokPerS(), 1e-9);      // 8 tokens in 2 x 0.46 s
        assertEquals(115, s.decodeMsMedian(), 1e-6);         // of 100,100,110,110,120,120,130,130
        assertEquals(130, s.decodeMsP90(), 1e-6);            // position 0.9 * 7 = 6.3 of the sorted 8
        assertEquals(10, s.flowSteps(), EPS);
        assertEquals(50, s.flowMsPerStep(), 1e-9);
        assertEquals(50, s.hiftMsPerAudioS(), 1e-9);          // 0.2 s HiFT per 4 s audio
        assertEquals(0.64, s.otherS(), EPS);
        assertEquals(1.0, r.aggregate("rtf").mean(), EPS);
        assertEquals(2, r.aggregate("rtf").n());
    }

    @Test
    void statsMeanMedianMinMax() {
        Stats s = Stats.of(3, 1, 2, 10);
        assertEquals(4, s.mean(), EPS);
        assertEquals(2.5, s.median(), EPS);
        assertEquals(1, s.min(), EPS);
        assertEquals(10, s.max(), EPS);
        assertEquals(Math.sqrt((1 + 9 + 4 + 36) / 3.0), s.stddev(), EPS);
        assertEquals(2, Stats.of(5, 2, Double.NaN, 1).median(), EPS);
        assertEquals(3, Stats.of(5, 2, Double.NaN, 1).n());
        assertEquals(0, Stats.of().n());
        assertTrue(Double.isNaN(Stats.of(Double.NaN).mean()));
        assertEquals(7.3, Stats.quantile(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.7), 1e-12);
    }

    @Test
    void totalsOnlyStagesGiveRatesButNoPerTokenDistribution() {
        FakeClock c = new FakeClock();
        TraceRecorder rec = new TraceRecorder(c, 24000);
        rec.start();
        c.advanceMs(3000);
        rec.stageTotal(Stage.LLM_DECODE, 1_400_000_000L, 70);
        rec.stageTotal(Stage.FLOW, 600_000_000L, 2);
        rec.stageTotal(Stage.FLOW_STEP, 600_000_000L, 20);
        rec.stage(Stage.HIFT, 100_000_000L);
        rec.stageTotal(Stage.HIFT, 90_000_000L, 1);   // mixed: totals still add up
        rec.chunk(67200);
        rec.end();
        IterationTrace t = rec.trace();
        assertEquals(0, t.events(Stage.LLM_DECODE).length);
        RunResult r = RunResult.of(new BenchSetup(Path.of("m"), 1, "cpu", "fp32"), new BenchCase("t", Path.of("p.wav"), "p", false, 70, 1),
                new LoadInfo(24000, "cpu", "fp32"), 1, 0, List.of(t), new MemoryStats(-1, -1, 0, 0));
        assertEquals(50, r.stages().decodeTokPerS(), 1e-9);
        assertTrue(Double.isNaN(r.stages().decodeMsMedian()));
        assertEquals(30, r.stages().flowMsPerStep(), 1e-9);
        assertEquals(2, r.stages().flowCalls(), EPS);
        assertEquals(0.19, r.stages().hiftS(), 1e-12);
        assertEquals(2, r.stages().hiftCalls(), EPS);
        assertEquals(3.0 - 1.4 - 0.6 - 0.19, r.stages().otherS(), 1e-9);
        String md = MarkdownReport.write(new BenchReport(ReportWritersTest.env(), List.of(r), null), null);
        assertTrue(md.contains("| LLM decode | 1.400 | 46.7% | 70 tokens, 50.00 tokens/s (real time needs 25 tokens/s) |"), md);
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void recorderRejectsNonsense() {
        TraceRecorder rec = new TraceRecorder(new FakeClock(), 24000);
        assertThrows(IllegalStateException.class, rec::trace);
        assertThrows(IllegalArgumentException.class, () -> rec.stage(Stage.HIFT, -1));
        assertThrows(IllegalArgumentException.class, () -> rec.chunk(-5));
    }
}
