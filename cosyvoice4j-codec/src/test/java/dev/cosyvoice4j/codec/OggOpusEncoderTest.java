package dev.cosyvoice4j.codec;

import io.github.jaredmdobson.concentus.OpusDecoder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OggOpusEncoderTest {
    static final int RATE = 24000;

    /** Decodes an Ogg Opus stream as RFC 7845 §4 says a player must: skip pre-skip, trim to the last granule. */
    static short[] decode(byte[] ogg, int rate) throws Exception {
        OggTestReader.Stream s = OggTestReader.read(ogg);
        byte[] head = s.packets().get(0).data();
        int preSkip48 = (int) OggTestReader.le(head, 10, 2);
        OpusDecoder dec = new OpusDecoder(rate, 1);
        short[] pcm = new short[0];
        short[] frame = new short[rate * 120 / 1000];
        for (OggTestReader.Packet p : s.packets().subList(2, s.packets().size())) {
            int n = dec.decode(p.data(), 0, p.data().length, frame, 0, frame.length, false);
            pcm = Arrays.copyOf(pcm, pcm.length + n);
            System.arraycopy(frame, 0, pcm, pcm.length - n, n);
        }
        int factor = 48000 / rate;
        long lastGranule = s.pages().getLast().granule();
        return Arrays.copyOfRange(pcm, preSkip48 / factor, (int) (lastGranule / factor));
    }

    @Test
    void headersFollowRfc7845() {
        byte[] ogg = AudioEncoders.encodeAll(AudioFormat.OPUS, RATE, Signals.sine(440, 1.0, RATE, 0.5));
        OggTestReader.Stream s = OggTestReader.read(ogg);
        List<OggTestReader.Page> pages = s.pages();
        byte[] head = s.packets().get(0).data();
        assertEquals("OpusHead", new String(head, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(19, head.length);
        assertEquals(1, head[8]);                                   // version
        assertEquals(1, head[9]);                                   // channels
        assertEquals(312, OggTestReader.le(head, 10, 2));           // pre-skip: 6.5 ms look-ahead at 48 kHz
        assertEquals(RATE, OggTestReader.le(head, 12, 4));          // input sample rate
        assertEquals(0, OggTestReader.le(head, 16, 2));             // output gain
        assertEquals(0, head[18]);                                  // mapping family
        byte[] tags = s.packets().get(1).data();
        assertEquals("OpusTags", new String(tags, 0, 8, StandardCharsets.US_ASCII));
        int vendorLength = (int) OggTestReader.le(tags, 8, 4);
        assertEquals(OggOpusEncoder.VENDOR, new String(tags, 12, vendorLength, StandardCharsets.UTF_8));
        assertEquals(0, OggTestReader.le(tags, 12 + vendorLength, 4));
        assertEquals(16 + vendorLength, tags.length);

        assertTrue(pages.get(0).bos());
        assertEquals(1, pages.get(0).packetsEnded());               // OpusHead alone
        assertEquals(0, pages.get(0).granule());
        assertEquals(1, pages.get(1).packetsEnded());               // OpusTags alone
        assertEquals(0, pages.get(1).granule());
        assertEquals(2, s.packets().get(2).page());                 // audio starts on a fresh page
        for (int i = 0; i < pages.size(); i++) {
            assertEquals(i, pages.get(i).sequence());
            assertEquals(pages.get(0).serial(), pages.get(i).serial());
            assertEquals(i == 0, pages.get(i).bos());
            assertEquals(i == pages.size() - 1, pages.get(i).eos());
            assertFalse(pages.get(i).continued());
        }
    }

    @Test
    void granulePositionsCount48kHzSamplesAndTheLastOneTrimsThePadding() {
        int n = 24000 + 123;
        byte[] ogg = AudioEncoders.encodeAll(AudioFormat.OPUS, RATE, Signals.sine(440, (double) n / RATE, RATE, 0.5));
        OggTestReader.Stream s = OggTestReader.read(ogg);
        List<OggTestReader.Page> pages = s.pages();
        long packets = 0;
        for (int i = 2; i < pages.size(); i++) {
            packets += pages.get(i).packetsEnded();
            assertTrue(pages.get(i).packetsEnded() <= OggOpusEncoder.PACKETS_PER_PAGE);
            if (i < pages.size() - 1) assertEquals(packets * 960, pages.get(i).granule(), "page " + i);
        }
        assertEquals(312 + 2L * n, pages.getLast().granule());
        assertTrue(pages.getLast().granule() <= packets * 960);
        assertTrue(pages.getLast().granule() > pages.get(pages.size() - 2).granule());
        for (OggTestReader.Packet p : s.packets().subList(2, s.packets().size())) {
            assertEquals(20.0, frameMs(p.data()[0]), "RFC 6716 §3.1 TOC of one 20 ms frame");
            assertEquals(0, p.data()[0] & 0b11, "one frame per packet");
        }
    }

    @Test
    void decodesToA440HzSineWithMoreThan10dBSnr() throws Exception {
        float[] x = Signals.sine(440, 2.0, RATE, 0.5);
        short[] decoded = decode(AudioEncoders.encodeAll(AudioFormat.OPUS, RATE, x), RATE);
        assertEquals(x.length, decoded.length);
        double[] snr = Signals.snrDb(Signals.pcm16(x), decoded, 2400, x.length - 2400, 24);
        assertTrue(snr[0] > 10, "SNR " + snr[0] + " dB at lag " + snr[1]);
        assertTrue(Math.abs(snr[1]) <= 2, "pre-skip aligns the signal: lag " + snr[1]);
    }

    /** RFC 6716 §3.1: the frame duration the TOC byte's configuration number stands for. */
    static double frameMs(byte toc) {
        int config = (toc & 0xFF) >> 3;
        if (config < 12) return new double[] {10, 20, 40, 60}[config % 4];     // SILK-only
        if (config < 16) return new double[] {10, 20}[config % 2];             // hybrid
        return new double[] {2.5, 5, 10, 20}[config % 4];                      // CELT-only
    }

    @Test
    void everyOpusInputRateRoundTrips() throws Exception {
        for (int rate : new int[] {8000, 12000, 16000, 24000, 48000}) {
            float[] x = Signals.sine(300, 1.0, rate, 0.5);
            short[] decoded = decode(AudioEncoders.encodeAll(AudioFormat.OPUS, rate, x), rate);
            assertEquals(x.length, decoded.length, "rate " + rate);
            double[] snr = Signals.snrDb(Signals.pcm16(x), decoded, rate / 10, x.length - rate / 10, 8);
            assertTrue(snr[0] > 10, "rate " + rate + ": SNR " + snr[0] + " dB at lag " + snr[1]);
        }
    }

    @Test
    void streamedInOddChunksIsByteForByteTheWholeEncoding() {
        float[] x = Signals.speechLike(3.3, RATE, 12);
        byte[] streamed = Signals.streamInChunks(new OggOpusEncoder(RATE, 1234), x);
        OggOpusEncoder whole = new OggOpusEncoder(RATE, 1234);
        byte[] all = StreamEncoder.concat(whole.encode(x, 0, x.length), whole.finish());
        assertArrayEquals(all, streamed);
        OggTestReader.read(streamed);
    }

    @Test
    void pagesLeaveEvery100Milliseconds() {
        AudioEncoder enc = AudioEncoders.streaming(AudioFormat.OPUS, RATE);
        float[] x = Signals.sine(440, 1.0, RATE, 0.5);
        byte[] headers = enc.encode(x, 0, 0);
        assertEquals(2, OggTestReader.read(headers).pages().size());
        assertEquals(0, enc.encode(x, 0, 5 * 480 - 1).length);             // 99.96 ms: not a page yet
        byte[] page = enc.encode(x, 5 * 480 - 1, 1);
        byte[] both = StreamEncoder.concat(headers, page);
        assertEquals(5, OggTestReader.read(both).pages().get(2).packetsEnded());
        assertNotEquals(0, enc.finish().length);
    }

    @Test
    void serialNumbersDifferBetweenStreams() {
        int a = OggTestReader.read(AudioEncoders.streaming(AudioFormat.OPUS, RATE).finish()).pages().get(0).serial();
        int b = OggTestReader.read(AudioEncoders.streaming(AudioFormat.OPUS, RATE).finish()).pages().get(0).serial();
        int c = OggTestReader.read(AudioEncoders.streaming(AudioFormat.OPUS, RATE).finish()).pages().get(0).serial();
        assertFalse(a == b && b == c, "random serials");
    }

    @Test
    void anEmptyStreamIsValidAndDecodesToNothing() throws Exception {
        byte[] ogg = AudioEncoders.streaming(AudioFormat.OPUS, RATE).finish();
        OggTestReader.Stream s = OggTestReader.read(ogg);
        assertTrue(s.pages().getLast().eos());
        assertEquals(312, s.pages().getLast().granule());
        assertEquals(0, decode(ogg, RATE).length);
    }

    @Test
    void pageChecksumIsTheUnreflectedCrc32() {
        byte[] data = "123456789".getBytes();
        assertEquals(0x89A1897F, OggCrc.crc(data, 0, data.length));        // CRC-32/MPEG-2 without init/xorout
        byte[] random = Pcm16.toLittleEndian(Signals.noise(1000, 1, 13), 0, 1000);
        assertEquals(OggTestReader.crc(random), OggCrc.crc(random, 0, random.length));
        java.util.zip.CRC32 zip = new java.util.zip.CRC32();
        zip.update(random);
        assertNotEquals((int) zip.getValue(), OggCrc.crc(random, 0, random.length));
    }

    @Test
    void packetsLongerThanAPageContinueOnTheNext() {
        OggPageWriter w = new OggPageWriter(7);
        byte[] big = new byte[255 * 600 + 17];
        for (int i = 0; i < big.length; i++) big[i] = (byte) i;
        w.addPacket(new byte[] {1, 2, 3}, 3, 0);
        w.addPacket(big, big.length, 960);
        byte[] exact = new byte[255 * 2];
        w.addPacket(exact, exact.length, 1920);
        w.flush(true);
        OggTestReader.Stream s = OggTestReader.read(w.drain());
        assertEquals(3, s.packets().size());
        assertArrayEquals(big, s.packets().get(1).data());
        assertEquals(510, s.packets().get(2).data().length);
        assertEquals(3, s.pages().size());
        assertEquals(0, s.pages().get(0).granule());
        assertTrue(s.pages().get(1).continued());
        assertEquals(-1, s.pages().get(1).granule());                         // no packet ends on the middle page
        assertTrue(s.pages().get(2).continued());
        assertEquals(1920, s.pages().get(2).granule());
    }
}
