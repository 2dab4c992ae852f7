package dev.cosyvoice4j.bench.soak;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One soak run against a running server: {@code clients} closed-loop clients for {@code duration}, each picking its
 * next operation from {@link SoakOp}'s mix with its own seeded random generator, the server sampled every
 * {@code sampleInterval}.
 *
 * @param apiKey           sent as {@code Authorization: Bearer}; null = none; never written to a report
 * @param promptWav        the recording of the voices the run saves and sends inline
 * @param promptTranscript its transcript (plain text; the server adds the CosyVoice3 system prompt)
 * @param serverPid        the server's process id on this machine: a full GC is forced ({@code jcmd PID GC.run})
 *                         before each sample, so the heap figure is the live set; 0 = the server's own
 *                         heap-after-last-GC gauge (young collections included: noisier)
 * @param warmupFraction   the part of the run before the flatness window (0.5 = the second half is judged)
 */
public record SoakConfig(URI server, String apiKey, int clients, Duration duration, long seed, Duration sampleInterval,
                         Path promptWav, String promptTranscript, long serverPid, double warmupFraction, Bounds bounds,
                         Duration requestTimeout) {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(2);

    /**
     * What "flat" and "back to idle" allow: growth of the post-GC heap and of the resident set over the judged window
     * (the least-squares slope times the window's length), and live threads and open file descriptors above their idle
     * values once the load has stopped.
     */
    public record Bounds(double heapGrowthMiB, double rssGrowthMiB, int threadSlack, int fdSlack) {
        public static final Bounds DEFAULT = new Bounds(32, 64, 4, 8);

        public Bounds {
            if (!(heapGrowthMiB > 0) || !(rssGrowthMiB > 0)) throw new IllegalArgumentException("growth bounds must be > 0 MiB");
            if (threadSlack < 0 || fdSlack < 0) throw new IllegalArgumentException("thread and fd slack must be >= 0");
        }
    }

    public SoakConfig {
        String s = server.toString();
        if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("--server: '" + s + "' is not an http:// or https:// URL");
        }
        if (s.endsWith("/")) server = URI.create(s.replaceAll("/+$", ""));
        if (clients < 1) throw new IllegalArgumentException("--clients: must be >= 1, got " + clients);
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("--duration: must be > 0");
        if (sampleInterval.toMillis() < 100) throw new IllegalArgumentException("--sample-interval: must be >= 0.1 s");
        if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new IllegalArgumentException("--warmup-fraction: must be in [0, 1), got " + warmupFraction);
        if (serverPid < 0) throw new IllegalArgumentException("--server-pid: must be > 0");
    }

    public URI endpoint(String path) { return URI.create(server + path); }

    /** The DashScope WebSocket of the same server. */
    public URI webSocket() {
        return URI.create(server.toString().replaceFirst("^http", "ws") + "/api-ws/v1/inference");
    }
}
