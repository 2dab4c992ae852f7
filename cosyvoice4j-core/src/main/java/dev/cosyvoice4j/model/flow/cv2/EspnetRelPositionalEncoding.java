package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.FloatMath;

/**
 * The positional table of {@code EspnetRelPositionalEncoding} (cosyvoice/transformer/embedding.py:201-300 @ ace7c47,
 * {@code extend_pe} l. 236-254, {@code position_encoding} l. 285-300): a constant of the layer, computed on the host
 * (float32 as torch: {@code w_i = exp(2i * -(ln 10000 / d))}, angle {@code p * w_i}, {@code [sin, cos]} interleaved).
 * Row m of a table built for {@code capacity} holds relative position {@code capacity - 1 - m}, so the
 * {@code pos_emb} of a length-t call ({@code t - 1 ... -(t - 1)}) is the contiguous row range
 * {@code [capacity - t, capacity + t - 1)}. Golden: {@code flow/{offline,stream_nonfinal}/encode} ({@code pos_emb_first8_last8}).
 */
public final class EspnetRelPositionalEncoding {
    private EspnetRelPositionalEncoding() {}

    /** The table {@code [2 * capacity - 1, dModel]} (row-major) for relative positions {@code capacity - 1 ... -(capacity - 1)}. */
    public static float[] table(int capacity, int dModel) {
        if (capacity < 1 || dModel < 2 || dModel % 2 != 0) {
            throw new IllegalArgumentException("positional table of capacity " + capacity + " and even width >= 2, got " + dModel);
        }
        float step = (float) -(Math.log(10000.0) / dModel);
        float[] divTerm = new float[dModel / 2];
        for (int i = 0; i < divTerm.length; i++) divTerm[i] = FloatMath.exp(2 * i * step);
        int rows = 2 * capacity - 1;
        float[] pe = new float[rows * dModel];
        for (int m = 0; m < rows; m++) {
            float position = capacity - 1 - m;             // pe_negative's -1 * position * div_term is -(p * w) exactly
            for (int i = 0; i < divTerm.length; i++) {
                float angle = position * divTerm[i];
                pe[m * dModel + 2 * i] = FloatMath.sin(angle);
                pe[m * dModel + 2 * i + 1] = FloatMath.cos(angle);
            }
        }
        return pe;
    }

    /** The first row of a length-{@code t} call's {@code pos_emb} in a table of {@code capacity}. */
    public static int firstRow(int capacity, int t) {
        if (t < 1 || t > capacity) throw new IllegalArgumentException("length " + t + " outside the positional table's 1.." + capacity);
        return capacity - t;
    }
}
