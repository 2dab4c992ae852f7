package dev.cosyvoice4j.codec;

import java.util.Arrays;

/** Big-endian bit packing, most significant bit first, as FLAC stores every field (RFC 9639 §5). */
final class FlacBitWriter {
    private byte[] buf = new byte[16384];
    private int length;     // whole bytes written
    private long pending;   // fewer than 8 bits not yet flushed, right-aligned
    private int pendingBits;

    void reset() {
        length = 0;
        pending = 0;
        pendingBits = 0;
    }

    /** Writes the low {@code n} bits of {@code value} (0 <= n <= 32); signed values come out two's complement. */
    void writeBits(int value, int n) {
        if (n == 0) return;
        pending = (pending << n) | (value & (-1L >>> (64 - n)));
        pendingBits += n;
        while (pendingBits >= 8) {
            pendingBits -= 8;
            put((byte) (pending >>> pendingBits));
        }
        pending &= (1L << pendingBits) - 1;
    }

    void writeLong(long value, int n) {
        if (n > 32) {
            writeBits((int) (value >>> 32), n - 32);
            n = 32;
        }
        writeBits((int) value, n);
    }

    /** {@code q} zero bits then a one (RFC 9639 §9.2.7.3: the quotient of a Rice code). */
    void writeUnary(int q) {
        for (; q >= 32; q -= 32) writeBits(0, 32);
        writeBits(1, q + 1);
    }

    /** A Rice code with parameter {@code k} of the folded (zigzag) residual {@code u} >= 0. */
    void writeRice(int u, int k) {
        int q = u >>> k;
        if (q + 1 + k <= 32) {
            writeBits((1 << k) | (u & ((1 << k) - 1)), q + 1 + k);
        } else {
            writeUnary(q);
            writeBits(u, k);
        }
    }

    /** Pads with zero bits to the next byte boundary. */
    void alignToByte() {
        if (pendingBits > 0) writeBits(0, 8 - pendingBits);
    }

    boolean isByteAligned() { return pendingBits == 0; }

    /** Whole bytes written so far. */
    int byteLength() { return length; }

    byte[] buffer() { return buf; }

    byte[] toByteArray() {
        if (pendingBits != 0) throw new IllegalStateException("not byte aligned");
        return Arrays.copyOf(buf, length);
    }

    private void put(byte b) {
        if (length == buf.length) buf = Arrays.copyOf(buf, 2 * buf.length);
        buf[length++] = b;
    }
}
