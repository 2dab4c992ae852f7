package dev.cosyvoice4j.bench.soak;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class OggPagesTest {
    /** An Ogg page: header with the serial and a CRC-looking value, one segment of {@code payload}. */
    static byte[] page(int serial, int crc, byte[] payload) {
        byte[] p = new byte[27 + 1 + payload.length];
        p[0] = 'O'; p[1] = 'g'; p[2] = 'g'; p[3] = 'S';
        for (int i = 0; i < 4; i++) {
            p[14 + i] = (byte) (serial >>> (8 * i));
            p[22 + i] = (byte) (crc >>> (8 * i));
        }
        p[26] = 1;
        p[27] = (byte) payload.length;
        System.arraycopy(payload, 0, p, 28, payload.length);
        return p;
    }

    static byte[] stream(int serial, byte[]... payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int crc = serial * 31;
        for (byte[] p : payloads) out.writeBytes(page(serial, crc++, p));
        return out.toByteArray();
    }

    @Test
    void streamsThatDifferOnlyInTheirSerialCompareEqual() {
        byte[] a = stream(0x12345678, "OpusHead".getBytes(), new byte[]{1, 2, 3}), b = stream(0x0badf00d, "OpusHead".getBytes(), new byte[]{1, 2, 3});
        assertFalse(java.util.Arrays.equals(a, b));
        assertArrayEquals(OggPages.withoutSerials(a), OggPages.withoutSerials(b));
    }

    @Test
    void differentPacketsStillDiffer() {
        byte[] a = stream(1, new byte[]{1, 2, 3}), b = stream(2, new byte[]{1, 2, 4});
        assertFalse(java.util.Arrays.equals(OggPages.withoutSerials(a), OggPages.withoutSerials(b)));
    }

    @Test
    void notOggOrTruncatedIsReturnedUnchanged() {
        byte[] junk = "RIFF....WAVE".getBytes();
        assertSame(junk, OggPages.withoutSerials(junk));
        byte[] cut = java.util.Arrays.copyOf(stream(7, new byte[]{1, 2, 3}), 29);
        assertSame(cut, OggPages.withoutSerials(cut));
    }
}
