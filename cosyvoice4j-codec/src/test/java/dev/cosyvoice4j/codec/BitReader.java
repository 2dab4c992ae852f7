package dev.cosyvoice4j.codec;

/** MSB-first bit reading for the test decoders; independent of the encoder's writer. */
final class BitReader {
    private final byte[] b;
    private long bit;   // absolute bit position

    BitReader(byte[] b, int byteOffset) {
        this.b = b;
        this.bit = 8L * byteOffset;
    }

    int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int byteIndex = (int) (bit >>> 3);
            if (byteIndex >= b.length) throw new IllegalStateException("read past the end at byte " + byteIndex);
            v = (v << 1) | ((b[byteIndex] >> (7 - (int) (bit & 7))) & 1);
            bit++;
        }
        return v;
    }

    long longBits(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 1) | bits(1);
        return v;
    }

    int signed(int n) {
        int v = bits(n);
        return (v << (32 - n)) >> (32 - n);
    }

    int unary() {
        int q = 0;
        while (bits(1) == 0) q++;
        return q;
    }

    void alignToByte() { bit = (bit + 7) & ~7L; }

    int bytePosition() {
        if ((bit & 7) != 0) throw new IllegalStateException("not byte aligned");
        return (int) (bit >>> 3);
    }

    boolean atEnd() { return bit >= 8L * b.length; }
}
