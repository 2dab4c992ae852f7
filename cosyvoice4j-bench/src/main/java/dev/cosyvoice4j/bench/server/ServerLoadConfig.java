package dev.cosyvoice4j.bench.server;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One load run: the server, what every request sends, and the closed-loop schedule. Per concurrency level C,
 * C clients send requests back to back, {@code requestsPerLevel} in all, or, when {@code durationS > 0}, each
 * until the level has run that long (at least one each; requests started before then are finished). {@code warmup} unmeasured
 * requests go one at a time before the first level.
 *
 * @param apiKey sent as {@code Authorization: Bearer}; null = none; never written to a report
 */
public record ServerLoadConfig(URI server, String apiKey, SpeechRequest request, List<Integer> concurrency,
                               int requestsPerLevel, double durationS, int warmup, Duration requestTimeout) {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(10);

    public ServerLoadConfig {
        String s = server.toString();
        if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("--server: '" + s + "' is not an http:// or https:// URL");
        }
        // the paths are appended to the base: one without a trailing slash joins cleanly
        if (s.endsWith("/")) server = URI.create(s.replaceAll("/+$", ""));
        concurrency = List.copyOf(concurrency);
        if (concurrency.isEmpty()) throw new IllegalArgumentException("--concurrency: at least one level");
        for (int c : concurrency) if (c < 1) throw new IllegalArgumentException("--concurrency: must be >= 1, got " + c);
        if (requestsPerLevel < 1) throw new IllegalArgumentException("--requests: must be >= 1, got " + requestsPerLevel);
        if (!(durationS >= 0)) throw new IllegalArgumentException("--duration: must be >= 0, got " + durationS);
        if (warmup < 0) throw new IllegalArgumentException("--warmup: must be >= 0, got " + warmup);
    }

    public URI endpoint(String path) { return URI.create(server + path); }

    public boolean byDuration() { return durationS > 0; }
}
