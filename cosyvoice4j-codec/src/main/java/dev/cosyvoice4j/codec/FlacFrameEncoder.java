package dev.cosyvoice4j.codec;

/**
 * One FLAC frame of 16-bit mono samples (RFC 9639 §9): the frame header with its CRC-8, one subframe and the CRC-16.
 * The subframe is the smallest of CONSTANT, VERBATIM and FIXED with predictor order 0 to 4 (§9.2.5), the fixed
 * residual coded with partitioned Rice codes ({@link FlacRice}). No LPC: fixed predictors are within a few percent
 * on speech and keep the encoder small and fast.
 */
final class FlacFrameEncoder {
    static final int BITS_PER_SAMPLE = 16;
    static final int MAX_FIXED_ORDER = 4;

    private final int rateCode;
    private final int rateExtra;
    private final int rateExtraBits;
    private final FlacBitWriter out = new FlacBitWriter();
    private final FlacRice rice = new FlacRice();
    private int[][] residual = new int[MAX_FIXED_ORDER + 1][0];

    FlacFrameEncoder(int sampleRateHz) {
        int code = switch (sampleRateHz) {              // §9.1.3
            case 88200 -> 1; case 176400 -> 2; case 192000 -> 3; case 8000 -> 4; case 16000 -> 5; case 22050 -> 6;
            case 24000 -> 7; case 32000 -> 8; case 44100 -> 9; case 48000 -> 10; case 96000 -> 11;
            default -> 0;
        };
        int extra = 0, extraBits = 0;
        if (code == 0) {
            if (sampleRateHz % 1000 == 0 && sampleRateHz / 1000 <= 255) { code = 12; extra = sampleRateHz / 1000; extraBits = 8; }
            else if (sampleRateHz <= 65535) { code = 13; extra = sampleRateHz; extraBits = 16; }
            else if (sampleRateHz % 10 == 0 && sampleRateHz / 10 <= 65535) { code = 14; extra = sampleRateHz / 10; extraBits = 16; }
            // else 0: the rate is only in STREAMINFO
        }
        rateCode = code;
        rateExtra = extra;
        rateExtraBits = extraBits;
    }

    /** Encodes {@code x[0, n)} as frame number {@code frameNumber} of a fixed-blocksize stream. */
    byte[] encode(int[] x, int n, long frameNumber) {
        if (n < 1 || n > 65536) throw new IllegalArgumentException("block size " + n);
        out.reset();
        writeHeader(n, frameNumber);
        writeSubframe(x, n);
        out.alignToByte();
        int crc16 = FlacCrc.crc16(out.buffer(), 0, out.byteLength());
        out.writeBits(crc16, 16);
        return out.toByteArray();
    }

    /** §9.1: sync, fixed blocking strategy, block size, rate, mono, 16 bits, coded frame number, CRC-8. */
    private void writeHeader(int n, long frameNumber) {
        int sizeCode;
        if (n == 192) sizeCode = 1;
        else if (n % 576 == 0 && Integer.bitCount(n / 576) == 1 && n / 576 <= 8) sizeCode = 2 + Integer.numberOfTrailingZeros(n / 576);
        else if (n % 256 == 0 && Integer.bitCount(n / 256) == 1 && n / 256 <= 128) sizeCode = 8 + Integer.numberOfTrailingZeros(n / 256);
        else sizeCode = n <= 256 ? 6 : 7;
        out.writeBits(0b111111111111100, 15);
        out.writeBits(0, 1);                      // fixed block size: the header counts frames, not samples
        out.writeBits(sizeCode, 4);
        out.writeBits(rateCode, 4);
        out.writeBits(0b0000, 4);                 // one channel
        out.writeBits(0b100, 3);                  // 16 bits per sample
        out.writeBits(0, 1);
        writeCodedNumber(frameNumber);
        if (sizeCode == 6) out.writeBits(n - 1, 8);
        else if (sizeCode == 7) out.writeBits(n - 1, 16);
        out.writeBits(rateExtra, rateExtraBits);
        out.writeBits(FlacCrc.crc8(out.buffer(), 0, out.byteLength()), 8);
    }

    /** §9.1.5: the frame number in UTF-8's variable-length form (up to 31 bits: 6 bytes). */
    private void writeCodedNumber(long v) {
        if (v < 0 || v >= 1L << 31) throw new IllegalStateException("too many frames: " + v);
        if (v < 0x80) { out.writeBits((int) v, 8); return; }
        int bytes = v < 0x800 ? 2 : v < 0x10000 ? 3 : v < 0x200000 ? 4 : v < 0x4000000 ? 5 : 6;
        int lead = (0xFF00 >> bytes) & 0xFF;      // 2 bytes: 110xxxxx, ... 6 bytes: 1111110x
        out.writeBits(lead | (int) (v >>> (6 * (bytes - 1))), 8);
        for (int i = bytes - 2; i >= 0; i--) out.writeBits(0x80 | (int) ((v >>> (6 * i)) & 0x3F), 8);
    }

    private void writeSubframe(int[] x, int n) {
        boolean constant = true;
        for (int i = 1; i < n && constant; i++) constant = x[i] == x[0];
        if (constant) {                           // §9.2.3
            out.writeBits(0b00000000, 8);
            out.writeBits(x[0], BITS_PER_SAMPLE);
            return;
        }
        if (residual[0].length < n) residual = new int[MAX_FIXED_ORDER + 1][n];
        int bestOrder = -1;
        long bestBits = (long) BITS_PER_SAMPLE * n;   // VERBATIM
        for (int order = 0; order <= MAX_FIXED_ORDER && order < n; order++) {
            fixedResidual(x, n, order, residual[order]);
            long bits = (long) BITS_PER_SAMPLE * order + rice.plan(residual[order], n, order);
            if (bits < bestBits) {
                bestBits = bits;
                bestOrder = order;
            }
        }
        if (bestOrder < 0) {                      // §9.2.4
            out.writeBits(0b00000010, 8);
            for (int i = 0; i < n; i++) out.writeBits(x[i], BITS_PER_SAMPLE);
            return;
        }
        out.writeBits((0b001000 | bestOrder) << 1, 8);   // §9.2.5: type 0b001xxx, no wasted bits
        for (int i = 0; i < bestOrder; i++) out.writeBits(x[i], BITS_PER_SAMPLE);
        rice.plan(residual[bestOrder], n, bestOrder);   // the last plan was for another order
        rice.write(out, residual[bestOrder], n, bestOrder);
    }

    /** §9.2.5: the prediction errors of the fixed polynomial predictors; warm-up positions are left alone. */
    static void fixedResidual(int[] x, int n, int order, int[] r) {
        switch (order) {
            case 0 -> { for (int i = 0; i < n; i++) r[i] = x[i]; }
            case 1 -> { for (int i = 1; i < n; i++) r[i] = x[i] - x[i - 1]; }
            case 2 -> { for (int i = 2; i < n; i++) r[i] = x[i] - 2 * x[i - 1] + x[i - 2]; }
            case 3 -> { for (int i = 3; i < n; i++) r[i] = x[i] - 3 * x[i - 1] + 3 * x[i - 2] - x[i - 3]; }
            case 4 -> { for (int i = 4; i < n; i++) r[i] = x[i] - 4 * x[i - 1] + 6 * x[i - 2] - 4 * x[i - 3] + x[i - 4]; }
            default -> throw new IllegalArgumentException("fixed order " + order);
        }
    }
}
