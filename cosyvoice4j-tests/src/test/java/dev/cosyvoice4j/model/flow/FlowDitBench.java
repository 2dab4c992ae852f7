package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.KernelProfile;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.synthetic.SyntheticPresets;

import java.nio.file.Path;
import java.util.Random;

/**
 * Not a unit test (backend default: {@code cpu} with {@code --threads}, default all CPUs): times the flow at FULL size
 * (Fun-CosyVoice3-0.5B: DiT 1024 x 22, 16 heads of 64, ff x2, PreLookahead 1024) with in-memory random weights (or
 * {@code --model DIR}'s flow.pt). One DiT call (CFG batch 2) and the full 10-step solve on {@code --frames} frames
 * (default 314, the peer benchmark's flow call), with the matmul GFLOP/s reached. {@code --precision bf16} prepares
 * the DiT's linear weights for the backend's bf16 products (cpu: oneDNN) and runs its attention in bf16, as the
 * engine's {@code --flow-precision bf16}.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx6g -cp target-x/test-classes:target-x/classes:$(cat cp.txt) \
 *     dev.cosyvoice4j.model.flow.FlowDitBench [--frames 314] [--dit-calls 1] [--steps 10] [--streaming]
 *     [--backend cpu|scalar] [--threads N] [--precision fp32|bf16] [--profile] [--model DIR]
 * </pre>
 */
public final class FlowDitBench {
    public static void main(String[] args) throws Exception {
        int frames = 314, ditCalls = 1, steps = 10, threads = Runtime.getRuntime().availableProcessors();
        boolean streaming = false, profile = false;
        String backendName = Backends.DEFAULT, modelDir = null;
        Precision precision = Precision.F32;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--frames" -> frames = Integer.parseInt(args[++i]);
                case "--dit-calls" -> ditCalls = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--streaming" -> streaming = true;
                case "--backend" -> backendName = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--precision", "--onednn" -> precision = Precision.parse(args[++i]);
                case "--profile" -> profile = true;
                case "--model" -> modelDir = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (precision != Precision.F32 && precision != Precision.BF16) {
            throw new IllegalArgumentException("the flow runs in fp32 or bf16, not " + precision);
        }
        try (Backend opened = Backends.open(backendName, BackendOptions.defaults().withThreads(threads))) {
            if (!opened.supports(precision)) {
                throw new IllegalArgumentException("backend " + opened.description() + " has no " + precision + " products here");
            }
            KernelProfile prof = profile ? new KernelProfile(opened) : null;
            Backend k = prof != null ? prof.proxy() : opened;
            run(k, opened.description(), prof, precision, frames, ditCalls, steps, streaming, modelDir);
        }
    }

    private static void run(Backend k, String description, KernelProfile prof, Precision precision, int frames,
                            int ditCalls, int steps, boolean streaming, String modelDir) throws Exception {
        FlowConfig cfg = SyntheticPresets.funCosyVoice3().flow();
        long t0 = System.nanoTime();
        WeightStore store = modelDir == null ? RandomFlowModels.weights(cfg, 1) : WeightStore.openPt(Path.of(modelDir, "flow.pt"));
        // as the engine loads the flow: the linear weights prepared in the flow's precision (bf16: packed on first use)
        WeightStore prepared = store.transformed((name, t) -> FlowModel.isLinearWeight(name, t)
                ? k.prepare(t, WeightKind.LINEAR, precision, null) : t);
        FlowModel model = FlowModel.load(prepared, cfg, k, precision);
        System.out.printf("backend %s, flow %s; %d CPUs; %s flow built in %.1f s%n", description, precision,
                Runtime.getRuntime().availableProcessors(), modelDir == null ? "random full-size" : modelDir,
                (System.nanoTime() - t0) / 1e9);

        // inputs as flow.inference builds them: prompt half of the frames, as in the peer benchmark's call
        int tokens = frames / cfg.tokenMelRatio(), promptTokens = tokens / 2;
        Random r = new Random(2);
        int[] prompt = new int[promptTokens], gen = new int[tokens - promptTokens];
        for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(cfg.vocabSize());
        for (int i = 0; i < gen.length; i++) gen[i] = r.nextInt(cfg.vocabSize());
        float[] promptMel = new float[promptTokens * cfg.tokenMelRatio() * cfg.outputSize()];
        for (int i = 0; i < promptMel.length; i++) promptMel[i] = (float) r.nextGaussian() - 5f;
        float[] emb = new float[cfg.spkEmbedDim()];
        for (int i = 0; i < emb.length; i++) emb[i] = (float) r.nextGaussian();

        FlowSession session = model.newSession();
        FlowEncoding enc = null;
        for (int rep = 1; rep <= 2; rep++) { // the first call includes JIT warm-up
            long e0 = System.nanoTime();
            enc = model.encode(session, gen, prompt, promptMel, promptTokens * cfg.tokenMelRatio(), emb, true);
            System.out.printf("encode %d (%d tokens): %.1f ms%n", rep, tokens, (System.nanoTime() - e0) / 1e6);
        }
        int t = enc.frames();

        DiT dit = model.estimator();
        double gflop = ditCallFlops(cfg, 2, t, streaming) / 1e9;
        System.out.printf("one DiT call = %.1f GFLOP (matmuls + conv + attention; CFG batch 2 x %d frames, %s attention)%n",
                gflop, t, streaming ? "chunk" : "full");
        // the CFG batch as the solver builds it: row 0 conditioned, row 1 with mu / cond / spks zero
        int mel = dit.melDim();
        float[] x = CausalConditionalCfm.initialNoise(mel, t);
        Buf xIn = k.alloc(2 * t, mel), muIn = k.alloc(2 * t, dit.muDim()), condIn = k.alloc(2 * t, mel);
        Buf spksIn = k.alloc(2, dit.spkDim()), out = k.alloc(2 * t, mel);
        k.write(xIn.rows(0, t), x, 0);
        k.write(xIn.rows(t, 2 * t), x, 0);
        k.copy(muIn.rows(0, t), enc.mu());
        k.copy(condIn.rows(0, t), enc.cond());
        k.copy(spksIn.row(0), enc.spks());
        DitWorkspace ws = dit.newWorkspace(2, t);
        for (int c = 0; c < ditCalls; c++) {
            long c0 = System.nanoTime(), cpu0 = processCpuNanos();
            dit.forward(ws, xIn, muIn, condIn, spksIn, new float[] {0.1f, 0.1f}, t, streaming, out);
            double s = (System.nanoTime() - c0) / 1e9, cpu = (processCpuNanos() - cpu0) / 1e9;
            System.out.printf("DiT call %d: %.2f s wall, %.2f GFLOP/s (process CPU %.2f s)%n", c + 1, s, gflop / s, cpu);
            if (prof != null) {
                System.out.print(prof.report(s));
                prof.reset();
            }
        }
        if (steps > 0) {
            FlowTimings timings = new FlowTimings();
            long s0 = System.nanoTime(), cpu0 = processCpuNanos();
            model.decoder().solve(session, enc.mu(), enc.cond(), enc.spks(), steps, streaming, timings, null);
            double s = (System.nanoTime() - s0) / 1e9, cpu = (processCpuNanos() - cpu0) / 1e9;
            System.out.printf("%d-step solve: %.2f s wall, %.2f GFLOP/s (process CPU %.2f s; official stack, torch 1.13,"
                    + " 2 threads: 36.6 s for 10 steps)%n", steps, s, steps * gflop / s, cpu);
            long[] calls = timings.ditCallNanos();
            StringBuilder sb = new StringBuilder("  DiT calls (s):");
            for (long n : calls) sb.append(String.format(" %.2f", n / 1e9));
            System.out.println(sb);
        }
        store.close();
    }

    /**
     * FLOPs of one DiT call: every linear over B*T rows, the two grouped convs, QK^T and PV of the attention (per
     * visible key), plus the per-row time/adaLN linears.
     */
    static double ditCallFlops(FlowConfig c, int batch, int frames, boolean streaming) {
        double dim = c.ditDim(), inner = (double) c.ditHeads() * c.ditDimHead(), ff = dim * c.ditFfMult();
        double rows = (double) batch * frames;
        double perRow = (2.0 * c.melDim() + c.muDim() + c.spkDim()) * dim
                + c.ditDepth() * (3 * inner * dim + inner * dim + 2 * ff * dim)
                + 2 * dim * (dim / 16) * 31 + dim * c.melDim();
        double visible = 0;
        for (int i = 0; i < frames; i++) {
            visible += streaming ? Math.min(frames, (i / c.staticChunkSize() + 1) * c.staticChunkSize()) : frames;
        }
        double attention = c.ditDepth() * batch * 2.0 * inner * visible;
        double perBatch = c.ditDepth() * 6 * dim * dim + 2 * dim * dim + 256 * dim + dim * dim;
        return 2 * (rows * perRow + attention + batch * perBatch);
    }

    /** CPU time of the whole process (shows how much of the wall time the shared machine gave us). */
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }
}
