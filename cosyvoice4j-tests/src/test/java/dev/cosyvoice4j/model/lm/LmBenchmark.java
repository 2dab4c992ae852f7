package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.Qwen2Config;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Speech-token LLM timing at full Fun-CosyVoice3-0.5B size with in-memory random weights (Qwen2 896/24/14/2/64/4864,
 * embedding 151936 rows, speech_embedding / llm_decoder 6761 rows): prefill of a 127-position lm_input and pinned
 * decode, reporting tokens/s and the weight bandwidth a decode step reaches. Not a unit test; run with
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx8g -cp target/test-classes:target/classes:... \
 *      dev.cosyvoice4j.model.lm.LmBenchmark [prefillPositions=127] [decodeTokens=70] [backend=cpu] [threads=all]
 * </pre>
 * Official stack (fixtures README §8, 2 threads): prefill 127 positions 2.58 s, decode 3.16 tokens/s.
 */
public final class LmBenchmark {
    public static void main(String[] args) throws Exception {
        int prefill = args.length > 0 ? Integer.parseInt(args[0]) : 127;
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 70;
        Backend backend = backend(args.length > 2 ? args[2] : null, args.length > 3 ? Integer.parseInt(args[3]) : 0);
        System.out.printf("backend: %s, available processors %d%n", backend.description(),
                Runtime.getRuntime().availableProcessors());

        Qwen2Config qwen = new Qwen2Config(896, 24, 14, 2, 64, 4864, 151936, 1e-6, 1e6, true);
        long t0 = System.nanoTime();
        CosyVoice3LM lm = RandomLm.create(qwen, 6561, backend, 20251124);
        System.out.printf("random weights: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        // warm-up (JIT): a short prompt and a few steps
        run(lm, 16, 4, LmStepListener.NONE);
        long[] cpuAtPrefill = new long[1];
        long cpu0 = processCpuNanos();
        GenerationResult r = run(lm, prefill, tokens, new LmStepListener() {
            @Override public void onPrefill(int positions, long nanos) { cpuAtPrefill[0] = processCpuNanos(); }
        });
        long cpu1 = processCpuNanos();
        double perToken = r.decodeNanos() / 1e9 / r.decodeSteps();
        double cpuPerToken = (cpu1 - cpuAtPrefill[0]) / 1e9 / r.decodeSteps();
        long bytes = lm.decodeStepWeightBytes();
        System.out.printf("prefill %d positions: %.2f s wall, %.2f s process CPU (official 2.58 s)%n", r.inputPositions(),
                r.prefillNanos() / 1e9, (cpuAtPrefill[0] - cpu0) / 1e9);
        System.out.printf("decode %d steps: %.3f s/token wall = %.2f tokens/s; %.3f CPU-s/token (official 3.16 tokens/s)%n",
                r.decodeSteps(), perToken, r.decodeTokensPerSecond(), cpuPerToken);
        System.out.printf("weights streamed per decode step: %.1f MB -> %.2f GB/s wall (%.2f GB per CPU-second)%n",
                bytes / 1e6, bytes / perToken / 1e9, bytes / cpuPerToken / 1e9);
        backend.close();
    }

    /** A zero-shot-shaped lm_input of {@code positions} rows (sos, text with <|endofprompt|>, task_id, prompt speech). */
    static GenerationResult run(CosyVoice3LM lm, int positions, int tokens, LmStepListener listener) {
        SplittableRandom r = new SplittableRandom(1);
        int text = Math.max(1, (positions - 2) / 3), speech = positions - 2 - text - 1;
        int[] promptText = {CosyVoice3LM.ENDOFPROMPT_TOKEN_ID};
        int[] textIds = r.ints(text, 0, 151643).toArray();
        int[] speechIds = r.ints(Math.max(0, speech), 0, 6561).toArray();
        LmInput in = lm.lmInput(LmPrompt.zeroShot(promptText, textIds, speechIds));
        return lm.generate(in, new RasSampler(0.8, 25, 10, 0.1, 7), GenerationOptions.pinned(tokens).withListener(listener), t -> { });
    }

    /** CPU time of the whole process (all threads; meaningful when the machine is shared). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The backend called {@code name} ({@link Backends#DEFAULT} when null) on {@code threads} threads (0: all CPUs). */
    static Backend backend(String name, int threads) {
        BackendOptions o = BackendOptions.defaults();
        return Backends.open(name == null ? Backends.DEFAULT : name, threads > 0 ? o.withThreads(threads) : o);
    }
}
