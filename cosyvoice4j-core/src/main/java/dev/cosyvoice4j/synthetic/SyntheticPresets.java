package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.config.HiftConfig;
import dev.cosyvoice4j.config.LlmConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.ModelFamily;
import dev.cosyvoice4j.config.Qwen2Config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named model sizes for {@code make-synthetic}. {@code fun-cosyvoice3-0.5b} is the official
 * {@code examples/libritts/cosyvoice3/conf/cosyvoice3.yaml} with the Qwen2-0.5B {@code config.json};
 * {@code tiny} is the golden fixture model's sizes (shared/fixtures/README.md §1), used by the tests to prove
 * that the key list derived from a config reproduces the fixture files exactly.
 */
public final class SyntheticPresets {
    public static final String FUN_COSYVOICE3_0_5B = "fun-cosyvoice3-0.5b";
    public static final String TINY = "tiny";
    /** CosyVoice2-0.5B (examples/libritts/cosyvoice2/conf/cosyvoice2.yaml) and its golden fixture model's sizes. */
    public static final String COSYVOICE2_0_5B = "cosyvoice2-0.5b", COSYVOICE2_TINY = "cosyvoice2-tiny";

    /** Parameter counts of the real checkpoints (peer-bench-cpu.json, fixtures README). */
    public static final long REAL_LLM_PARAMS = 506_148_480L;
    public static final long REAL_FLOW_PARAMS = 332_257_088L;
    public static final long REAL_HIFT_PARAMS = 20_779_887L;

    private SyntheticPresets() {}

    /** The preset names, for help texts and error messages. */
    public static List<String> names() { return List.of(FUN_COSYVOICE3_0_5B, TINY, COSYVOICE2_0_5B, COSYVOICE2_TINY); }

    /** The preset {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public static ModelConfig byName(String name) {
        Map<String, ModelConfig> all = new TreeMap<>();
        all.put(FUN_COSYVOICE3_0_5B, funCosyVoice3());
        all.put(TINY, tiny());
        all.put(COSYVOICE2_0_5B, cosyVoice2());
        all.put(COSYVOICE2_TINY, cosyVoice2Tiny());
        ModelConfig c = all.get(name);
        if (c == null) throw new IllegalArgumentException("--config: unknown model config '" + name + "' (known: " + String.join(", ", names()) + ")");
        return c;
    }

    /** Fun-CosyVoice3-0.5B: Qwen2 896/24/14/2/64/4864, DiT 1024/22/16/64/2, PreLookahead 1024, HiFT 512. */
    public static ModelConfig funCosyVoice3() {
        return of(new Qwen2Config(896, 24, 14, 2, 64, 4864, 151936, 1e-6, 1e6, true), 1024, 1024, 22, 16, 64, 2, 512, 512);
    }

    /** The golden fixture model: Qwen2 56/2/4/2/14/128, DiT 64/2/4/16/2, PreLookahead 64, HiFT 32. */
    public static ModelConfig tiny() {
        return of(new Qwen2Config(56, 2, 4, 2, 14, 128, 151936, 1e-6, 1e6, true), 64, 64, 2, 4, 16, 2, 32, 32);
    }

    /** CosyVoice2-0.5B: Qwen2 896/24/14/2/64/4864 (Qwen2LM), HiFT 512; its flow: {@link #cosyVoice2Flow}. */
    public static ModelConfig cosyVoice2() {
        return cosyVoice2Of(new Qwen2Config(896, 24, 14, 2, 64, 4864, 151936, 1e-6, 1e6, true), 512, 512);
    }

    /** The CosyVoice2 golden fixture model (fixtures README CV2.1): Qwen2 32/2/4/2/8/96, HiFT 32. */
    public static ModelConfig cosyVoice2Tiny() {
        return cosyVoice2Of(new Qwen2Config(32, 2, 4, 2, 8, 96, 151936, 1e-6, 1e6, true), 32, 32);
    }

    /** The CosyVoice2 flow of preset {@code name} (null for a CosyVoice3 preset). */
    public static Cv2FlowConfig cosyVoice2Flow(String name) {
        return switch (name) {
            case COSYVOICE2_0_5B -> Cv2SyntheticLayout.cosyVoice2Flow();
            case COSYVOICE2_TINY -> new Cv2FlowConfig(512, 80, 192, 6561, 2, 3, 512, 512, 4, 64, 1, 25, 240, 80, 1e-6,
                    "cosine", 0.7, 320, 80, List.of(64), 16, 1, 2, 4, "gelu", 50, -1);
            default -> null;
        };
    }

    private static ModelConfig cosyVoice2Of(Qwen2Config qwen2, int hiftBaseChannels, int f0CondChannels) {
        ModelConfig c = of(qwen2, 64, 64, 2, 4, 16, 2, hiftBaseChannels, f0CondChannels);
        HiftConfig h = c.hift();
        HiftConfig hift = new HiftConfig(h.inChannels(), h.baseChannels(), h.nbHarmonics(), h.samplingRate(), h.nsfAlpha(),
                h.nsfSigma(), h.nsfVoicedThreshold(), h.upsampleRates(), h.upsampleKernelSizes(), h.istftNFft(),
                h.istftHopLen(), h.resblockKernelSizes(), h.resblockDilationSizes(), h.sourceResblockKernelSizes(),
                h.sourceResblockDilationSizes(), h.lreluSlope(), h.audioLimit(), 0, h.f0NumClass(), h.f0InChannels(),
                h.f0CondChannels());
        return new ModelConfig(c.sampleRate(), c.tokenFrameRate(), c.tokenMelRatio(), c.chunkSize(), c.llm(), null, hift,
                qwen2, ModelFamily.COSYVOICE2);
    }

    /** The official yaml with the sizes that differ between presets replaced. */
    static ModelConfig of(Qwen2Config qwen2, int preLookaheadChannels, int ditDim, int ditDepth, int ditHeads,
                          int ditDimHead, int ditFfMult, int hiftBaseChannels, int f0CondChannels) {
        int chunkSize = 25, tokenMelRatio = 2;
        LlmConfig llm = new LlmConfig(qwen2.hiddenSize(), qwen2.hiddenSize(), 6561, 0.8, 25, 10, 0.1);
        FlowConfig flow = new FlowConfig(80, 80, 192, 6561, tokenMelRatio, 3, preLookaheadChannels, 240, 80,
                1e-6, "cosine", 0.7, ditDim, ditDepth, ditHeads, ditDimHead, ditFfMult, 80, 80, 80, 80,
                chunkSize * tokenMelRatio, -1);
        List<List<Integer>> dil = List.of(List.of(1, 3, 5), List.of(1, 3, 5), List.of(1, 3, 5));
        HiftConfig hift = new HiftConfig(80, hiftBaseChannels, 8, 24000, 0.1, 0.003, 10,
                List.of(8, 5, 3), List.of(16, 11, 7), 16, 4, List.of(3, 7, 11), dil, List.of(7, 7, 11), dil,
                0.1, 0.99, 4, 1, 80, f0CondChannels);
        return new ModelConfig(24000, 25, tokenMelRatio, chunkSize, llm, flow, hift, qwen2);
    }
}
