package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.backend.cpu.CpuOptions;
import dev.cosyvoice4j.backend.cpu.VectorKernels;
import dev.cosyvoice4j.backend.onednn.OneDnnKernels;

import dev.cosyvoice4j.backend.cpu.QuantizedWeights;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** Chooses the compute kernels for the engine's options (the engine is where a backend is wired). */
final class Backends {
    private Backends() {}

    static Kernels cpu(EngineOptions options) {
        return new VectorKernels(new CpuOptions(options.threads()));
    }

    /** The LLM matrices streamed on every decode step: attention and MLP projections and the speech-token head. */
    private static final Pattern LLM_LINEAR = Pattern.compile(
            ".*\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight|llm_decoder\\.weight");

    /** The ggml block type of the LLM matrices at {@code precision}; null for float32. */
    static DType llmBlockType(EngineOptions.Precision precision) {
        return switch (precision) {
            case F32 -> null;
            case Q8_0 -> DType.Q8_0;
            case Q4_0 -> DType.Q4_0;
            case BF16 -> throw new IllegalArgumentException("the LLM has no bf16 mode");
        };
    }

    /**
     * The load-time weight transform of the LLM for its precision: Q8_0 / Q4_0 quantisation (ggml block layouts)
     * of the linear weights whose rows are a whole number of 32-value blocks; everything else stays float32.
     */
    static BiFunction<String, Tensor, Tensor> llmWeights(EngineOptions.Precision precision) {
        DType type = llmBlockType(precision);
        if (type == null) return (name, t) -> t;
        return (name, t) -> LLM_LINEAR.matcher(name).matches() && t.rank() == 2 && t.dim(1) % QuantizedWeights.BLOCK == 0
                ? QuantizedWeights.quantize(t, type) : t;
    }

    /**
     * The flow's kernels: the CPU kernels, with the DiT's matrix products routed to oneDNN's bf16 matmul when the
     * options ask for BF16 and the library loads (otherwise {@code log} says why and the pure-Java kernels stay).
     * {@code afterPacking} hears of each weight once oneDNN holds its bf16 copy.
     */
    static Kernels flow(Kernels cpu, EngineOptions options, Consumer<String> log, Consumer<Tensor> afterPacking) {
        if (options.flowPrecision() != EngineOptions.Precision.BF16) return cpu;
        return OneDnnKernels.wrap(cpu, "onednn-bf16", dev.cosyvoice4j.backend.onednn.OneDnn.loadDefault(), log,
                afterPacking);
    }
}
