package dev.cosyvoice4j.bench.soak;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MetricsSampleTest {
    static final String TEXT = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="PS Eden Space"} 1000.0
            jvm_memory_used_bytes{area="heap",id="PS Old Gen"} 2.5E3
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 99999.0
            jvm_memory_committed_bytes{area="heap",id="PS Eden Space"} 8000.0
            jvm_memory_committed_bytes{area="heap",id="PS Old Gen"} 9000.0
            jvm_memory_committed_bytes{area="nonheap",id="Metaspace"} 5.0E5
            cosyvoice4j_jvm_heap_after_gc_bytes 1500.0
            process_resident_memory_bytes 2.0E8
            jvm_threads_live_threads 18.0
            process_files_open_files 81.0
            cosyvoice4j_sessions_open 2.0
            cosyvoice4j_sessions_idle 1.0
            cosyvoice4j_syntheses_active 1.0
            cosyvoice4j_syntheses_queued 0.0
            cosyvoice4j_syntheses_capacity 2.0
            cosyvoice4j_websocket_connections 0.0
            cosyvoice4j_syntheses_cancelled_total 3.0
            cosyvoice4j_http_requests_total{route="/v1/audio/speech",status="200"} 7.0
            """;

    @Test
    void readsTheFiguresAndSumsTheHeapPools() {
        MetricsSample s = MetricsSample.parse(TEXT, 12.5, 40);
        assertEquals(3500, s.heapUsedBytes());
        assertEquals(1500, s.heapAfterGcBytes());
        assertEquals(17000, s.heapCommittedBytes());
        assertEquals(2e8, s.rssBytes());
        assertEquals(18, s.liveThreads());
        assertEquals(81, s.openFds());
        assertEquals(2, s.sessionsOpen());
        assertEquals(1, s.sessionsIdle());
        assertEquals(3, s.cancelledTotal());
        assertEquals(12.5, s.tS());
        assertEquals(40, s.operationsDone());
        assertFalse(s.quiet(), "a synthesis is running");
    }

    @Test
    void quietWhenNothingRunsAndEverySessionIsBack() {
        MetricsSample s = MetricsSample.parse(TEXT.replace("cosyvoice4j_syntheses_active 1.0", "cosyvoice4j_syntheses_active 0.0")
                .replace("cosyvoice4j_sessions_idle 1.0", "cosyvoice4j_sessions_idle 2.0"), 0, 0);
        assertTrue(s.quiet());
        assertFalse(MetricsSample.parse(TEXT.replace("cosyvoice4j_syntheses_active 1.0", "cosyvoice4j_syntheses_active 0.0"), 0, 0).quiet(),
                "a session not back in the pool");
    }

    @Test
    void missingFiguresAreNaN() {
        MetricsSample s = MetricsSample.parse("jvm_threads_live_threads 5\n", 0, 0);
        assertEquals(5, s.liveThreads());
        assertTrue(Double.isNaN(s.rssBytes()));
        assertTrue(Double.isNaN(s.heapUsedBytes()));
    }
}
