package dev.cosyvoice4j.backend;

import java.util.Locale;

/**
 * Number formats of weights and of the products computed with them. {@link #F32} is the parity mode every golden
 * case is held to; {@link #Q8_0} and {@link #Q4_0} are ggml's block layouts for the LLM's matrices; {@link #BF16}
 * is the flow's matrix products in bfloat16 (oneDNN). The one parser of these names: every command line option
 * and the engine use {@link #parse}.
 */
public enum Precision {
    F32("fp32"), Q8_0("q8_0"), Q4_0("q4_0"), BF16("bf16");

    private final String label;

    Precision(String label) { this.label = label; }

    /** The name users write ({@code fp32}, {@code q8_0}, {@code q4_0}, {@code bf16}). */
    public String label() { return label; }

    @Override
    public String toString() { return label; }

    /** {@code fp32}/{@code f32}/{@code float32}, {@code q8_0}/{@code q8}, {@code q4_0}/{@code q4}, {@code bf16} (any case). */
    public static Precision parse(String text) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "fp32", "f32", "float32" -> F32;
            case "q8_0", "q8" -> Q8_0;
            case "q4_0", "q4" -> Q4_0;
            case "bf16" -> BF16;
            default -> throw new IllegalArgumentException("unknown precision '" + text + "' (expected fp32, q8_0, q4_0 or bf16)");
        };
    }
}
