package dev.cosyvoice4j.codec;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Packs the packets of one logical Ogg bitstream into pages (RFC 3533 §6). The caller decides where pages end
 * ({@link #flush}); a page also ends by itself when its 255 lacing values are used up, and a packet that does not fit
 * continues on the next page. Finished pages accumulate until {@link #drain()}.
 */
final class OggPageWriter {
    private static final int HEADER_BYTES = 27;
    private static final int MAX_SEGMENTS = 255;

    private final int serial;
    private int sequence;
    private boolean bos = true;
    private final ByteArrayOutputStream ready = new ByteArrayOutputStream();

    // the page being filled
    private final byte[] lacing = new byte[MAX_SEGMENTS];
    private int segments;
    private byte[] body = new byte[4096];
    private int bodyLength;
    private boolean continued;          // the first segment continues a packet of the previous page
    private long granule = -1;          // of the last packet completed on this page; -1: none completes here
    private int packets;

    OggPageWriter(int serial) { this.serial = serial; }

    /** Appends a packet; {@code granuleAfter} is the stream's granule position once it is decoded. */
    void addPacket(byte[] packet, int length, long granuleAfter) {
        int pos = 0;
        while (true) {
            if (segments == MAX_SEGMENTS) {
                emit(false);
                continued = pos > 0;
            }
            int seg = Math.min(255, length - pos);
            lacing[segments++] = (byte) seg;
            if (bodyLength + seg > body.length) body = Arrays.copyOf(body, 2 * body.length + seg);
            System.arraycopy(packet, pos, body, bodyLength, seg);
            bodyLength += seg;
            pos += seg;
            if (seg < 255) break;           // a lacing value below 255 ends the packet (0 after an exact multiple)
        }
        granule = granuleAfter;
        packets++;
    }

    /** Packets completed on the page being filled. */
    int pendingPackets() { return packets; }

    /** Ends the current page; with {@code eos} it is the stream's last page (sent even when empty). */
    void flush(boolean eos) {
        if (segments > 0 || eos) emit(eos);
    }

    /** The pages finished since the last call. */
    byte[] drain() {
        byte[] out = ready.toByteArray();
        ready.reset();
        return out;
    }

    private void emit(boolean eos) {
        byte[] page = new byte[HEADER_BYTES + segments + bodyLength];
        page[0] = 'O'; page[1] = 'g'; page[2] = 'g'; page[3] = 'S';
        page[4] = 0;                                                   // stream structure version
        page[5] = (byte) ((continued ? 1 : 0) | (bos ? 2 : 0) | (eos ? 4 : 0));
        putLe(page, 6, granule, 8);
        putLe(page, 14, serial, 4);
        putLe(page, 18, sequence++, 4);
        // bytes 22..25: CRC, computed with the field zero
        page[26] = (byte) segments;
        System.arraycopy(lacing, 0, page, HEADER_BYTES, segments);
        System.arraycopy(body, 0, page, HEADER_BYTES + segments, bodyLength);
        putLe(page, 22, OggCrc.crc(page, 0, page.length), 4);
        ready.writeBytes(page);
        bos = false;
        continued = false;
        segments = 0;
        bodyLength = 0;
        granule = -1;
        packets = 0;
    }

    private static void putLe(byte[] b, int at, long v, int bytes) {
        for (int i = 0; i < bytes; i++) b[at + i] = (byte) (v >>> (8 * i));
    }
}
