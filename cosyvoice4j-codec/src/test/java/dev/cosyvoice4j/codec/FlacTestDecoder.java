package dev.cosyvoice4j.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small FLAC decoder for the tests (RFC 9639), written from the specification separately from the encoder: mono
 * and 16 bits only, but every subframe type but LPC, both Rice methods and the escape code. It checks every CRC and
 * header field it reads and fails loudly.
 */
final class FlacTestDecoder {
    record StreamInfo(int minBlock, int maxBlock, int minFrame, int maxFrame, int sampleRate, int channels, int bitsPerSample,
                      long totalSamples, byte[] md5) {}

    record Frame(int offset, int length, long number, int blockSize, int subframeType) {}

    record Decoded(StreamInfo info, short[] samples, List<Frame> frames) {}

    /** Subframe types as decoded: 0 constant, 1 verbatim, 8..12 fixed order 0..4. */
    static final int CONSTANT = 0, VERBATIM = 1, FIXED = 8;

    static Decoded decode(byte[] file) {
        if (file.length < 42 || file[0] != 'f' || file[1] != 'L' || file[2] != 'a' || file[3] != 'C') throw new IllegalStateException("no fLaC marker");
        BitReader r = new BitReader(file, 4);
        boolean last = r.bits(1) == 1;
        int type = r.bits(7);
        int length = r.bits(24);
        if (type != 0 || length != 34) throw new IllegalStateException("first block must be STREAMINFO, got type " + type + " length " + length);
        StreamInfo info = new StreamInfo(r.bits(16), r.bits(16), r.bits(24), r.bits(24), r.bits(20), r.bits(3) + 1, r.bits(5) + 1,
                r.longBits(36), md5(r));
        int pos = 42;
        while (!last) {             // skip other metadata blocks
            BitReader h = new BitReader(file, pos);
            last = h.bits(1) == 1;
            h.bits(7);
            pos += 4 + h.bits(24);
        }
        if (info.channels() != 1 || info.bitsPerSample() != 16) throw new IllegalStateException("test decoder: mono 16-bit only");
        short[] out = new short[1024];
        int n = 0;
        List<Frame> frames = new ArrayList<>();
        int[] x = new int[65536];
        while (pos < file.length) {
            Frame f = frame(file, pos, info, x, frames.size());
            if (n + f.blockSize() > out.length) out = Arrays.copyOf(out, Math.max(2 * out.length, n + f.blockSize()));
            for (int i = 0; i < f.blockSize(); i++) out[n + i] = (short) x[i];
            n += f.blockSize();
            frames.add(f);
            pos += f.length();
        }
        return new Decoded(info, Arrays.copyOf(out, n), frames);
    }

    private static byte[] md5(BitReader r) {
        byte[] m = new byte[16];
        for (int i = 0; i < 16; i++) m[i] = (byte) r.bits(8);
        return m;
    }

    /** Decodes one frame at {@code pos} into {@code x}; returns its description. */
    private static Frame frame(byte[] file, int pos, StreamInfo info, int[] x, long expectedNumber) {
        BitReader r = new BitReader(file, pos);
        if (r.bits(15) != 0b111111111111100) throw new IllegalStateException("no frame sync at " + pos);
        if (r.bits(1) != 0) throw new IllegalStateException("variable block size");
        int sizeCode = r.bits(4);
        int rateCode = r.bits(4);
        if (r.bits(4) != 0) throw new IllegalStateException("not mono");
        int sampleSize = r.bits(3);
        if (sampleSize != 0b100 && sampleSize != 0) throw new IllegalStateException("not 16 bits: " + sampleSize);
        if (r.bits(1) != 0) throw new IllegalStateException("reserved bit set");
        long number = codedNumber(r);
        if (number != expectedNumber) throw new IllegalStateException("frame number " + number + ", expected " + expectedNumber);
        int blockSize = switch (sizeCode) {
            case 0 -> throw new IllegalStateException("reserved block size");
            case 1 -> 192;
            case 2, 3, 4, 5 -> 576 << (sizeCode - 2);
            case 6 -> r.bits(8) + 1;
            case 7 -> r.bits(16) + 1;
            default -> 256 << (sizeCode - 8);
        };
        int rate = switch (rateCode) {
            case 0 -> info.sampleRate();
            case 1 -> 88200; case 2 -> 176400; case 3 -> 192000; case 4 -> 8000; case 5 -> 16000; case 6 -> 22050;
            case 7 -> 24000; case 8 -> 32000; case 9 -> 44100; case 10 -> 48000; case 11 -> 96000;
            case 12 -> r.bits(8) * 1000;
            case 13 -> r.bits(16);
            case 14 -> r.bits(16) * 10;
            default -> throw new IllegalStateException("invalid rate code");
        };
        if (rate != info.sampleRate()) throw new IllegalStateException("frame rate " + rate + " != STREAMINFO " + info.sampleRate());
        int headerEnd = r.bytePosition();
        int crc8 = r.bits(8);
        if (crc8 != crc(file, pos, headerEnd, 8, 0x07)) throw new IllegalStateException("CRC-8 mismatch in frame " + number);

        if (r.bits(1) != 0) throw new IllegalStateException("subframe padding bit");
        int type = r.bits(6);
        if (r.bits(1) != 0) throw new IllegalStateException("wasted bits");
        int kind;
        if (type == 0) {
            kind = CONSTANT;
            Arrays.fill(x, 0, blockSize, r.signed(16));
        } else if (type == 1) {
            kind = VERBATIM;
            for (int i = 0; i < blockSize; i++) x[i] = r.signed(16);
        } else if (type >= 8 && type <= 12) {
            int order = type - 8;
            kind = FIXED + order;
            for (int i = 0; i < order; i++) x[i] = r.signed(16);
            residual(r, x, blockSize, order);
            for (int i = order; i < blockSize; i++) x[i] += predict(x, i, order);
        } else {
            throw new IllegalStateException("unsupported subframe type " + type);
        }
        r.alignToByte();
        int end = r.bytePosition();
        int crc16 = r.bits(16);
        if (crc16 != crc(file, pos, end, 16, 0x8005)) throw new IllegalStateException("CRC-16 mismatch in frame " + number);
        return new Frame(pos, end + 2 - pos, number, blockSize, kind);
    }

    private static void residual(BitReader r, int[] x, int n, int order) {
        int method = r.bits(2);
        if (method > 1) throw new IllegalStateException("reserved residual method");
        int paramBits = method == 0 ? 4 : 5;
        int escape = (1 << paramBits) - 1;
        int partitionOrder = r.bits(4);
        int parts = 1 << partitionOrder;
        if (n % parts != 0 || (n >> partitionOrder) < order) throw new IllegalStateException("bad partition order " + partitionOrder);
        int i = order;
        for (int p = 0; p < parts; p++) {
            int end = (p + 1) * (n >> partitionOrder);
            int k = r.bits(paramBits);
            if (k == escape) {
                int bits = r.bits(5);
                for (; i < end; i++) x[i] = bits == 0 ? 0 : r.signed(bits);
            } else {
                for (; i < end; i++) {
                    int u = (r.unary() << k) | r.bits(k);
                    x[i] = (u >>> 1) ^ -(u & 1);
                }
            }
        }
    }

    private static int predict(int[] x, int i, int order) {
        return switch (order) {
            case 0 -> 0;
            case 1 -> x[i - 1];
            case 2 -> 2 * x[i - 1] - x[i - 2];
            case 3 -> 3 * x[i - 1] - 3 * x[i - 2] + x[i - 3];
            default -> 4 * x[i - 1] - 6 * x[i - 2] + 4 * x[i - 3] - x[i - 4];
        };
    }

    private static long codedNumber(BitReader r) {
        int first = r.bits(8);
        if ((first & 0x80) == 0) return first;
        int extra = Integer.numberOfLeadingZeros(~first << 24) - 1;   // leading ones minus one
        if (extra < 1 || extra > 6) throw new IllegalStateException("bad coded number");
        long v = first & (0x3F >> extra);
        for (int i = 0; i < extra; i++) {
            int b = r.bits(8);
            if ((b & 0xC0) != 0x80) throw new IllegalStateException("bad coded number continuation");
            v = (v << 6) | (b & 0x3F);
        }
        return v;
    }

    /** Bitwise CRC, MSB first, initial value 0 (the encoder uses tables: the two are checked against each other). */
    static int crc(byte[] b, int from, int to, int width, int poly) {
        int top = 1 << (width - 1);
        int mask = (1 << width) - 1;
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (b[i] & 0xFF) << (width - 8);
            for (int k = 0; k < 8; k++) crc = (crc & top) != 0 ? ((crc << 1) ^ poly) & mask : (crc << 1) & mask;
        }
        return crc;
    }
}
