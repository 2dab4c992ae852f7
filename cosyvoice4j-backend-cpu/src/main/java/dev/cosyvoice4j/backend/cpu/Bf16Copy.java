package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.backend.host.HostOps;
import dev.cosyvoice4j.backend.onednn.Bf16;

/**
 * {@code Backend.copy} into and out of bfloat16 storage buffers, split over the pool ({@link Bf16}'s vector loops): a bf16 DiT's
 * streaming keys and values (hundreds of MB; a saved voice's are restored by every streaming request). Same values as the
 * scalar twin {@link HostOps#copy}: round to nearest even on the way in ({@link Bf16#convert}, NaN stays NaN), exact on the
 * way out.
 */
final class Bf16Copy {
    private Bf16Copy() {}

    /** Values per pool task: large enough that a task is not dominated by the hand-off. */
    private static final int TASK = 1 << 16;

    static void copy(KernelPool pool, HostBuf dst, HostBuf src) {
        int n = Math.toIntExact(src.size());
        if (src.data != null && dst.bf16 != null) {
            pool.parallelFor((n + TASK - 1) / TASK, t -> {
                int from = t * TASK, to = Math.min(n, from + TASK);
                Bf16.convert(src.data, src.offset + from, to - from, dst.bf16, dst.offset + from);
            });
        } else if (src.bf16 != null && dst.data != null) {
            pool.parallelFor((n + TASK - 1) / TASK, t -> {
                int from = t * TASK, to = Math.min(n, from + TASK);
                Bf16.toFloats(src.bf16, src.offset + from, to - from, dst.data, dst.offset + from);
            });
        } else {
            HostOps.copy(dst, src);                      // bf16 to bf16, and float64 with bf16 (its error message)
        }
    }
}
