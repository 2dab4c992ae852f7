package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Precision;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A precision mode of the engine: the LLM weight format and the flow matmul precision, named as the command line
 * writes it: {@code fp32}, {@code q8_0}, {@code q4_0}, {@code bf16}, or a combination joined by {@code +} such as
 * {@code q8_0+bf16} ({@code bench --precision}, {@code quality --modes}). Each part is read by {@link Precision#parse},
 * the one parser of precision names. {@code bf16} with a quantised LLM also runs the LLM's prefill products in bf16
 * ({@link #llmPrefill()}): the fast mode gets bf16 wherever many rows share a weight; an fp32 LLM stays float32.
 */
public record PrecisionMode(String name, Precision llm, Precision flow) {
    public static final PrecisionMode FP32 = new PrecisionMode("fp32", Precision.F32, Precision.F32);
    /** What {@code quality} compares by default. */
    public static final String DEFAULT_MODES = "fp32,q8_0,q4_0,bf16,q8_0+bf16";

    public PrecisionMode {
        EngineOptions.defaults().withLlmPrecision(llm).withFlowPrecision(flow);   // same validation as the engine
    }

    public boolean isFp32() { return llm == Precision.F32 && flow == Precision.F32; }

    /** The LLM's prefill products: BF16 when the flow's are and the LLM is quantised, else F32. */
    public Precision llmPrefill() { return llmPrefill(llm, flow); }

    /** The rule of {@link #llmPrefill()} for an LLM weight format and a flow precision (also {@code --prefill-precision auto}). */
    public static Precision llmPrefill(Precision llm, Precision flow) {
        return flow == Precision.BF16 && (llm == Precision.Q8_0 || llm == Precision.Q4_0) ? Precision.BF16 : Precision.F32;
    }

    /** The LLM part of the mode as reports name it: {@code q8_0}, or {@code q8_0, bf16 prefill}. */
    public String llmLabel() {
        return llmPrefill() == Precision.F32 ? llm.label() : llm.label() + ", bf16 prefill";
    }

    /** {@code base} with this mode's precisions. */
    public EngineOptions apply(EngineOptions base) {
        return base.withLlmPrecision(llm).withFlowPrecision(flow).withLlmPrefillPrecision(llmPrefill());
    }

    /** One mode: parts joined by {@code +}; q8_0 and q4_0 set the LLM's weights, bf16 the flow's products. */
    public static PrecisionMode parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty precision mode (known: fp32, q8_0, q4_0, bf16 and combinations like q8_0+bf16)");
        }
        Precision llm = null, flow = null;
        for (String part : text.split("\\+", -1)) {
            Precision p;
            try {
                p = Precision.parse(part);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown precision '" + part.strip() + "' in mode '" + text
                        + "' (known: fp32, q8_0, q4_0, bf16 and combinations like q8_0+bf16)");
            }
            switch (p) {
                case F32 -> { }
                case Q8_0, Q4_0 -> llm = only(llm, p, text);
                case BF16 -> flow = only(flow, p, text);
            }
        }
        llm = llm == null ? Precision.F32 : llm;
        flow = flow == null ? Precision.F32 : flow;
        List<String> parts = new ArrayList<>();
        if (llm != Precision.F32) parts.add(llm.label());
        if (flow != Precision.F32) parts.add(flow.label());
        return new PrecisionMode(parts.isEmpty() ? "fp32" : String.join("+", parts), llm, flow);
    }

    /** A comma list of modes, duplicates removed, in the given order. */
    public static List<PrecisionMode> parseList(String csv) {
        LinkedHashSet<PrecisionMode> modes = new LinkedHashSet<>();
        for (String m : csv.split(",")) modes.add(parse(m));
        return List.copyOf(modes);
    }

    private static Precision only(Precision current, Precision p, String text) {
        if (current != null) throw new IllegalArgumentException("mode '" + text + "' sets the same component twice");
        return p;
    }
}
