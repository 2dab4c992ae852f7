package dev.cosyvoice4j.backend.onednn;

/** Operand precision of a oneDNN matrix product; accumulation and output are always float32. */
public enum Precision {
    /** Activations and weights rounded to bfloat16 (round to nearest even), f32 accumulation. */
    BF16,
    /** Plain float32 operands (the same arithmetic as the pure-Java kernels, a different summation order). */
    F32
}
