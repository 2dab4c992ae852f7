package dev.cosyvoice4j.engine;

import java.nio.file.Path;

/**
 * How an {@link Engine} is built. No system properties or globals: everything that changes behaviour is here.
 *
 * @param threads       compute threads of the CPU kernels (default: available processors)
 * @param speakerDir    where saved voices live ({@code --save-speaker} / {@code --speaker}); null = none
 * @param llmPrecision  weight format of the LLM matrices: F32 (parity), Q8_0 or Q4_0
 * @param flowPrecision matmul precision of the flow's DiT: F32 (parity) or BF16 (oneDNN, when installed)
 * @param quantCacheDir where quantised LLM weights are kept between loads ({@link QuantizedLlmCache}); null = quantise
 *                      at every load and write nothing
 */
public record EngineOptions(int threads, Path speakerDir, Precision llmPrecision, Precision flowPrecision,
                            Path quantCacheDir) {
    /** Weight / compute precisions. */
    public enum Precision { F32, Q8_0, Q4_0, BF16 }

    public EngineOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (llmPrecision == Precision.BF16) throw new IllegalArgumentException("the LLM supports F32, Q8_0 and Q4_0 weights");
        if (flowPrecision != Precision.F32 && flowPrecision != Precision.BF16) {
            throw new IllegalArgumentException("the flow supports F32 and BF16, not " + flowPrecision);
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), null, Precision.F32, Precision.F32, null);
    }

    public EngineOptions withThreads(int n) { return new EngineOptions(n, speakerDir, llmPrecision, flowPrecision, quantCacheDir); }

    public EngineOptions withSpeakerDir(Path d) { return new EngineOptions(threads, d, llmPrecision, flowPrecision, quantCacheDir); }

    public EngineOptions withLlmPrecision(Precision p) { return new EngineOptions(threads, speakerDir, p, flowPrecision, quantCacheDir); }

    public EngineOptions withFlowPrecision(Precision p) { return new EngineOptions(threads, speakerDir, llmPrecision, p, quantCacheDir); }

    public EngineOptions withQuantCacheDir(Path d) { return new EngineOptions(threads, speakerDir, llmPrecision, flowPrecision, d); }
}
