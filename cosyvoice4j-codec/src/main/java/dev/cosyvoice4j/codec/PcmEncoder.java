package dev.cosyvoice4j.codec;

/** Raw 16-bit signed little-endian mono, no header: what OpenAI's clients play for {@code pcm}. */
final class PcmEncoder extends StreamEncoder {
    @Override
    byte[] encodeChecked(float[] samples, int offset, int length) {
        return Pcm16.toLittleEndian(samples, offset, length);
    }

    @Override
    byte[] finishChecked() { return NOTHING; }
}
