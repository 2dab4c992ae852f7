package dev.cosyvoice4j.server;

import dev.cosyvoice4j.engine.Engine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} shows, in Prometheus text through Micrometer: requests by route and status, active and
 * queued syntheses, rejections and cancellations, time-to-first-audio and RTF histograms, audio seconds produced,
 * engine sessions and WebSocket connections, and the process's health for long runs (JVM heap and threads, heap
 * after the last GC, resident memory, open file descriptors: {@link ProcessGauges}; the soak test reads them).
 * Route labels are the route templates (never raw paths: voice ids would grow the series without bound).
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer timeToFirstAudio;
    private final DistributionSummary realTimeFactor;
    private final Counter audioSeconds, cancelled, failed;

    private final AtomicInteger webSockets = new AtomicInteger();

    ServerMetrics(Admission admission, SessionPool sessions) {
        Gauge.builder("cosyvoice4j_sessions_open", sessions, SessionPool::open)
                .description("engine sessions alive (in use or idle in the pool)").register(registry);
        Gauge.builder("cosyvoice4j_sessions_idle", sessions, SessionPool::idle)
                .description("engine sessions idle in the pool").register(registry);
        Gauge.builder("cosyvoice4j_websocket_connections", webSockets, AtomicInteger::get)
                .description("open DashScope WebSocket connections").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        ProcessGauges.bindTo(registry);
        Gauge.builder("cosyvoice4j_syntheses_active", admission, Admission::active)
                .description("syntheses running now").register(registry);
        Gauge.builder("cosyvoice4j_syntheses_queued", admission, Admission::queued)
                .description("requests waiting for a synthesis slot").register(registry);
        Gauge.builder("cosyvoice4j_syntheses_capacity", admission, Admission::capacity)
                .description("synthesis slots (--max-concurrent)").register(registry);
        timeToFirstAudio = Timer.builder("cosyvoice4j_time_to_first_audio")
                .description("from the request's arrival to its first audio bytes on the wire")
                .serviceLevelObjectives(ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2000), ms(4000), ms(8000), ms(16000), ms(32000))
                .register(registry);
        realTimeFactor = DistributionSummary.builder("cosyvoice4j_rtf")
                .description("synthesis wall time over audio duration (below 1 is faster than real time)")
                .serviceLevelObjectives(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32)
                .register(registry);
        audioSeconds = Counter.builder("cosyvoice4j_audio_seconds").description("audio produced").register(registry);
        cancelled = Counter.builder("cosyvoice4j_syntheses_cancelled").description("syntheses stopped because the client went away").register(registry);
        failed = Counter.builder("cosyvoice4j_syntheses_failed").description("syntheses that ended in an error").register(registry);
    }

    /** Gauges of the engine's saved-voice flow state (the prompt regions kept for streaming, --voice-cache-mb). */
    void voiceCache(Supplier<Engine.VoiceCacheStats> stats) {
        Gauge.builder("cosyvoice4j_voice_cache_bytes", stats, s -> s.get().bytes())
                .description("memory of saved voices' prompt-region flow state").register(registry);
        Gauge.builder("cosyvoice4j_voice_cache_voices", stats, s -> s.get().voices())
                .description("saved voices whose prompt-region flow state is kept").register(registry);
    }

    private static Duration ms(long v) { return Duration.ofMillis(v); }

    void request(String route, int status) {
        Counter.builder("cosyvoice4j_http_requests").description("HTTP requests by route template and status")
                .tag("route", route).tag("status", Integer.toString(status)).register(registry).increment();
    }

    void firstAudio(long nanos) { timeToFirstAudio.record(nanos, TimeUnit.NANOSECONDS); }

    void finished(double audioSec, double wallSec) {
        audioSeconds.increment(audioSec);
        if (audioSec > 0) realTimeFactor.record(wallSec / audioSec);
    }

    void cancelled() { cancelled.increment(); }

    void webSocketOpened() { webSockets.incrementAndGet(); }

    void webSocketClosed() { webSockets.decrementAndGet(); }

    void failed() { failed.increment(); }

    double cancelledCount() { return cancelled.count(); }

    String scrape() { return registry.scrape(); }
}
