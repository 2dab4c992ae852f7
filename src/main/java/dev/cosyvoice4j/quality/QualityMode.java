package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.engine.EngineOptions.Precision;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * One precision mode of the engine: the LLM weight format and the flow matmul precision. Named like the
 * command line writes it: {@code fp32}, {@code q8_0}, {@code q4_0}, {@code bf16}, or a combination joined by
 * {@code +} such as {@code q8_0+bf16}.
 */
public record QualityMode(String name, Precision llm, Precision flow) {
    public static final QualityMode FP32 = new QualityMode("fp32", Precision.F32, Precision.F32);
    /** What {@code quality} compares by default. */
    public static final String DEFAULT_MODES = "fp32,q8_0,q4_0,bf16,q8_0+bf16";

    public QualityMode {
        new EngineOptions(1, null, llm, flow, null);   // same validation as the engine
    }

    public boolean isFp32() { return llm == Precision.F32 && flow == Precision.F32; }

    /** {@code base} with this mode's precisions. */
    public EngineOptions apply(EngineOptions base) { return base.withLlmPrecision(llm).withFlowPrecision(flow); }

    /** One mode: parts joined by {@code +}, each {@code fp32}/{@code f32}, {@code q8_0}/{@code q8}, {@code q4_0}/{@code q4} or {@code bf16}. */
    public static QualityMode parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) throw new IllegalArgumentException("empty mode (known: fp32, q8_0, q4_0, bf16 and combinations like q8_0+bf16)");
        Precision llm = null, flow = null;
        for (String part : s.split("\\+", -1)) {
            switch (part.strip()) {
                case "fp32", "f32" -> { }
                case "q8_0", "q8" -> llm = only(llm, Precision.Q8_0, text);
                case "q4_0", "q4" -> llm = only(llm, Precision.Q4_0, text);
                case "bf16" -> flow = only(flow, Precision.BF16, text);
                default -> throw new IllegalArgumentException("unknown precision '" + part.strip() + "' in mode '" + text
                        + "' (known: fp32, q8_0, q4_0, bf16 and combinations like q8_0+bf16)");
            }
        }
        llm = llm == null ? Precision.F32 : llm;
        flow = flow == null ? Precision.F32 : flow;
        List<String> parts = new ArrayList<>();
        if (llm != Precision.F32) parts.add(llm.name().toLowerCase(Locale.ROOT));
        if (flow != Precision.F32) parts.add(flow.name().toLowerCase(Locale.ROOT));
        return new QualityMode(parts.isEmpty() ? "fp32" : String.join("+", parts), llm, flow);
    }

    /** A comma list of modes, duplicates removed, in the given order. */
    public static List<QualityMode> parseList(String csv) {
        LinkedHashSet<QualityMode> modes = new LinkedHashSet<>();
        for (String m : csv.split(",")) modes.add(parse(m));
        return List.copyOf(modes);
    }

    private static Precision only(Precision current, Precision p, String text) {
        if (current != null) throw new IllegalArgumentException("mode '" + text + "' sets the same component twice");
        return p;
    }
}
