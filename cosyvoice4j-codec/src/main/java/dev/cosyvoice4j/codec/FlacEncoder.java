package dev.cosyvoice4j.codec;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * FLAC, 16-bit mono, fixed blocks of {@value #BLOCK_SIZE} samples (RFC 9639). A stream starts with a STREAMINFO
 * that leaves the length and MD5 unknown (§8.2 allows both) and sends each frame as soon as its block is full; the
 * last, shorter block goes out on {@link #finish()}. A whole file carries the exact length, frame sizes and MD5.
 */
final class FlacEncoder extends StreamEncoder {
    /** 170 ms at 24 kHz: the latency a streaming client sees, and libFLAC's default block size. */
    static final int BLOCK_SIZE = 4096;

    private final int sampleRateHz;
    private final boolean sendHeader;
    private final FlacFrameEncoder frames;
    private final int[] block = new int[BLOCK_SIZE];
    private int fill;
    private long frameNumber;
    private boolean headerSent;
    private int minFrameBytes = Integer.MAX_VALUE;
    private int maxFrameBytes;

    FlacEncoder(int sampleRateHz) { this(sampleRateHz, true); }

    private FlacEncoder(int sampleRateHz, boolean sendHeader) {
        if (sampleRateHz < 1 || sampleRateHz >= 1 << 20) throw new IllegalArgumentException("FLAC sample rate out of range: " + sampleRateHz);
        this.sampleRateHz = sampleRateHz;
        this.sendHeader = sendHeader;
        this.frames = new FlacFrameEncoder(sampleRateHz);
    }

    static byte[] encodeAll(int sampleRateHz, float[] samples) {
        FlacEncoder enc = new FlacEncoder(sampleRateHz, false);
        byte[] body = concat(enc.encode(samples, 0, samples.length), enc.finish());
        byte[] md5;
        try {
            md5 = MessageDigest.getInstance("MD5").digest(Pcm16.toLittleEndian(samples, 0, samples.length)); // §8.2
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);   // every JDK has MD5
        }
        int min = enc.maxFrameBytes == 0 ? 0 : enc.minFrameBytes;
        return concat(FlacStreamInfo.header(sampleRateHz, BLOCK_SIZE, min, enc.maxFrameBytes, samples.length, md5), body);
    }

    @Override
    byte[] encodeChecked(float[] samples, int offset, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out);
        for (int i = 0; i < length; i++) {
            block[fill++] = Pcm16.toShort(samples[offset + i]);
            if (fill == BLOCK_SIZE) flushBlock(out);
        }
        return out.toByteArray();
    }

    @Override
    byte[] finishChecked() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out);
        if (fill > 0) flushBlock(out);
        return out.toByteArray();
    }

    private void header(ByteArrayOutputStream out) {
        if (!sendHeader || headerSent) return;
        headerSent = true;
        out.writeBytes(FlacStreamInfo.header(sampleRateHz, BLOCK_SIZE, 0, 0, 0, null));
    }

    private void flushBlock(ByteArrayOutputStream out) {
        byte[] frame = frames.encode(block, fill, frameNumber++);
        minFrameBytes = Math.min(minFrameBytes, frame.length);
        maxFrameBytes = Math.max(maxFrameBytes, frame.length);
        out.writeBytes(frame);
        fill = 0;
    }
}
