package dev.cosyvoice4j.frontend;

/**
 * Wall time of each prompt-analysis step, in nanoseconds (0 for a step that did not run, e.g. resampling when
 * the file already has the target rate).
 */
public record FrontendTimings(long decodeNanos, long resample16kNanos, long resample24kNanos, long fbankNanos,
                              long campplusNanos, long whisperMelNanos, long tokenizerNanos, long matchaMelNanos) {

    public long totalNanos() {
        return decodeNanos + resample16kNanos + resample24kNanos + fbankNanos + campplusNanos + whisperMelNanos
                + tokenizerNanos + matchaMelNanos;
    }

    /** One line in milliseconds, e.g. for the bench and the CLI's verbose output. */
    @Override
    public String toString() {
        return String.format("decode %.2f ms, resample16k %.2f ms, resample24k %.2f ms, fbank %.2f ms, campplus %.2f ms, "
                        + "whisperMel %.2f ms, tokenizer %.2f ms, matchaMel %.2f ms, total %.2f ms",
                ms(decodeNanos), ms(resample16kNanos), ms(resample24kNanos), ms(fbankNanos), ms(campplusNanos),
                ms(whisperMelNanos), ms(tokenizerNanos), ms(matchaMelNanos), ms(totalNanos()));
    }

    private static double ms(long ns) { return ns / 1e6; }
}
