package dev.cosyvoice4j.codec;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Splits an Ogg stream into pages and packets (RFC 3533) for the tests, checking each page's CRC bit by bit. */
final class OggTestReader {
    record Page(int flags, long granule, int serial, int sequence, int packetsEnded, int length) {
        boolean continued() { return (flags & 1) != 0; }
        boolean bos() { return (flags & 2) != 0; }
        boolean eos() { return (flags & 4) != 0; }
    }

    /** A packet and the page on which it ends. */
    record Packet(byte[] data, int page) {}

    record Stream(List<Page> pages, List<Packet> packets) {}

    static Stream read(byte[] b) {
        List<Page> pages = new ArrayList<>();
        List<Packet> packets = new ArrayList<>();
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < b.length) {
            if (b[pos] != 'O' || b[pos + 1] != 'g' || b[pos + 2] != 'g' || b[pos + 3] != 'S') throw new IllegalStateException("no OggS at " + pos);
            if (b[pos + 4] != 0) throw new IllegalStateException("stream structure version " + b[pos + 4]);
            int flags = b[pos + 5] & 0xFF;
            long granule = le(b, pos + 6, 8);
            int serial = (int) le(b, pos + 14, 4);
            int sequence = (int) le(b, pos + 18, 4);
            int crc = (int) le(b, pos + 22, 4);
            int segments = b[pos + 26] & 0xFF;
            int bodyLength = 0;
            for (int i = 0; i < segments; i++) bodyLength += b[pos + 27 + i] & 0xFF;
            int length = 27 + segments + bodyLength;
            byte[] page = java.util.Arrays.copyOfRange(b, pos, pos + length);
            page[22] = page[23] = page[24] = page[25] = 0;
            if (crc(page) != crc) throw new IllegalStateException("CRC mismatch on page " + sequence);
            if (((flags & 1) != 0) != (partial.size() > 0)) throw new IllegalStateException("continuation flag wrong on page " + sequence);
            int data = pos + 27 + segments;
            int ended = 0;
            for (int i = 0; i < segments; i++) {
                int lace = b[pos + 27 + i] & 0xFF;
                partial.write(b, data, lace);
                data += lace;
                if (lace < 255) {
                    packets.add(new Packet(partial.toByteArray(), pages.size()));
                    partial.reset();
                    ended++;
                }
            }
            if (ended == 0 && granule != -1) throw new IllegalStateException("granule on a page where no packet ends");
            pages.add(new Page(flags, granule, serial, sequence, ended, length));
            pos += length;
        }
        if (partial.size() > 0) throw new IllegalStateException("stream ends inside a packet");
        return new Stream(pages, packets);
    }

    /** CRC-32, polynomial 0x04C11DB7, MSB first, initial 0, no final XOR: bit by bit. */
    static int crc(byte[] b) {
        int crc = 0;
        for (byte x : b) {
            crc ^= (x & 0xFF) << 24;
            for (int k = 0; k < 8; k++) crc = crc < 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
        }
        return crc;
    }

    static long le(byte[] b, int at, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xFF);
        return v;
    }
}
