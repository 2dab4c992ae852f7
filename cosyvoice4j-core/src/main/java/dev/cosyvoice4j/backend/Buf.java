package dev.cosyvoice4j.backend;

/**
 * An activation: a dense row-major matrix {@code [rows, cols]} of float32 (or, for the vocoder's float64 F0
 * predictor, float64) values in memory owned by one {@link Backend}. Model code holds these handles and never their
 * values: it passes them to backend operations and reads values back only at stage edges
 * ({@link Backend#read}). A view shares its parent's storage: a batch row, a KV-cache prefix or a reshaped prefix
 * is a view, never a copy.
 *
 * <p>A 1-d convolution's activation is channel-major {@code [channels, time]} (PyTorch's layout); a transformer's is
 * time-major {@code [positions, width]}.
 */
public interface Buf {
    int rows();

    int cols();

    /** True for a float64 buffer ({@link Backend#allocF64}). */
    boolean isF64();

    /**
     * True for a bfloat16 storage buffer ({@link Backend#allocBf16}): filled by {@link Backend#copy} (rounded to nearest
     * even), read by {@code copy} (exact) and as {@link Backend#attention}'s keys and values; other operations refuse it.
     */
    default boolean isBf16() { return false; }

    /** {@code rows * cols}. */
    default long size() { return (long) rows() * cols(); }

    /** Rows {@code [from, to)} as a view. */
    Buf rows(int from, int to);

    /** The first {@code rows * cols} values as a {@code [rows, cols]} view (a workspace prefix, a reshape). */
    Buf view(int rows, int cols);

    /** The one row {@code r} as a {@code [1, cols]} view. */
    default Buf row(int r) { return rows(r, r + 1); }

    /** A one-line shape description for error messages. */
    default String shape() { return (isF64() ? "f64" : isBf16() ? "bf16" : "f32") + "[" + rows() + ", " + cols() + "]"; }
}
