package dev.cosyvoice4j.bench.soak;

import java.util.Random;

/** What a soak client does next, with its share of the mix (weights out of their sum). */
public enum SoakOp {
    /** {@code POST /v1/audio/speech}, audio streamed as generated, one of the formats; checked against its serial run. */
    SPEECH_STREAM(Family.NORMAL, 28),
    /** The same as OpenAI server-sent events; the decoded deltas checked, {@code speech.audio.done} required. */
    SPEECH_SSE(Family.NORMAL, 10),
    /** {@code speed} other than 1: the offline mode, one file with a Content-Length. */
    SPEECH_OFFLINE(Family.NORMAL, 6),
    /** Upload a voice, speak with it (must equal the same request on the run's saved voice), delete it. */
    VOICE_CYCLE(Family.NORMAL, 3),
    /** A DashScope WebSocket task (run, continue, finish), its audio checked against its serial run. */
    WEBSOCKET(Family.NORMAL, 10),
    /** A speech request the client abandons: while queued or in prefill, or after its first audio bytes. */
    DISCONNECT_HTTP(Family.DISCONNECT, 8),
    /** A WebSocket task the client abandons after its first audio frame. */
    DISCONNECT_WS(Family.DISCONNECT, 4),
    /** A broken speech or voices request (bad JSON, unknown voice or field, absurd values, bad base64...). */
    MALFORMED_HTTP(Family.MALFORMED, 12),
    /** A broken multipart voice upload. */
    MALFORMED_MULTIPART(Family.MALFORMED, 4),
    /** A broken WebSocket conversation (binary frame, bad JSON, out of order, unknown voice). */
    MALFORMED_WS(Family.MALFORMED, 5);

    public enum Family { NORMAL, DISCONNECT, MALFORMED }

    public final Family family;
    final int weight;

    SoakOp(Family family, int weight) {
        this.family = family;
        this.weight = weight;
    }

    static SoakOp pick(Random random) {
        int total = 0;
        for (SoakOp op : values()) total += op.weight;
        int r = random.nextInt(total);
        for (SoakOp op : values()) {
            if (r < op.weight) return op;
            r -= op.weight;
        }
        throw new AssertionError();
    }
}
