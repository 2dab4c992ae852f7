package dev.cosyvoice4j.bench.soak;

import java.util.HashMap;
import java.util.Map;

/**
 * The server's state at one moment, from its Prometheus text ({@code GET /metrics}): memory (heap in use, heap after
 * the latest GC, resident set), live threads, open file descriptors, engine sessions, syntheses and WebSocket
 * connections. NaN for a figure the server does not publish. The committed heap (memory the JVM holds for the heap,
 * resident once touched) explains most of the resident set: a collector that grows its young generation under load
 * raises the RSS without any leak.
 *
 * @param tS            seconds since the load started (negative: before it)
 * @param operationsDone operations the clients had finished by then
 */
public record MetricsSample(double tS, double heapUsedBytes, double heapAfterGcBytes, double heapCommittedBytes, double rssBytes, double liveThreads,
                            double openFds, double sessionsOpen, double sessionsIdle, double active, double queued,
                            double capacity, double webSockets, double cancelledTotal, long operationsDone) {

    /** Reads the figures from Prometheus text exposition (series of one name summed over their labels). */
    static MetricsSample parse(String prometheus, double tS, long operationsDone) {
        Map<String, Double> sums = new HashMap<>();
        double heap = 0, committed = 0;
        boolean heapSeen = false, committedSeen = false;
        for (String line : prometheus.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int brace = line.indexOf('{'), space = line.lastIndexOf(' ');
            if (space < 0) continue;
            String name = line.substring(0, brace >= 0 && brace < space ? brace : line.indexOf(' '));
            double v;
            try {
                v = Double.parseDouble(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            sums.merge(name, v, Double::sum);
            if (name.equals("jvm_memory_used_bytes") && line.contains("area=\"heap\"")) {
                heap += v;
                heapSeen = true;
            }
            if (name.equals("jvm_memory_committed_bytes") && line.contains("area=\"heap\"")) {
                committed += v;
                committedSeen = true;
            }
        }
        return new MetricsSample(tS, heapSeen ? heap : Double.NaN, get(sums, "cosyvoice4j_jvm_heap_after_gc_bytes"),
                committedSeen ? committed : Double.NaN,
                get(sums, "process_resident_memory_bytes"), get(sums, "jvm_threads_live_threads"), get(sums, "process_files_open_files"),
                get(sums, "cosyvoice4j_sessions_open"), get(sums, "cosyvoice4j_sessions_idle"), get(sums, "cosyvoice4j_syntheses_active"),
                get(sums, "cosyvoice4j_syntheses_queued"), get(sums, "cosyvoice4j_syntheses_capacity"),
                get(sums, "cosyvoice4j_websocket_connections"), get(sums, "cosyvoice4j_syntheses_cancelled_total"), operationsDone);
    }

    private static double get(Map<String, Double> m, String name) { return m.getOrDefault(name, Double.NaN); }

    /** Nothing running, queued or connected, and every session back in the pool. */
    boolean quiet() {
        return active == 0 && queued == 0 && !(webSockets > 0) && (Double.isNaN(sessionsOpen) || sessionsIdle == sessionsOpen);
    }
}
