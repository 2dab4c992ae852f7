package dev.cosyvoice4j.golden;

import java.util.List;

/** Outcome of one golden case: PASS, FAIL or SKIP with a one-line summary and details. */
public record CaseResult(String id, Status status, String summary, List<String> details, double seconds) {
    public enum Status { PASS, FAIL, SKIP }

    public String line() {
        return String.format("%-4s %-48s %s", status, id, summary);
    }
}
