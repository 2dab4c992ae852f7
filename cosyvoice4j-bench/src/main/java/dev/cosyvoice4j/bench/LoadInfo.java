package dev.cosyvoice4j.bench;

import java.util.Map;
import java.util.Objects;

/**
 * What {@link BenchTarget#load()} reports: the output sample rate, the backend and precision actually used
 * (after any fallback), and free-form details shown in the report (e.g. "params_llm" -> "506148480",
 * "vector_fallback" -> "none"). The load time itself is measured by the runner.
 */
public record LoadInfo(int sampleRateHz, String backend, String precision, Map<String, String> details) {
    public LoadInfo {
        if (sampleRateHz <= 0) throw new IllegalArgumentException("sampleRateHz must be > 0");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(precision, "precision");
        details = Map.copyOf(details);
    }

    public LoadInfo(int sampleRateHz, String backend, String precision) { this(sampleRateHz, backend, precision, Map.of()); }
}
