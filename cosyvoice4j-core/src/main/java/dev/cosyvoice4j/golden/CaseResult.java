package dev.cosyvoice4j.golden;

import java.util.List;

/**
 * Outcome of one golden case: PASS, FAIL or SKIP with a one-line summary, failure details, and every comparison
 * made (one per recorded output; {@code verify -v} prints them).
 */
public record CaseResult(String id, Status status, String summary, List<String> details, double seconds,
                         List<Comparison> comparisons) {
    public enum Status { PASS, FAIL, SKIP }

    public CaseResult(String id, Status status, String summary, List<String> details, double seconds) {
        this(id, status, summary, details, seconds, List.of());
    }

    public String line() {
        return String.format("%-4s %-48s %s", status, id, summary);
    }
}
