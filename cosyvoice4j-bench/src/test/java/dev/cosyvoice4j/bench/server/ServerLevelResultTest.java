package dev.cosyvoice4j.bench.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Per-level numbers on known inputs: percentiles, counts, throughput, error grouping, header parsing. */
class ServerLevelResultTest {
    /** A complete answer of {@code audioS} seconds at 24 kHz. */
    static ServerRequestResult ok(double ttfaMs, double totalMs, double audioS) {
        return new ServerRequestResult(0, 0, 200, ttfaMs, totalMs, Math.round(audioS * 24000 * 2), 24000, null, Double.NaN);
    }

    static ServerRequestResult failed(int status, String error) {
        return new ServerRequestResult(0, 0, status, Double.NaN, 5, 0, 0, error, status == 429 ? 1 : Double.NaN);
    }

    @Test
    void percentilesInterpolateOverTheCompleteAnswersOnly() {
        List<ServerRequestResult> rs = new ArrayList<>();
        for (int k = 1; k <= 10; k++) rs.add(ok(10 * k, 1000 * k, 1)); // TTFA 10..100 ms, RTF 1..10
        rs.add(failed(429, "HTTP 429 busy"));
        rs.add(failed(500, "HTTP 500 boom"));
        ServerLevelResult l = new ServerLevelResult(2, 4, rs);
        assertEquals(55, l.ttfaMs(0.5), 1e-9);
        assertEquals(95.5, l.ttfaMs(0.95), 1e-9);
        assertEquals(5.5, l.rtf(0.5), 1e-9);
        assertEquals(9.55, l.rtf(0.95), 1e-9);
        assertEquals(5500, l.totalMs(0.5), 1e-9);
    }

    @Test
    void countsSplitIntoCompleteRejectedAndFailed() {
        ServerLevelResult l = new ServerLevelResult(4, 1, List.of(ok(1, 2, 1), failed(429, "a"), failed(429, "a"), failed(400, "b"),
                failed(0, "ConnectException"), new ServerRequestResult(0, 0, 200, 3, 4, 100, 24000, "audio stream broke after 100 bytes", Double.NaN)));
        assertEquals(1, l.okCount());
        assertEquals(2, l.rejectedCount());
        assertEquals(3, l.errorCount(), "400, no answer, broken stream");
    }

    @Test
    void aggregateThroughputIsCompleteAudioOverTheLevelsWallTime() {
        ServerLevelResult l = new ServerLevelResult(8, 4, List.of(ok(1, 2, 2.5), ok(1, 2, 7.5), failed(429, "x")));
        assertEquals(10, l.audioSeconds(), 1e-9);
        assertEquals(2.5, l.audioSecondsPerSecond(), 1e-9);
    }

    @Test
    void audioSecondsAndRtfComeFromTheBytes() {
        ServerRequestResult q = new ServerRequestResult(0, 0, 200, 100, 1500, 96000, 16000, null, Double.NaN);
        assertEquals(3.0, q.audioSeconds(), 1e-12, "96000 bytes = 48000 samples at 16 kHz");
        assertEquals(0.5, q.rtf(), 1e-12);
        assertTrue(Double.isNaN(failed(500, "x").rtf()));
    }

    @Test
    void errorMessagesAreDistinctInOrderOfFirstSightAndCapped() {
        ServerLevelResult l = new ServerLevelResult(1, 1, List.of(failed(500, "b"), ok(1, 2, 1), failed(429, "a"), failed(500, "b"),
                failed(503, "c"), failed(504, "d")));
        assertEquals(List.of(new ServerLevelResult.ErrorCount("b", 2), new ServerLevelResult.ErrorCount("a", 1),
                new ServerLevelResult.ErrorCount("c", 1)), l.errorMessages(3));
    }

    @Test
    void aLevelWithoutCompleteAnswersHasUndefinedLatencies() {
        ServerLevelResult l = new ServerLevelResult(1, 2, List.of(failed(400, "x")));
        assertTrue(Double.isNaN(l.ttfaMs(0.5)));
        assertTrue(Double.isNaN(l.rtf(0.95)));
        assertEquals(0, l.audioSecondsPerSecond());
    }

    @Test
    void theSampleRateComesFromTheContentTypeWith24kHzByDefault() {
        assertEquals(16000, ServerClient.sampleRateHz("audio/pcm;rate=16000"));
        assertEquals(22050, ServerClient.sampleRateHz("audio/pcm; charset=x; rate=\"22050\""));
        assertEquals(24000, ServerClient.sampleRateHz("audio/pcm"));
        assertEquals(24000, ServerClient.sampleRateHz(null));
        assertEquals(24000, ServerClient.sampleRateHz("audio/pcm;rate=fast"));
    }

    @Test
    void errorTextUsesTheOpenAiErrorBodyOrTheRawAnswer() {
        assertEquals("HTTP 400 voice_not_found: unknown voice 'x'", ServerClient.errorText(400,
                "{\"error\":{\"message\":\"unknown voice 'x'\",\"type\":\"invalid_request_error\",\"param\":\"voice\",\"code\":\"voice_not_found\"}}"));
        assertEquals("HTTP 500 server_error: boom", ServerClient.errorText(500,
                "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
        assertEquals("HTTP 502 Bad Gateway", ServerClient.errorText(502, "Bad Gateway\n"));
        assertEquals("HTTP 503", ServerClient.errorText(503, ""));
    }
}
