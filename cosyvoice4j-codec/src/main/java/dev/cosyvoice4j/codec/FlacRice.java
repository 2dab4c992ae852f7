package dev.cosyvoice4j.codec;

/**
 * Partitioned Rice coding of a residual (RFC 9639 §9.2.7). The block is split into 2^order partitions; each gets
 * the Rice parameter that minimises its estimated size, and the partition order with the smallest total wins.
 * The first partition holds {@code blockSize >> order} minus the predictor order residuals (the warm-up samples
 * are not coded here).
 */
final class FlacRice {
    /** libFLAC's default ceiling; 16 samples per partition at a 4096 block. */
    static final int MAX_PARTITION_ORDER = 8;
    /** The largest parameter of coding method 0 (4-bit parameters, 0b1111 being the escape code). */
    static final int MAX_PARAM_4BIT = 14;
    /** Folded 16-bit residuals of an order-4 fixed predictor stay below 2^21; larger parameters never pay. */
    static final int MAX_PARAM = 22;

    private final long[] sums = new long[1 << MAX_PARTITION_ORDER];
    private int bestOrder;

    /**
     * Chooses the partition order for {@code residual[warmup, n)} and returns the estimated size in bits of the
     * coded residual, method and partition-order fields included.
     */
    long plan(int[] residual, int n, int warmup) {
        int maxOrder = 0;
        while (maxOrder < MAX_PARTITION_ORDER && n % (2 << maxOrder) == 0 && (n >> (maxOrder + 1)) > warmup) maxOrder++;
        int parts = 1 << maxOrder;
        int size = n >> maxOrder;
        for (int p = 0; p < parts; p++) {
            long s = 0;
            for (int i = p == 0 ? warmup : p * size, end = (p + 1) * size; i < end; i++) s += fold(residual[i]);
            sums[p] = s;
        }
        long best = Long.MAX_VALUE;
        for (int order = maxOrder; ; order--) {
            long bits = 2 + 4;
            int maxParam = 0;
            for (int p = 0, count = n >> order; p < (1 << order); p++) {
                int c = p == 0 ? count - warmup : count;
                int k = param(c, sums[p]);
                maxParam = Math.max(maxParam, k);
                bits += 4 + cost(c, sums[p], k);
            }
            if (maxParam > MAX_PARAM_4BIT) bits += 1L << order;   // 5-bit parameters
            if (bits <= best) {                                   // ties: the fewer partitions
                best = bits;
                bestOrder = order;
            }
            if (order == 0) break;
            for (int p = 0; p < (1 << (order - 1)); p++) sums[p] = sums[2 * p] + sums[2 * p + 1];
        }
        return best;
    }

    /** Writes the residual with the partition order chosen by the last {@link #plan}. */
    void write(FlacBitWriter out, int[] residual, int n, int warmup) {
        int order = bestOrder;
        int parts = 1 << order;
        int size = n >> order;
        int[] params = new int[parts];
        int maxParam = 0;
        for (int p = 0; p < parts; p++) {
            int start = p == 0 ? warmup : p * size;
            long s = 0;
            for (int i = start; i < (p + 1) * size; i++) s += fold(residual[i]);
            params[p] = param((p + 1) * size - start, s);
            maxParam = Math.max(maxParam, params[p]);
        }
        boolean wide = maxParam > MAX_PARAM_4BIT;
        out.writeBits(wide ? 1 : 0, 2);          // coding method: 4- or 5-bit parameters
        out.writeBits(order, 4);
        for (int p = 0; p < parts; p++) {
            out.writeBits(params[p], wide ? 5 : 4);
            int k = params[p];
            for (int i = p == 0 ? warmup : p * size, end = (p + 1) * size; i < end; i++) out.writeRice(fold(residual[i]), k);
        }
    }

    /** Zigzag folding: 0, -1, 1, -2, ... to 0, 1, 2, 3, ... (RFC 9639 §9.2.7.3). */
    static int fold(int r) { return (r << 1) ^ (r >> 31); }

    /** The parameter with the smallest estimated cost for {@code count} values summing to {@code sum}. */
    static int param(int count, long sum) {
        int best = 0;
        long bestCost = cost(count, sum, 0);
        for (int k = 1; k <= MAX_PARAM; k++) {
            long c = cost(count, sum, k);
            if (c >= bestCost) break;     // convex in k
            best = k;
            bestCost = c;
        }
        return best;
    }

    /** Unary quotients plus stop bits plus k low bits each; an upper bound within {@code count} bits of exact. */
    static long cost(int count, long sum, int k) {
        return (long) count * (k + 1) + (sum >> k);
    }
}
