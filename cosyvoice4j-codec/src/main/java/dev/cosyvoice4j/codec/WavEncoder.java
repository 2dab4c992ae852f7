package dev.cosyvoice4j.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RIFF/WAVE, 16-bit PCM mono, the canonical 44-byte header (Microsoft "Multimedia Programming Interface and Data
 * Specifications 1.0", WAVE format chunk with WAVE_FORMAT_PCM). A stream does not know its length, so its header
 * carries RIFF and data sizes of 0xFFFFFFFF, as vLLM-Omni and xtts-api-server stream WAV; players read to the end.
 */
final class WavEncoder extends StreamEncoder {
    static final int HEADER_BYTES = 44;
    static final long UNKNOWN_SIZE = 0xFFFFFFFFL;

    private final int sampleRateHz;
    private boolean headerSent;

    WavEncoder(int sampleRateHz) { this.sampleRateHz = sampleRateHz; }

    /** A whole file with exact sizes. */
    static byte[] encodeAll(int sampleRateHz, float[] samples) {
        long dataBytes = 2L * samples.length;
        if (dataBytes > UNKNOWN_SIZE - 36) throw new IllegalArgumentException("WAV data exceeds 4 GiB: " + dataBytes + " bytes");
        return concat(header(sampleRateHz, dataBytes + 36, dataBytes), Pcm16.toLittleEndian(samples, 0, samples.length));
    }

    @Override
    byte[] encodeChecked(float[] samples, int offset, int length) {
        byte[] data = Pcm16.toLittleEndian(samples, offset, length);
        return headerSent ? data : concat(streamHeader(), data);
    }

    @Override
    byte[] finishChecked() { return headerSent ? NOTHING : streamHeader(); }

    private byte[] streamHeader() {
        headerSent = true;
        return header(sampleRateHz, UNKNOWN_SIZE, UNKNOWN_SIZE);
    }

    static byte[] header(int sampleRateHz, long riffBytes, long dataBytes) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) riffBytes);
        h.put(new byte[] {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '}).putInt(16);
        h.putShort((short) 1).putShort((short) 1);                      // WAVE_FORMAT_PCM, mono
        h.putInt(sampleRateHz).putInt(2 * sampleRateHz).putShort((short) 2).putShort((short) 16);
        h.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataBytes);
        return h.array();
    }
}
