package dev.cosyvoice4j.bench.soak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrendTest {
    static MetricsSample at(double t, double rss) {
        return new MetricsSample(t, Double.NaN, Double.NaN, Double.NaN, rss, 20, 80, 1, 1, 0, 0, 2, 0, 0, 0);
    }

    @Test
    void aSteadyLeakIsItsSlopeTimesTheWindow() {
        List<MetricsSample> s = new ArrayList<>();
        for (int i = 0; i <= 10; i++) s.add(at(100 + 10 * i, 1000 + 2.0 * 10 * i));      // 2 bytes per second
        Trend t = Trend.of("rss", s, MetricsSample::rssBytes);
        assertEquals(11, t.samples());
        assertEquals(120, t.slopePerMinute(), 1e-9);
        assertEquals(200, t.growth(), 1e-9);
        assertEquals(1000, t.first());
        assertEquals(1200, t.last());
    }

    @Test
    void aSawtoothAroundAFlatLineHasNoGrowth() {
        List<MetricsSample> s = new ArrayList<>();
        for (int i = 0; i < 40; i++) s.add(at(i, i % 2 == 0 ? 500 : 700));
        assertEquals(0, Trend.of("rss", s, MetricsSample::rssBytes).growth(), 20);
    }

    @Test
    void undefinedSamplesAreSkippedAndTooFewHaveNoSlope() {
        Trend t = Trend.of("heap", List.of(at(0, 1), at(1, Double.NaN), at(2, 3)), MetricsSample::rssBytes);
        assertEquals(2, t.samples());
        assertTrue(Double.isNaN(t.growth()));
    }
}
