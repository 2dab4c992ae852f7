package dev.cosyvoice4j.frontend.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small WAV files for tests (any encoding the reader supports, plus deliberately broken ones). */
public final class TestWavs {
    private TestWavs() {}

    /** A test tone: channel c is a sine at 220 * (c + 1) Hz with amplitude 0.5 / (c + 1). */
    public static float[][] tone(int channels, int frames, int sampleRateHz) {
        float[][] x = new float[channels][frames];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < frames; i++) {
                x[c][i] = (float) (0.5 / (c + 1) * Math.sin(2 * Math.PI * 220 * (c + 1) * i / sampleRateHz));
            }
        }
        return x;
    }

    /** Encodes {@code channels[c][i]} as a WAV: formatTag 1 (PCM) or 3 (float), optionally WAVE_FORMAT_EXTENSIBLE. */
    public static byte[] encode(float[][] x, int sampleRateHz, int formatTag, int bits, boolean extensible) {
        int ch = x.length, frames = x[0].length, bytesPer = bits / 8;
        int fmtSize = extensible ? 40 : 16;
        int dataBytes = frames * ch * bytesPer;
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + fmtSize + 8 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(4 + 8 + fmtSize + 8 + dataBytes).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(fmtSize).putShort((short) (extensible ? 0xFFFE : formatTag)).putShort((short) ch)
                .putInt(sampleRateHz).putInt(sampleRateHz * ch * bytesPer).putShort((short) (ch * bytesPer)).putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(0);
            b.putShort((short) formatTag).put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        b.put("data".getBytes()).putInt(dataBytes);
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < ch; c++) {
                float v = x[c][i];
                if (formatTag == 3) {
                    if (bits == 32) b.putFloat(v); else b.putDouble(v);
                } else {
                    switch (bits) {
                        case 8 -> b.put((byte) (Math.round(v * 127) + 128));
                        case 16 -> b.putShort((short) Math.round(v * 32767));
                        case 24 -> { int s = Math.round(v * 8388607); b.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16)); }
                        default -> b.putInt((int) Math.round(v * 2147483647.0));
                    }
                }
            }
        }
        return b.array();
    }

    public static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** A mono PCM16 WAV. */
    public static Path pcm16(Path dir, String name, float[] mono, int sampleRateHz) throws IOException {
        return write(dir, name, encode(new float[][] {mono}, sampleRateHz, 1, 16, false));
    }
}
