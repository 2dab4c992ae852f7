package dev.cosyvoice4j.frontend.audio;

import java.util.Arrays;

/**
 * A row-major float matrix {@code [rows, cols]} produced by a feature extractor; each extractor documents
 * which axis is time ({@code [frames, bins]} for Kaldi fbank and the matcha mel, {@code [bins, frames]} for the
 * whisper log-mel, matching the official tensors). The array is owned by the record: do not modify it.
 */
public record FeatureMatrix(float[] values, int rows, int cols) {
    public FeatureMatrix {
        if (rows < 0 || cols < 0 || (long) rows * cols != values.length) {
            throw new IllegalArgumentException("matrix " + rows + "x" + cols + " with " + values.length + " values");
        }
    }

    public float get(int r, int c) { return values[r * cols + c]; }

    /** The first {@code n} rows (copy). */
    public FeatureMatrix firstRows(int n) {
        int k = Math.min(n, rows);
        return new FeatureMatrix(Arrays.copyOf(values, k * cols), k, cols);
    }

    /** Columns {@code [0, n)} of every row (copy). */
    public FeatureMatrix firstCols(int n) {
        int k = Math.min(n, cols);
        float[] out = new float[rows * k];
        for (int r = 0; r < rows; r++) System.arraycopy(values, r * cols, out, r * k, k);
        return new FeatureMatrix(out, rows, k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(values) * 31 + rows; }

    @Override
    public String toString() { return "FeatureMatrix[" + rows + "x" + cols + "]"; }
}
