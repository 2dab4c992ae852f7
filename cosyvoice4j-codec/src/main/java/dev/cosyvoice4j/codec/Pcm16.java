package dev.cosyvoice4j.codec;

/**
 * The one float-to-16-bit conversion of every format, identical to the engine's WAV writer
 * (the core module's {@code audio.WavWriter}): NaN becomes 0, values are clipped to [-1, 1], scaled by 32767 and
 * rounded half up.
 */
final class Pcm16 {
    private Pcm16() {}

    static short toShort(float s) {
        float c = Float.isNaN(s) ? 0f : Math.max(-1f, Math.min(1f, s));
        return (short) Math.round(c * 32767f);
    }

    static void toShorts(float[] src, int offset, int length, short[] dst, int dstOffset) {
        for (int i = 0; i < length; i++) dst[dstOffset + i] = toShort(src[offset + i]);
    }

    static short[] toShorts(float[] src, int offset, int length) {
        short[] out = new short[length];
        toShorts(src, offset, length, out, 0);
        return out;
    }

    /** s16le bytes: the PCM format and WAV's data chunk. */
    static byte[] toLittleEndian(float[] src, int offset, int length) {
        byte[] out = new byte[2 * length];
        for (int i = 0; i < length; i++) {
            short v = toShort(src[offset + i]);
            out[2 * i] = (byte) v;
            out[2 * i + 1] = (byte) (v >> 8);
        }
        return out;
    }
}
