package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.KernelProfile;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.backend.cpu.CpuOptions;
import dev.cosyvoice4j.backend.cpu.ScalarKernels;
import dev.cosyvoice4j.backend.cpu.VectorKernels;
import dev.cosyvoice4j.backend.onednn.OneDnn;
import dev.cosyvoice4j.backend.onednn.OneDnnKernels;
import dev.cosyvoice4j.backend.onednn.OneDnnMatmul;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.synthetic.SyntheticPresets;

import java.util.Random;

/**
 * Not a unit test (kernels default: {@link VectorKernels} with {@code --threads}, default all CPUs): times the flow at FULL size (Fun-CosyVoice3-0.5B: DiT 1024 x 22, 16 heads of 64, ff x2,
 * PreLookahead 1024) with in-memory random weights. One DiT call (CFG batch 2) and the full 10-step solve on
 * {@code --frames} frames (default 314, the peer benchmark's flow call), with the matmul GFLOP/s reached.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx6g -cp target-x/test-classes:target-x/classes:$(cat cp.txt) \
 *     dev.cosyvoice4j.model.flow.FlowDitBench [--frames 314] [--dit-calls 1] [--steps 10] [--streaming]
 *     [--kernels vector|scalar|fully.qualified.KernelsClass] [--threads N] [--onednn f32|bf16]
 * </pre>
 */
public final class FlowDitBench {
    public static void main(String[] args) throws Exception {
        int frames = 314, ditCalls = 1, steps = 10, threads = Runtime.getRuntime().availableProcessors();
        boolean streaming = false, profile = false;
        String kernelsClass = null, onednn = null, modelDir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--frames" -> frames = Integer.parseInt(args[++i]);
                case "--dit-calls" -> ditCalls = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--streaming" -> streaming = true;
                case "--kernels" -> kernelsClass = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--onednn" -> onednn = args[++i];
                case "--profile" -> profile = true;
                case "--model" -> modelDir = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Kernels k = kernels(kernelsClass, threads);
        if (onednn != null) {
            // the linears (>= 16 rows) through oneDNN with --threads threads; the rest stays on the kernels above
            var lib = OneDnn.find().orElseThrow(() -> new IllegalStateException(OneDnn.ABSENT));
            var precision = OneDnnKernels.parseMode(onednn).orElseThrow();
            k = new OneDnnKernels(k, new OneDnnMatmul(lib, precision, threads), OneDnnKernels.DEFAULT_MIN_ROWS);
            System.out.println("linear >= 16 rows: oneDNN " + precision + ", " + threads + " threads");
        }
        KernelProfile prof = null;
        if (profile) {
            prof = new KernelProfile(k);
            k = prof.proxy();
        }
        FlowConfig cfg = SyntheticPresets.funCosyVoice3().flow();
        long t0 = System.nanoTime();
        FlowModel model = modelDir == null ? RandomFlowModels.model(cfg, 1)
                : FlowModel.load(dev.cosyvoice4j.io.WeightStore.openPt(java.nio.file.Path.of(modelDir, "flow.pt")), cfg);
        System.out.printf("kernels %s (%d threads), %d CPUs; random full-size flow built in %.1f s%n",
                k.getClass().getName(), k.threads(), Runtime.getRuntime().availableProcessors(), (System.nanoTime() - t0) / 1e9);

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

        FlowEncoding enc = null;
        for (int rep = 1; rep <= 2; rep++) { // the first call includes JIT warm-up
            long e0 = System.nanoTime();
            enc = model.encode(gen, prompt, promptMel, promptTokens * cfg.tokenMelRatio(), emb, true, k);
            System.out.printf("encode %d (%d tokens): %.1f ms%n", rep, tokens, (System.nanoTime() - e0) / 1e6);
        }
        int t = enc.frames();

        DiT dit = model.estimator();
        double gflop = ditCallFlops(cfg, 2, t, streaming) / 1e9;
        System.out.printf("one DiT call = %.1f GFLOP (matmuls + conv + attention; CFG batch 2 x %d frames, %s attention)%n",
                gflop, t, streaming ? "chunk" : "full");
        float[] x = CausalConditionalCfm.initialNoise(dit.melDim(), t);
        float[] xIn = new float[2 * x.length], muIn = new float[2 * enc.mu().length], condIn = new float[2 * x.length];
        System.arraycopy(x, 0, xIn, 0, x.length);
        System.arraycopy(x, 0, xIn, x.length, x.length);
        System.arraycopy(enc.mu(), 0, muIn, 0, enc.mu().length);
        System.arraycopy(enc.cond(), 0, condIn, 0, enc.cond().length);
        float[] spksIn = new float[2 * dit.spkDim()], out = new float[2 * x.length];
        System.arraycopy(enc.spks(), 0, spksIn, 0, enc.spks().length);
        DitWorkspace ws = dit.newWorkspace(2, t);
        for (int c = 0; c < ditCalls; c++) {
            long c0 = System.nanoTime(), cpu0 = processCpuNanos();
            dit.forward(k, ws, xIn, muIn, condIn, spksIn, new float[] {0.1f, 0.1f}, t, streaming, out);
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
            model.decoder().solve(k, enc.mu(), enc.cond(), enc.spks(), t, steps, streaming, timings, null);
            double s = (System.nanoTime() - s0) / 1e9, cpu = (processCpuNanos() - cpu0) / 1e9;
            System.out.printf("%d-step solve: %.2f s wall, %.2f GFLOP/s (process CPU %.2f s; official stack, torch 1.13,"
                    + " 2 threads: 36.6 s for 10 steps)%n", steps, s, steps * gflop / s, cpu);
            long[] calls = timings.ditCallNanos();
            StringBuilder sb = new StringBuilder("  DiT calls (s):");
            for (long n : calls) sb.append(String.format(" %.2f", n / 1e9));
            System.out.println(sb);
        }
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

    private static Kernels kernels(String className, int threads) throws Exception {
        if (className == null || className.equals("vector")) return new VectorKernels(new CpuOptions(threads));
        if (className.equals("scalar")) return new ScalarKernels();
        Class<?> cls = Class.forName(className);
        try {
            return (Kernels) cls.getConstructor(int.class).newInstance(threads);
        } catch (NoSuchMethodException e) {
            return (Kernels) cls.getConstructor().newInstance();
        }
    }
}
