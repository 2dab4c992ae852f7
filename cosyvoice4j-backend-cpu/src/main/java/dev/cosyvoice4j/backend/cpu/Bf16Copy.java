package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.backend.host.HostOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code Backend.copy} into and out of bfloat16 storage buffers, vectorised and split over the pool: a bf16 DiT's
 * streaming keys and values (hundreds of MB; a saved voice's are restored by every streaming request). Same values as the
 * scalar twin {@link HostOps#copy}: round to nearest even on the way in (NaN stays NaN), exact on the way out.
 */
final class Bf16Copy {
    private Bf16Copy() {}

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
    /** Values per pool task: large enough that a task is not dominated by the hand-off. */
    private static final int TASK = 1 << 16;

    static void copy(KernelPool pool, HostBuf dst, HostBuf src) {
        int n = Math.toIntExact(src.size());
        if (src.bf16 != null && dst.bf16 != null) {
            System.arraycopy(src.bf16, src.offset, dst.bf16, dst.offset, n);
        } else if (src.data != null && dst.bf16 != null) {
            pool.parallelFor((n + TASK - 1) / TASK, t -> toBf16(src.data, src.offset, dst.bf16, dst.offset, t * TASK, Math.min(n, t * TASK + TASK)));
        } else if (src.bf16 != null && dst.data != null) {
            pool.parallelFor((n + TASK - 1) / TASK, t -> toF32(src.bf16, src.offset, dst.data, dst.offset, t * TASK, Math.min(n, t * TASK + TASK)));
        } else {
            HostOps.copy(dst, src);                      // float64 with bfloat16: its error message
        }
    }

    private static void toBf16(float[] x, int xo, short[] out, int oo, int from, int to) {
        int i = from, bound = from + FS.loopBound(to - from);
        for (; i < bound; i += FS.length()) {
            FloatVector v = FloatVector.fromArray(FS, x, xo + i);
            IntVector bits = v.reinterpretAsInts();
            IntVector rounded = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1))
                    .lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = v.test(VectorOperators.IS_NAN).cast(bits.species());
            ((ShortVector) rounded.blend(0x7FC0, nan).convertShape(VectorOperators.I2S, SS, 0)).intoArray(out, oo + i);
        }
        for (; i < to; i++) out[oo + i] = HostOps.bf16Bits(x[xo + i]);
    }

    private static void toF32(short[] b, int bo, float[] out, int oo, int from, int to) {
        int i = from, bound = from + SS.loopBound(to - from);
        for (; i < bound; i += SS.length()) {
            IntVector bits = (IntVector) ShortVector.fromArray(SS, b, bo + i).convertShape(VectorOperators.S2I, IS, 0);
            bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, oo + i);
        }
        for (; i < to; i++) out[oo + i] = Float.intBitsToFloat(b[bo + i] << 16);
    }
}
