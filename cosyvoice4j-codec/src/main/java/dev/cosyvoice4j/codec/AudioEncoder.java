package dev.cosyvoice4j.codec;

/**
 * Turns mono float samples into the bytes of one audio stream, chunk by chunk. Not thread-safe: one encoder per
 * response. The concatenation of everything returned is a complete file once {@link #finish()} has been called.
 */
public interface AudioEncoder {
    /** Encodes the next samples (mono float in [-1,1]); returns the bytes ready to send now (maybe empty, never null). */
    byte[] encode(float[] samples, int offset, int length);

    /** Ends the stream: returns the last bytes (flushes buffered frames, final Ogg page with EOS, etc.). */
    byte[] finish();
}
