package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.WeightStore;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Total vocoder time of one streamed utterance in the official chunks (hop 25, 50, 100, 100... tokens = 50, 100,
 * 200, 200... new mel frames, then the final rest): the reference's recompute-and-slice
 * ({@link CausalHiftGenerator#inference} over all mel so far) against {@link HiftStreamState}, on a model directory's
 * {@code hift.pt} (e.g. the full-size synthetic one of {@code ./cosyvoice4j make-synthetic}). Also prints the largest
 * sample difference. Not a unit test. Arguments: {@code modelDir [seconds] [backend] [threads]}.
 *
 * <pre>java ... dev.cosyvoice4j.model.hift.HiftStreamBench /tmp/cv3-synth 20 cpu 2</pre>
 */
public final class HiftStreamBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        String backendName = args.length > 2 ? args[2] : "cpu";
        BackendOptions options = BackendOptions.defaults();
        if (args.length > 3) options = options.withThreads(Integer.parseInt(args[3]));
        try (Backend backend = Backends.open(backendName, options); WeightStore store = WeightStore.openPt(dir.resolve("hift.pt"))) {
            CausalHiftGenerator hift = CausalHiftGenerator.load(store, ModelConfig.load(dir).hift(), backend);
            int frames = (int) Math.round(seconds * 24000 / hift.samplesPerFrame());
            int[] chunks = officialChunks(frames);
            Random r = new Random(1);
            float[] mel = new float[80 * frames];
            for (int i = 0; i < mel.length; i++) mel[i] = (float) (r.nextGaussian() * 2 - 6);
            System.out.printf("%s, %d mel frames (%.1f s), chunks %s, stream context %d frames%n", backend.description(),
                    frames, seconds, Arrays.toString(chunks), hift.newStream().contextFrames());

            // recompute-and-slice (CosyVoice3Model.token2wav)
            HiftSession session = hift.newSession();
            float[] reference = new float[480 * frames];
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime(), offset = 0;
            int done = 0;
            for (int c = 0; c < chunks.length; c++) {
                done += chunks[c];
                boolean fin = c == chunks.length - 1;
                float[] all = hift.inference(session, HiftStreamStateTest.slice(mel, frames, 0, done), done, fin).speech();
                System.arraycopy(all, (int) offset, reference, (int) offset, all.length - (int) offset);
                offset = all.length;
                session.releaseScratch();
            }
            double recompute = (System.nanoTime() - t0) / 1e9, recomputeCpu = (os.getProcessCpuTime() - cpu0) / 1e9;

            HiftStreamState stream = hift.newStream();
            float[] streamed = new float[480 * frames];
            long t1 = System.nanoTime(), cpu1 = os.getProcessCpuTime();
            int n = 0;
            done = 0;
            for (int c = 0; c < chunks.length; c++) {
                float[] out = stream.next(HiftStreamStateTest.slice(mel, frames, done, chunks[c]), chunks[c], c == chunks.length - 1);
                done += chunks[c];
                System.arraycopy(out, 0, streamed, n, out.length);
                n += out.length;
            }
            double stateful = (System.nanoTime() - t1) / 1e9, statefulCpu = (os.getProcessCpuTime() - cpu1) / 1e9;
            float worst = 0;
            for (int i = 0; i < streamed.length; i++) worst = Math.max(worst, Math.abs(streamed[i] - reference[i]));
            System.out.printf("recompute-and-slice %.2f s wall / %.2f s process cpu, stateful %.2f s / %.2f s (x%.2f wall,"
                    + " x%.2f cpu); samples %d / %d, max |diff| %.3g%n", recompute, recomputeCpu, stateful, statefulCpu,
                    recompute / stateful, recomputeCpu / statefulCpu, n, offset, worst);
        }
    }

    /** New mel frames per call: 2 x hop tokens with hop 25, 50, 100, 100...; the final call gets the rest. */
    static int[] officialChunks(int frames) {
        int[] out = new int[64];
        int n = 0, done = 0, hop = 25;
        while (done + 2 * hop + 6 <= frames && n < out.length - 1) {    // + 3 look-ahead tokens must exist
            out[n++] = 2 * hop;
            done += 2 * hop;
            hop = Math.min(100, hop * 2);
        }
        out[n++] = frames - done;
        return Arrays.copyOf(out, n);
    }
}
