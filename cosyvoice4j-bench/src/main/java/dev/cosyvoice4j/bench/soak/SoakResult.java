package dev.cosyvoice4j.bench.soak;

/**
 * One operation of a soak client.
 *
 * @param variant   the request within its kind (a case id such as {@code s3-mp3}, or a malformed variant's name)
 * @param startS    seconds after the load started
 * @param latencyMs from sending to the end of the response (or to the refusal)
 * @param ttfaMs    to the first audio byte (NaN when none)
 * @param detail    what went wrong or what was refused (null when all is well)
 */
public record SoakResult(SoakOp op, String variant, Outcome outcome, double startS, double latencyMs, double ttfaMs,
                         long audioBytes, String detail) {

    /** How an operation ended. The failures are what the soak exists to find. */
    public enum Outcome {
        /** Complete and byte-identical to the same request's serial synthesis. */
        OK(false),
        /** 429 (or the WebSocket's Throttling): the admission control at work. */
        REJECTED(false),
        /** A malformed request refused as it should be (its 4xx or task-failed, with an error message). */
        REFUSED(false),
        /** The client went away on purpose. */
        DISCONNECTED(false),
        /** Complete but different from the serial synthesis. */
        MISMATCH(true),
        /** Truncated: the stream broke, or the end event never came. */
        INCOMPLETE(true),
        /** A status or event other than the expected one (a 5xx, a malformed request accepted, a wrong error code). */
        UNEXPECTED(true),
        /** The connection failed without the client asking for it, or the request timed out. */
        TRANSPORT(true);

        public final boolean failure;

        Outcome(boolean failure) { this.failure = failure; }
    }
}
