package dev.cosyvoice4j.bench.server;

import dev.cosyvoice4j.bench.BenchClock;
import dev.cosyvoice4j.bench.BenchEnvironment;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives a running speech server: checks {@code /health}, sends the warm-up requests one at a time, then per
 * concurrency level runs a closed loop (C virtual-thread clients, each sending its next request when the last
 * one's audio has arrived). A client that got a 429 waits the Retry-After (at most {@link #MAX_BACKOFF_S},
 * {@link #DEFAULT_BACKOFF_S} without one) so that a full server is not hammered with rejected requests.
 */
public final class ServerLoadRunner {
    static final double MAX_BACKOFF_S = 5, DEFAULT_BACKOFF_S = 0.5;

    private final BenchClock clock;
    private final PrintStream log;

    public ServerLoadRunner(BenchClock clock, PrintStream log) {
        this.clock = clock;
        this.log = log;
    }

    public ServerLoadReport run(ServerLoadConfig config) throws IOException, InterruptedException {
        try (ServerClient client = new ServerClient(config, clock)) {
            ServerInfo info = client.check();
            log.printf(Locale.ROOT, "server %s is up%s%n", config.server(), info.models().isEmpty() ? "" : " (models: " + String.join(", ", info.models()) + ")");
            warmup(client, config);
            List<ServerLevelResult> levels = new ArrayList<>();
            for (int c : config.concurrency()) levels.add(level(client, config, c));
            return new ServerLoadReport(BenchEnvironment.capture(), config, info, levels);
        }
    }

    private void warmup(ServerClient client, ServerLoadConfig config) throws IOException, InterruptedException {
        for (int i = 0; i < config.warmup(); i++) {
            ServerRequestResult r = client.speak(0, clock.nanoTime());
            log.printf(Locale.ROOT, "warm-up %d/%d: %s%n", i + 1, config.warmup(), describe(r));
            // a 4xx other than 429 is the request's fault: every measured request would fail the same way
            if (!r.ok() && r.status() / 100 == 4 && !r.rejected()) {
                throw new IOException("--server: the warm-up request failed with " + r.error());
            }
            if (r.rejected()) backoff(r);
        }
    }

    private ServerLevelResult level(ServerClient client, ServerLoadConfig config, int concurrency) throws InterruptedException {
        List<ServerRequestResult> results = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        String label = "[concurrency " + concurrency + "]";
        long start = clock.nanoTime();
        long deadline = config.byDuration() ? start + (long) (config.durationS() * 1e9) : Long.MAX_VALUE;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int k = 0; k < concurrency; k++) {
                int id = k;
                running.add(clients.submit(() -> {
                    for (int sent = 0; ; sent++) {
                        int n;
                        if (config.byDuration()) {
                            // every client sends at least once: a late-starting one still adds its load to the level
                            if (sent > 0 && clock.nanoTime() >= deadline) break;
                            n = next.getAndIncrement();
                        } else if ((n = next.getAndIncrement()) >= config.requestsPerLevel()) {
                            break;
                        }
                        ServerRequestResult r = client.speak(id, start);
                        results.add(r);
                        log.printf(Locale.ROOT, "%s request %d%s (client %d): %s%n", label, n + 1,
                                config.byDuration() ? "" : "/" + config.requestsPerLevel(), id, describe(r));
                        if (r.rejected()) backoff(r);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a load client failed", e.getCause());
                }
            }
        }
        double wallS = (clock.nanoTime() - start) / 1e9;
        List<ServerRequestResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(ServerRequestResult::startMs));
        ServerLevelResult level = new ServerLevelResult(concurrency, wallS, sorted);
        log.printf(Locale.ROOT, "%s %d ok, %d rejected (429), %d errors; TTFA p50 %.0f ms, p95 %.0f ms; RTF p50 %.3f; %.2f audio s/s%n",
                label, level.okCount(), level.rejectedCount(), level.errorCount(), level.ttfaMs(0.5), level.ttfaMs(0.95),
                level.rtf(0.5), level.audioSecondsPerSecond());
        return level;
    }

    private static void backoff(ServerRequestResult r) throws InterruptedException {
        double s = Double.isNaN(r.retryAfterS()) ? DEFAULT_BACKOFF_S : Math.clamp(r.retryAfterS(), 0, MAX_BACKOFF_S);
        if (s > 0) Thread.sleep((long) (s * 1000));
    }

    static String describe(ServerRequestResult r) {
        if (!r.ok()) return r.error();
        return String.format(Locale.ROOT, "TTFA %.0f ms, total %.0f ms, audio %.2f s, RTF %.3f", r.ttfaMs(), r.totalMs(), r.audioSeconds(), r.rtf());
    }
}
