package dev.cosyvoice4j.bench.server;

import dev.cosyvoice4j.bench.Stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The requests of one concurrency level and the level's wall time (first send to last answer). Latency and RTF
 * percentiles are over the complete answers only: a quick 429 is not a fast synthesis.
 */
public record ServerLevelResult(int concurrency, double wallS, List<ServerRequestResult> requests) {
    public ServerLevelResult {
        requests = List.copyOf(requests);
    }

    /** A message and how many requests of the level ended with it. */
    public record ErrorCount(String message, int count) {}

    public int okCount() { return (int) requests.stream().filter(ServerRequestResult::ok).count(); }

    public int rejectedCount() { return (int) requests.stream().filter(ServerRequestResult::rejected).count(); }

    /** Neither complete nor 429: 4xx, 5xx, transport failures, broken or empty streams. */
    public int errorCount() { return requests.size() - okCount() - rejectedCount(); }

    public double ttfaMs(double p) { return quantile(ServerRequestResult::ttfaMs, p); }

    public double totalMs(double p) { return quantile(ServerRequestResult::totalMs, p); }

    public double rtf(double p) { return quantile(ServerRequestResult::rtf, p); }

    /** Audio of the complete answers. */
    public double audioSeconds() {
        return requests.stream().filter(ServerRequestResult::ok).mapToDouble(ServerRequestResult::audioSeconds).sum();
    }

    /** Aggregate throughput: audio seconds delivered per wall-clock second, all clients together. */
    public double audioSecondsPerSecond() { return wallS > 0 ? audioSeconds() / wallS : Double.NaN; }

    /** Distinct messages of the requests that did not complete (429s included), in order of first sight. */
    public List<ErrorCount> errorMessages(int max) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ServerRequestResult r : requests) if (!r.ok()) counts.merge(r.error(), 1, Integer::sum);
        List<ErrorCount> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (out.size() == max) break;
            out.add(new ErrorCount(e.getKey(), e.getValue()));
        }
        return out;
    }

    private double quantile(ToDoubleFunction<ServerRequestResult> f, double p) {
        return Stats.quantile(requests.stream().filter(ServerRequestResult::ok).mapToDouble(f).toArray(), p);
    }
}
