package dev.cosyvoice4j.bench.server;

/**
 * One request as the client saw it. Times are milliseconds: {@code startMs} from the start of its level,
 * {@code ttfaMs} (NaN when no audio byte came) and {@code totalMs} from just before sending. {@code status} is
 * the HTTP status, 0 when no answer came (refused, reset, timed out). {@code error} is null only for a complete
 * audio answer. {@code retryAfterS} is the 429's Retry-After (NaN otherwise).
 */
public record ServerRequestResult(int client, double startMs, int status, double ttfaMs, double totalMs, long audioBytes,
                                  int sampleRateHz, String error, double retryAfterS) {
    public boolean ok() { return error == null; }

    /** The server said it was full (429): counted apart from errors. */
    public boolean rejected() { return status == 429; }

    /** s16le mono: two bytes a sample. */
    public double audioSeconds() { return sampleRateHz > 0 ? audioBytes / 2.0 / sampleRateHz : Double.NaN; }

    /** Total time over audio length, for complete answers (NaN otherwise). */
    public double rtf() {
        double a = audioSeconds();
        return ok() && a > 0 ? totalMs / 1000 / a : Double.NaN;
    }
}
