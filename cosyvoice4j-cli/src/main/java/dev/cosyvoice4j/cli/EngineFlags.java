package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.engine.EngineOptions;
import dev.cosyvoice4j.engine.FirstChunk;
import dev.cosyvoice4j.engine.PrecisionMode;
import dev.cosyvoice4j.engine.StreamingOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How to load the engine, shared by the commands that synthesise ({@code synth}, {@code serve}). */
final class EngineFlags {
    @Option(names = "--speaker-dir", description = "Where saved voices live (default: ~/.cache/cosyvoice4j/speakers).")
    Path speakerDir;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Mixin
    OneDnnOption oneDnn = new OneDnnOption();

    @Option(names = "--backend", defaultValue = Backends.DEFAULT,
            description = "Where to compute: a backend of './cosyvoice4j backends' (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--llm-precision", defaultValue = "f32", description = "LLM weights: f32, q8_0 or q4_0 (default ${DEFAULT-VALUE}).")
    String llmPrecision;

    @Option(names = "--flow-precision", defaultValue = "f32", description = "Flow matmuls: f32 or bf16 (oneDNN) (default ${DEFAULT-VALUE}).")
    String flowPrecision;

    @Option(names = "--prefill-precision", defaultValue = "auto", description = "LLM products over 16 or more rows (a "
            + "prompt's prefill): f32, bf16 (oneDNN), or auto = bf16 when --flow-precision is bf16 and the LLM is q8_0/q4_0 "
            + "(default ${DEFAULT-VALUE}). Decode steps keep the LLM weights' own kernels.")
    String prefillPrecision;

    @Option(names = "--prefill-weights", defaultValue = "copy", description = "bf16 prefill of a q8_0/q4_0 LLM: copy = "
            + "a packed bf16 copy of its matrices beside the blocks (716 MB more for the 0.5B LLM; prefill products "
            + "1.4-1.9x faster), blocks = bf16 written from the blocks at every product, no copy (default ${DEFAULT-VALUE}).")
    String prefillWeights;

    @Option(names = "--cache-dir", description = "Where q8_0/q4_0 LLM weights are kept between runs, so that only the "
            + "first load quantises (default: quantized/ beside the model cache, ~/.cache/cosyvoice4j or $COSYVOICE4J_HOME; "
            + "'none' = quantise at every load).")
    String cacheDir;

    @Option(names = "--stream-cache", defaultValue = "on", description = "Streaming reuse between chunks: on (DiT caches; "
            + "output unchanged), causal (also a chunk-causal last chunk reusing them: a documented deviation, see "
            + "docs/performance.md) or off (every chunk recomputed, as the official code) (default ${DEFAULT-VALUE}).")
    String streamCache;

    @Option(names = "--first-chunk", defaultValue = "auto", description = "First streamed chunk: official (25 + pad "
            + "tokens, as the official code), split (the tokens that complete the prompt's last 25-token chunk first, "
            + "when there are at least 8, sent once the official first chunk's tokens exist, then the rest: the same "
            + "samples, first audio with half the flow work; needs --stream-cache on or causal; an utterance shorter than "
            + "the official first chunk wastes the piece) or auto (split when the text predicts at least the official "
            + "first chunk's tokens, 3 per text token; official without the caches) (default ${DEFAULT-VALUE}).")
    String firstChunk;

    @Option(names = "--voice-cache-mb", defaultValue = "2048", description = "Memory for saved voices' prompt-region "
            + "flow state, kept between requests (0 = none; default ${DEFAULT-VALUE}).")
    long voiceCacheMb;

    @Option(names = "--request-cache-mb", defaultValue = "3072", description = "Most memory one request's streaming flow "
            + "caches may take (3.6 MB per frame at full size, 50 frames per second of prompt and speech); a longer "
            + "utterance is recomputed chunk by chunk as the official code does (default ${DEFAULT-VALUE}).")
    long requestCacheMb;

    /** The engine options these flags ask for, each checked with a message naming its flag. */
    EngineOptions options() {
        Precision llmP = precision("--llm-precision", llmPrecision), flowP = precision("--flow-precision", flowPrecision);
        if (llmP == Precision.BF16) throw new UserException("--llm-precision: f32, q8_0 or q4_0");
        if (flowP != Precision.F32 && flowP != Precision.BF16) throw new UserException("--flow-precision: f32 or bf16");
        EngineOptions options = EngineOptions.defaults().withBackend(backend)
                .withBackendOptions(oneDnn.apply(EngineOptions.defaults().backendOptions())
                        .withQuantizedBf16Copies(prefillCopies(prefillWeights)))
                .withSpeakerDir(speakerDir != null ? speakerDir : ModelLocator.cacheRoot().resolveSibling("speakers"))
                .withLlmPrecision(llmP).withFlowPrecision(flowP).withLlmPrefillPrecision(prefillPrecision(llmP, flowP))
                .withQuantCacheDir(cacheDir == null ? ModelLocator.cacheRoot().resolveSibling("quantized")
                        : cacheDir.equals("none") ? null : Path.of(cacheDir));
        options = options.withStreaming(streaming(streamCache, voiceCacheMb, requestCacheMb)
                .withFirstChunk(firstChunk(firstChunk, streamCache)));
        if (threads != null) {
            if (threads < 1) throw new UserException("--threads must be >= 1");
            options = options.withThreads(threads);
        }
        return options;
    }

    /** {@code --prefill-weights copy|blocks}. */
    static boolean prefillCopies(String mode) {
        return switch (mode.strip()) {
            case "copy" -> true;
            case "blocks" -> false;
            default -> throw new UserException("--prefill-weights: copy or blocks, not '" + mode + "'");
        };
    }

    /** {@code --prefill-precision}: {@code auto} follows the mode ({@link PrecisionMode#llmPrefill}). */
    private Precision prefillPrecision(Precision llmP, Precision flowP) {
        if (prefillPrecision.strip().equalsIgnoreCase("auto")) {
            return PrecisionMode.llmPrefill(llmP, flowP);
        }
        Precision p = precision("--prefill-precision", prefillPrecision);
        if (p != Precision.F32 && p != Precision.BF16) throw new UserException("--prefill-precision: auto, f32 or bf16");
        return p;
    }

    /** {@code --first-chunk auto|official|split} (split needs the caches of {@code --stream-cache}). */
    static FirstChunk firstChunk(String mode, String streamCache) {
        FirstChunk f;
        try {
            f = FirstChunk.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new UserException("--first-chunk: auto, official or split, not '" + mode + "'");
        }
        if (f == FirstChunk.SPLIT && streamCache.strip().equals("off")) {
            throw new UserException("--first-chunk split: needs --stream-cache on or causal (the DiT caches)");
        }
        return f;
    }

    /** {@code --stream-cache} and {@code --voice-cache-mb} as engine options. */
    static StreamingOptions streaming(String mode, long voiceCacheMb, long requestCacheMb) {
        if (voiceCacheMb < 0 || voiceCacheMb > Long.MAX_VALUE >> 20) throw new UserException("--voice-cache-mb: must be >= 0");
        if (requestCacheMb < 0 || requestCacheMb > Long.MAX_VALUE >> 20) throw new UserException("--request-cache-mb: must be >= 0");
        StreamingOptions o = switch (mode) {
            case "on" -> StreamingOptions.defaults();
            case "causal" -> StreamingOptions.defaults().withCausalFinalChunk(true);
            case "off" -> StreamingOptions.recompute();
            default -> throw new UserException("--stream-cache: on, causal or off, not '" + mode + "'");
        };
        return o.withVoiceCacheBytes(voiceCacheMb << 20).withRequestCacheBytes(requestCacheMb << 20);
    }

    private static Precision precision(String flag, String v) {
        try {
            return Precision.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UserException(flag + ": " + e.getMessage());
        }
    }
}
