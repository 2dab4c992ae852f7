package dev.cosyvoice4j.codec;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ogg Opus (RFC 7845), mono, coded by Concentus (a Java port of libopus 1.1.2). Pages: OpusHead alone on the first
 * (BOS), OpusTags alone on the second (§3), then 20 ms packets, {@value #PACKETS_PER_PAGE} to a page so that a
 * streaming client hears audio within 100 ms of it being coded. Granule positions count 48 kHz samples, the
 * encoder's look-ahead included (§4); the last page (EOS) trims the padding added to fill the last frame and flush
 * the look-ahead, so a decoder returns exactly the input length after skipping pre-skip.
 */
final class OggOpusEncoder extends StreamEncoder {
    /** Transparent enough for speech at 24 kHz (super-wideband); OpenAI's opus is in the same range. */
    static final int BITRATE_BPS = 32_000;
    static final int FRAME_MS = 20;
    static final int PACKETS_PER_PAGE = 5;
    static final String VENDOR = "cosyvoice4j (Concentus)";

    private final OpusEncoder opus;
    private final OggPageWriter ogg;
    private final int sampleRateHz;
    private final int frameSize;
    private final int to48k;            // 48 kHz samples per input sample
    private final int lookahead;        // input-rate samples the encoder delays the signal by
    private final short[] frame;
    private final byte[] packet = new byte[1500];
    private int fill;
    private long samplesIn;
    private long packets;
    private boolean headersSent;

    OggOpusEncoder(int sampleRateHz) { this(sampleRateHz, ThreadLocalRandom.current().nextInt()); }

    /** @param serial the Ogg bitstream serial number (random by default: it tells chained streams apart) */
    OggOpusEncoder(int sampleRateHz, int serial) {
        if (sampleRateHz != 8000 && sampleRateHz != 12000 && sampleRateHz != 16000 && sampleRateHz != 24000 && sampleRateHz != 48000) {
            throw new IllegalArgumentException("opus encodes 8000, 12000, 16000, 24000 or 48000 Hz input, not " + sampleRateHz + " Hz");
        }
        try {
            opus = new OpusEncoder(sampleRateHz, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
        } catch (OpusException e) {
            throw new IllegalStateException("opus encoder: " + e.getMessage(), e);
        }
        opus.setBitrate(BITRATE_BPS);
        this.ogg = new OggPageWriter(serial);
        this.sampleRateHz = sampleRateHz;
        this.frameSize = sampleRateHz * FRAME_MS / 1000;
        this.to48k = 48000 / sampleRateHz;
        this.lookahead = opus.getLookahead();
        this.frame = new short[frameSize];
    }

    @Override
    byte[] encodeChecked(float[] samples, int offset, int length) {
        headers();
        for (int i = 0; i < length; i++) {
            frame[fill++] = Pcm16.toShort(samples[offset + i]);
            if (fill == frameSize) {
                addPacket((packets + 1) * frameSize * to48k);
                if (ogg.pendingPackets() >= PACKETS_PER_PAGE) ogg.flush(false);
            }
        }
        samplesIn += length;
        return ogg.drain();
    }

    @Override
    byte[] finishChecked() {
        headers();
        // pad with silence until the decoder has produced every input sample past the look-ahead
        long needed = samplesIn + lookahead;
        long end = preSkip() + samplesIn * to48k;
        while (packets * frameSize < needed) {
            Arrays.fill(frame, fill, frameSize, (short) 0);
            fill = frameSize;
            boolean last = (packets + 1) * frameSize >= needed;
            addPacket(last ? end : (packets + 1) * frameSize * to48k);
            if (!last && ogg.pendingPackets() >= PACKETS_PER_PAGE) ogg.flush(false);
        }
        ogg.flush(true);
        return ogg.drain();
    }

    /** RFC 7845 §4.2: 48 kHz samples to discard at the start, the encoder's look-ahead. */
    int preSkip() { return lookahead * to48k; }

    private void addPacket(long granule) {
        int n;
        try {
            n = opus.encode(frame, 0, frameSize, packet, 0, packet.length);
        } catch (OpusException e) {
            throw new IllegalStateException("opus encoder: " + e.getMessage(), e);
        }
        fill = 0;
        packets++;
        ogg.addPacket(packet, n, granule);
    }

    private void headers() {
        if (headersSent) return;
        headersSent = true;
        ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);   // §5.1
        head.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 1);
        head.putShort((short) preSkip()).putInt(sampleRateHz).putShort((short) 0).put((byte) 0);
        ogg.addPacket(head.array(), 19, 0);
        ogg.flush(false);
        byte[] vendor = VENDOR.getBytes(StandardCharsets.UTF_8);                      // §5.2
        ByteBuffer tags = ByteBuffer.allocate(8 + 4 + vendor.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        tags.put("OpusTags".getBytes(StandardCharsets.US_ASCII)).putInt(vendor.length).put(vendor).putInt(0);
        ogg.addPacket(tags.array(), tags.capacity(), 0);
        ogg.flush(false);
    }
}
