package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.host.HostOps;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 to bfloat16 conversion, round to nearest even (what PyTorch's {@code .to(torch.bfloat16)} and oneDNN's
 * reorders do); NaN stays a (quiet) NaN; and back (exact). Vectorised because it runs on every activation of every
 * product and over the bf16 streaming caches.
 */
public final class Bf16 {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Bf16() {}

    /** The bfloat16 bits of {@code f} (round to nearest even): the scalar specification {@link HostOps#bf16Bits}. */
    static short fromFloat(float f) { return HostOps.bf16Bits(f); }

    /** The float value of bfloat16 bits. */
    static float toFloat(short b) {
        return Float.intBitsToFloat(b << 16);
    }

    /** Writes {@code n} values of {@code x} from {@code off} as bfloat16 to {@code dst} from byte 0. */
    static void convert(float[] x, int off, int n, MemorySegment dst) {
        convert(x, off, n, dst, 0);
    }

    /** Writes {@code n} values of {@code x} from {@code off} as bfloat16 to {@code dst} from byte {@code at}. */
    public static void convert(float[] x, int off, int n, MemorySegment dst, long at) {
        convertScaled(x, off, n, 1f, dst, at);
    }

    /** Writes {@code factor * x[off + i]} for {@code i < n} as bfloat16 to {@code dst} from byte {@code at}. */
    static void convertScaled(float[] x, int off, int n, float factor, MemorySegment dst, long at) {
        int i = 0;
        int bound = FS.loopBound(n);
        for (; i < bound; i += FS.length()) {
            rounded(FloatVector.fromArray(FS, x, off + i).mul(factor)).intoMemorySegment(dst, at + (long) i * 2, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) dst.set(SHORT_LE, at + (long) i * 2, fromFloat(factor * x[off + i]));
    }

    /** Writes {@code x[off + i]} for {@code i < n} as bfloat16 bits to {@code dst[at + i]} (bf16 storage buffers). */
    public static void convert(float[] x, int off, int n, short[] dst, int at) {
        int i = 0;
        int bound = FS.loopBound(n);
        for (; i < bound; i += FS.length()) rounded(FloatVector.fromArray(FS, x, off + i)).intoArray(dst, at + i);
        for (; i < n; i++) dst[at + i] = fromFloat(x[off + i]);
    }

    /** Widens {@code n} bfloat16 bits from {@code b[bo]} to their float32 values at {@code out[oo]} (exact). */
    public static void toFloats(short[] b, int bo, int n, float[] out, int oo) {
        int i = 0;
        int bound = SS.loopBound(n);
        for (; i < bound; i += SS.length()) {
            IntVector bits = (IntVector) ShortVector.fromArray(SS, b, bo + i).convertShape(VectorOperators.S2I, IS, 0);
            bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = toFloat(b[bo + i]);
    }

    /** The bfloat16 bits of every lane (round to nearest even, NaN to a quiet NaN), as {@link HostOps#bf16Bits}. */
    private static ShortVector rounded(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        IntVector r = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).lanewise(VectorOperators.LSHR, 16);
        VectorMask<Integer> nan = v.test(VectorOperators.IS_NAN).cast(bits.species());
        return (ShortVector) r.blend(0x7FC0, nan).convertShape(VectorOperators.I2S, SS, 0);
    }
}
