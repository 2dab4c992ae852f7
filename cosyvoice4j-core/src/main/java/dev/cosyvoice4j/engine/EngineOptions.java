package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Precision;

import java.nio.file.Path;

/**
 * How an {@link Engine} is built. No system properties or globals: everything that changes behaviour is here.
 *
 * @param backend       the backend provider's name ({@code cpu}, {@code scalar}; {@code ./cosyvoice4j backends} lists them)
 * @param backendOptions threads and native-library settings of the backend
 * @param speakerDir    where saved voices live ({@code --save-speaker} / {@code --speaker}); null = none
 * @param llmPrecision  weight format of the LLM matrices: F32 (parity), Q8_0 or Q4_0
 * @param flowPrecision matmul precision of the flow's DiT: F32 (parity) or BF16 (cpu backend with oneDNN)
 * @param llmPrefillPrecision precision of the LLM's products over many rows (a prompt's prefill, 16 rows or more):
 *                      F32 (default: the weights' own kernels) or BF16 (oneDNN; from quantised blocks each weight is
 *                      rounded to bf16 per call, a float32 one gets a packed bf16 copy); decode steps keep the weights'
 *                      own kernels either way
 * @param quantCacheDir where quantised LLM weights are kept between loads ({@link QuantizedLlmCache}); null = quantise
 *                      at every load and write nothing
 * @param streaming     how streaming reuses work between chunks (DiT caches, saved voices' prompt state)
 */
public record EngineOptions(String backend, BackendOptions backendOptions, Path speakerDir, Precision llmPrecision,
                            Precision flowPrecision, Path quantCacheDir, StreamingOptions streaming,
                            Precision llmPrefillPrecision) {

    /** With the default {@link StreamingOptions} and float32 prefill products. */
    public EngineOptions(String backend, BackendOptions backendOptions, Path speakerDir, Precision llmPrecision,
                         Precision flowPrecision, Path quantCacheDir) {
        this(backend, backendOptions, speakerDir, llmPrecision, flowPrecision, quantCacheDir, StreamingOptions.defaults(),
                Precision.F32);
    }

    public EngineOptions {
        if (backend == null || backend.isBlank()) throw new IllegalArgumentException("no backend named");
        if (backendOptions == null) throw new IllegalArgumentException("no backend options");
        if (streaming == null) throw new IllegalArgumentException("no streaming options");
        if (llmPrecision == Precision.BF16) throw new IllegalArgumentException("the LLM supports fp32, q8_0 and q4_0 weights, not bf16");
        if (flowPrecision != Precision.F32 && flowPrecision != Precision.BF16) {
            throw new IllegalArgumentException("the flow supports fp32 and bf16, not " + flowPrecision);
        }
        if (llmPrefillPrecision != Precision.F32 && llmPrefillPrecision != Precision.BF16) {
            throw new IllegalArgumentException("the LLM prefill computes in fp32 or bf16, not " + llmPrefillPrecision);
        }
    }

    /** The cpu backend on every available processor, float32 throughout. */
    public static EngineOptions defaults() {
        return new EngineOptions(Backends.DEFAULT, BackendOptions.defaults(), null, Precision.F32, Precision.F32, null);
    }

    /** Compute threads of the backend. */
    public int threads() { return backendOptions.threads(); }

    public EngineOptions withBackend(String name) {
        return new EngineOptions(name, backendOptions, speakerDir, llmPrecision, flowPrecision, quantCacheDir, streaming, llmPrefillPrecision);
    }

    public EngineOptions withBackendOptions(BackendOptions o) {
        return new EngineOptions(backend, o, speakerDir, llmPrecision, flowPrecision, quantCacheDir, streaming, llmPrefillPrecision);
    }

    public EngineOptions withThreads(int n) { return withBackendOptions(backendOptions.withThreads(n)); }

    public EngineOptions withSpeakerDir(Path d) {
        return new EngineOptions(backend, backendOptions, d, llmPrecision, flowPrecision, quantCacheDir, streaming, llmPrefillPrecision);
    }

    public EngineOptions withLlmPrecision(Precision p) {
        return new EngineOptions(backend, backendOptions, speakerDir, p, flowPrecision, quantCacheDir, streaming, llmPrefillPrecision);
    }

    public EngineOptions withFlowPrecision(Precision p) {
        return new EngineOptions(backend, backendOptions, speakerDir, llmPrecision, p, quantCacheDir, streaming, llmPrefillPrecision);
    }

    public EngineOptions withQuantCacheDir(Path d) {
        return new EngineOptions(backend, backendOptions, speakerDir, llmPrecision, flowPrecision, d, streaming, llmPrefillPrecision);
    }

    public EngineOptions withLlmPrefillPrecision(Precision p) {
        return new EngineOptions(backend, backendOptions, speakerDir, llmPrecision, flowPrecision, quantCacheDir, streaming, p);
    }

    public EngineOptions withStreaming(StreamingOptions o) {
        return new EngineOptions(backend, backendOptions, speakerDir, llmPrecision, flowPrecision, quantCacheDir, o, llmPrefillPrecision);
    }
}
