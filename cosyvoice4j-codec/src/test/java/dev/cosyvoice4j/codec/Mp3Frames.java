package dev.cosyvoice4j.codec;

import java.util.ArrayList;
import java.util.List;

/** Walks MPEG audio Layer III frame headers (ISO/IEC 11172-3 §2.4.2.3, 13818-3 §2.4.2.3) for the tests. */
final class Mp3Frames {
    record Header(int offset, int version, int layer, int bitrateKbps, int sampleRate, boolean padding, int mode, int length) {}

    static final int MPEG1 = 3, MPEG2 = 2, MPEG25 = 0;
    private static final int[] BITRATE_V1_L3 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    private static final int[] BITRATE_V2_L3 = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};

    /** Every frame from the first byte to the last; fails on anything that is not a Layer III frame. */
    static List<Header> parse(byte[] b) {
        List<Header> frames = new ArrayList<>();
        int pos = 0;
        while (pos < b.length) {
            if (pos + 4 > b.length) throw new IllegalStateException("truncated header at " + pos);
            int b1 = b[pos + 1] & 0xFF, b2 = b[pos + 2] & 0xFF, b3 = b[pos + 3] & 0xFF;
            if ((b[pos] & 0xFF) != 0xFF || (b1 & 0xE0) != 0xE0) throw new IllegalStateException("no frame sync at " + pos);
            int version = (b1 >> 3) & 3;
            int layer = 4 - ((b1 >> 1) & 3);
            if (version == 1 || layer != 3) throw new IllegalStateException("not Layer III at " + pos);
            int bitrateIndex = b2 >> 4, rateIndex = (b2 >> 2) & 3;
            if (bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) throw new IllegalStateException("bad header at " + pos);
            int kbps = (version == MPEG1 ? BITRATE_V1_L3 : BITRATE_V2_L3)[bitrateIndex];
            int rate = new int[] {44100, 48000, 32000}[rateIndex] >> (version == MPEG1 ? 0 : version == MPEG2 ? 1 : 2);
            boolean padding = ((b2 >> 1) & 1) == 1;
            int length = (version == MPEG1 ? 144 : 72) * kbps * 1000 / rate + (padding ? 1 : 0);
            if (pos + length > b.length) throw new IllegalStateException("truncated frame at " + pos);
            frames.add(new Header(pos, version, layer, kbps, rate, padding, b3 >> 6, length));
            pos += length;
        }
        return frames;
    }
}
