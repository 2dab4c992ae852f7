package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;

/**
 * Decode timing of the LLM loaded from a model directory (memory-mapped weights, as the engine loads them), next to
 * {@link LmBenchmark}'s heap weights. Not a unit test; run with
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:target/lib/* \
 *      dev.cosyvoice4j.model.lm.LmMappedBench MODEL_DIR [heap|mapped|q8_0] [prefill=127] [tokens=70] [backend=cpu]
 * </pre>
 */
public final class LmMappedBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean heap = args.length > 1 && args[1].equals("heap");
        int prefill = args.length > 2 ? Integer.parseInt(args[2]) : 127;
        int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 70;
        Backend backend = LmBenchmark.backend(args.length > 4 ? args[4] : null, 0);
        // -Dprofile=true: per-operation times of the timed runs (the proxy's own cost is small against prefill products)
        var profile = Boolean.getBoolean("profile") ? new dev.cosyvoice4j.backend.KernelProfile(backend) : null;
        Backend b = profile != null ? profile.proxy() : backend;
        ModelConfig config = ModelConfig.load(dir);
        WeightStore store = WeightStore.openPt(dir.resolve("llm.pt"));
        if (heap) store = store.transformed((name, t) -> t.dtype() == DType.F32 ? Tensor.of(t.toFloatArray(), t.shape()) : t);
        if (args.length > 1 && args[1].equals("q8_0")) {
            // the engine's --llm-precision q8_0 transform: every Linear of the Qwen2 layers and the speech decoder
            store = store.transformed((name, t) -> CosyVoice3LM.LINEAR_WEIGHTS.matcher(name).matches() && t.rank() == 2
                    ? backend.prepare(t, WeightKind.LINEAR, Precision.Q8_0, null) : t);
        }
        CosyVoice3LM lm = CosyVoice3LM.load(store, config.llm(), config.qwen2(), b);
        LmBenchmark.run(lm, 16, 4, LmStepListener.NONE);
        if (Boolean.getBoolean("pollute")) {
            // what the engine's flow does between requests: few-row (CFG batch 2) linears through the same kernels
            Tensor w = Boolean.getBoolean("polluteNative")
                    ? new Tensor(DType.F32, new long[] {1024, 1024}, java.lang.foreign.Arena.ofAuto().allocate(1024L * 1024 * 4, 64))
                    : Tensor.of(new float[1024 * 1024], 1024, 1024);
            Buf x = b.alloc(4, 1024), out = b.alloc(4, 1024);
            for (int i = 0; i < 20000; i++) b.linear(out.rows(0, 2 + i % 3), x.rows(0, 2 + i % 3), w, null);
        }
        for (int rep = 0; rep < 2; rep++) {
            if (profile != null) profile.reset();
            GenerationResult r = LmBenchmark.run(lm, prefill, tokens, LmStepListener.NONE);
            if (profile != null) System.out.print(profile.report((r.prefillNanos() + r.decodeNanos()) / 1e9));
            System.out.printf("%s: prefill %d positions %.2f s; decode %d steps %.2f tokens/s (%.1f ms/token)%n",
                    args.length > 1 ? args[1] : "mapped", r.inputPositions(), r.prefillNanos() / 1e9, r.decodeSteps(),
                    r.decodeTokensPerSecond(), r.decodeNanos() / 1e6 / r.decodeSteps());
        }
        lm.close();
        backend.close();
    }
}
