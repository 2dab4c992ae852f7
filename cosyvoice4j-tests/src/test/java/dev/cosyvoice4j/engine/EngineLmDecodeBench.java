package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.GenerationOptions;
import dev.cosyvoice4j.model.lm.GenerationResult;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.model.lm.RasSampler;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * LLM decode speed of a loaded {@link Engine}'s LLM alone (no flow or vocoder), to separate the engine's setup from
 * the kernels. Not a unit test; run with
 * {@code java --add-modules jdk.incubator.vector -cp ... dev.cosyvoice4j.engine.EngineLmDecodeBench MODEL_DIR}.
 */
public final class EngineLmDecodeBench {
    public static void main(String[] args) {
        try (Engine engine = Engine.load(Path.of(args[0]))) {
            CosyVoice3LM lm = engine.llm();
            for (int rep = 0; rep < 3; rep++) {
                SplittableRandom r = new SplittableRandom(1);
                LmInput in = lm.lmInput(LmPrompt.zeroShot(new int[] {CosyVoice3LM.ENDOFPROMPT_TOKEN_ID},
                        r.ints(40, 0, 151643).toArray(), r.ints(84, 0, 6561).toArray()));
                GenerationResult g = lm.generate(in, new RasSampler(0.8, 25, 10, 0.1, 7), GenerationOptions.pinned(70), t -> { });
                System.out.printf("engine llm: prefill %d positions %.2f s; decode %d steps %.2f tokens/s (%.1f ms/token)%n",
                        g.inputPositions(), g.prefillNanos() / 1e9, g.decodeSteps(), g.decodeTokensPerSecond(),
                        g.decodeNanos() / 1e6 / g.decodeSteps());
            }
        }
    }
}
