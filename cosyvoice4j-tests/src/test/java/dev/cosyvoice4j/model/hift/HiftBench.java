package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.KernelProfile;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.synthetic.SyntheticLayout;
import dev.cosyvoice4j.synthetic.SyntheticPresets;
import dev.cosyvoice4j.synthetic.TensorSpec;
import dev.cosyvoice4j.synthetic.WeightGenerator;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Times the vocoder at FULL size (base 512 channels, random in-memory weights, weight norm folded) on 140 mel
 * frames = 2.8 s of 24 kHz audio, the official CPU figure being 0.44 s (shared/docs/peer-bench-cpu.json, 2 threads).
 * Not a unit test. Arguments: {@code [backend] [frames] [repeats] [all|f0] [threads]}; the backend defaults to
 * {@code scalar}, threads to all CPUs. Prints wall time and the calling thread's CPU time (the latter is what counts on
 * a shared machine when the backend is single-threaded).
 *
 * <pre>java ... dev.cosyvoice4j.model.hift.HiftBench cpu 140 3 all 2</pre>
 */
public final class HiftBench {
    public static void main(String[] args) throws Exception {
        String backendName = args.length > 0 ? args[0] : "scalar";
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 140;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        boolean f0Only = args.length > 3 && args[3].equals("f0");
        BackendOptions options = BackendOptions.defaults();
        if (args.length > 4) options = options.withThreads(Integer.parseInt(args[4]));
        try (Backend backend = Backends.open(backendName, options)) {
            run(backend, frames, repeats, f0Only);
        }
    }

    private static void run(Backend backend, int frames, int repeats, boolean f0Only) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        KernelProfile prof = new KernelProfile(backend);
        Backend k = prof.proxy();

        ModelConfig c = SyntheticPresets.funCosyVoice3();
        WeightGenerator gen = new WeightGenerator(20251124);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long params = 0;
        for (TensorSpec s : SyntheticLayout.hift(c)) {
            tensors.put(s.name(), Tensor.of(gen.values(s), s.shape()));
            params += s.numel();
        }
        long t0 = System.nanoTime();
        CausalHiftGenerator hift = CausalHiftGenerator.load(new WeightStore(Path.of("<random hift.pt>"), tensors, null), c.hift(), k);
        System.out.printf("loaded %,d params (weight norm folded) in %.2f s; backend %s%n",
                params, (System.nanoTime() - t0) / 1e9, backend.description());
        HiftSession session = hift.newSession();

        Random r = new Random(1);
        float[] mel = new float[80 * frames];
        for (int i = 0; i < mel.length; i++) mel[i] = (float) (r.nextGaussian() * 2 - 6);
        double audioS = frames * 480 / 24000.0;
        for (int rep = 0; rep < repeats; rep++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long proc0 = os.getProcessCpuTime();
            prof.reset();
            long a = System.nanoTime();
            float[] f0 = hift.f0(session, mel, frames, true);
            long b = System.nanoTime();
            if (f0Only) {
                System.out.printf("run %d: f0 predictor (float64) %d frames: wall %.3f s, thread cpu %.3f s%n", rep, frames,
                        (b - a) / 1e9, (mx.getCurrentThreadCpuTime() - cpu0) / 1e9);
                continue;
            }
            Buf source = k.alloc(1, hift.mSource().samples(frames));
            hift.mSource().forward(k, k.upload(f0, 1, frames), SourceModuleHnNsf.defaultNoise(), source, null);
            float[] src = k.read(source);
            long d = System.nanoTime();
            float[] speech = hift.decode(session, mel, frames, src, true);
            long e = System.nanoTime();
            System.out.printf("run %d: %d frames -> %d samples (%.2f s audio): wall %.3f s = f0 %.3f + source %.3f + decode %.3f;"
                            + " RTF %.3f; calling thread cpu %.3f s, process cpu %.3f s%n",
                    rep, frames, speech.length, audioS, (e - a) / 1e9, (b - a) / 1e9, (d - b) / 1e9, (e - d) / 1e9,
                    (e - a) / 1e9 / audioS, (mx.getCurrentThreadCpuTime() - cpu0) / 1e9, (os.getProcessCpuTime() - proc0) / 1e9);
            System.out.printf("       decode kernels:%n%s", prof.report((e - d) / 1e9));
        }
    }
}
