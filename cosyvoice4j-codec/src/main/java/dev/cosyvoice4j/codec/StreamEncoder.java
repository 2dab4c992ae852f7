package dev.cosyvoice4j.codec;

import java.util.Arrays;
import java.util.Objects;

/** The argument and state checks every streaming encoder shares. */
abstract class StreamEncoder implements AudioEncoder {
    static final byte[] NOTHING = new byte[0];

    private boolean finished;

    @Override
    public final byte[] encode(float[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        if (finished) throw new IllegalStateException("encode after finish");
        return encodeChecked(samples, offset, length);
    }

    @Override
    public final byte[] finish() {
        if (finished) throw new IllegalStateException("finish called twice");
        finished = true;
        return finishChecked();
    }

    abstract byte[] encodeChecked(float[] samples, int offset, int length);

    abstract byte[] finishChecked();

    static byte[] concat(byte[] a, byte[] b) {
        if (a.length == 0) return b;
        if (b.length == 0) return a;
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
