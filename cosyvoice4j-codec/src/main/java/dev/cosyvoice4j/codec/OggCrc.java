package dev.cosyvoice4j.codec;

/**
 * The Ogg page checksum (RFC 3533 §6): CRC-32 with the generator polynomial 0x04C11DB7, initial value 0, MSB first,
 * no reflection and no final XOR. {@link java.util.zip.CRC32} is the reflected variant and gives other values.
 */
final class OggCrc {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 24;
            for (int b = 0; b < 8; b++) c = c < 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            TABLE[i] = c;
        }
    }

    private OggCrc() {}

    static int crc(byte[] b, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ b[i]) & 0xFF];
        return crc;
    }
}
