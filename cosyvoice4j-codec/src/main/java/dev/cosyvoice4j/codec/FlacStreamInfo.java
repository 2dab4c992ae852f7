package dev.cosyvoice4j.codec;

/**
 * The stream marker and the STREAMINFO metadata block (RFC 9639 §6, §8.1, §8.2), the only metadata we write. Zero is
 * "unknown" for the frame sizes, the total sample count and the MD5, which is what a stream sends.
 */
final class FlacStreamInfo {
    private FlacStreamInfo() {}

    /**
     * @param totalSamples 0 when unknown
     * @param md5 16 bytes, or null when unknown
     */
    static byte[] header(int sampleRateHz, int blockSize, int minFrameBytes, int maxFrameBytes, long totalSamples, byte[] md5) {
        FlacBitWriter w = new FlacBitWriter();
        w.writeBits('f', 8); w.writeBits('L', 8); w.writeBits('a', 8); w.writeBits('C', 8);
        w.writeBits(1, 1);                         // last metadata block
        w.writeBits(0, 7);                         // STREAMINFO
        w.writeBits(34, 24);
        w.writeBits(blockSize, 16);                // minimum block size (the last block may be shorter)
        w.writeBits(blockSize, 16);
        w.writeBits(minFrameBytes, 24);
        w.writeBits(maxFrameBytes, 24);
        w.writeBits(sampleRateHz, 20);
        w.writeBits(0, 3);                         // channels - 1
        w.writeBits(FlacFrameEncoder.BITS_PER_SAMPLE - 1, 5);
        w.writeLong(totalSamples, 36);
        for (int i = 0; i < 16; i++) w.writeBits(md5 == null ? 0 : md5[i], 8);
        return w.toByteArray();
    }
}
