package dev.cosyvoice4j.bench.soak;

import java.util.Arrays;

/**
 * Ogg streams made comparable: the server's Ogg Opus encoder gives every stream a random bitstream serial number
 * (RFC 3533 asks for that, so chained streams can be told apart), which changes each page's serial field and CRC.
 * Zeroing both leaves the codec's real output (headers, granule positions, packets), which must be the same for the
 * same request and seed.
 */
final class OggPages {
    private OggPages() {}

    /** A copy with every page's serial number and CRC zeroed; the input unchanged when it is not a well-formed Ogg stream. */
    static byte[] withoutSerials(byte[] ogg) {
        byte[] out = Arrays.copyOf(ogg, ogg.length);
        int pos = 0;
        while (pos < out.length) {
            if (pos + 27 > out.length || out[pos] != 'O' || out[pos + 1] != 'g' || out[pos + 2] != 'g' || out[pos + 3] != 'S') return ogg;
            int segments = out[pos + 26] & 0xff;
            if (pos + 27 + segments > out.length) return ogg;
            int body = 0;
            for (int i = 0; i < segments; i++) body += out[pos + 27 + i] & 0xff;
            Arrays.fill(out, pos + 14, pos + 18, (byte) 0);   // bitstream serial number
            Arrays.fill(out, pos + 22, pos + 26, (byte) 0);   // CRC (covers the serial)
            pos += 27 + segments + body;
        }
        return pos == out.length ? out : ogg;
    }
}
