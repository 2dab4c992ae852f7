package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.backend.cpu.ScalarKernels;
import dev.cosyvoice4j.config.HiftConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the vocoder on the fixture model (tiny hift.pt); numerics are checked by the hift golden stage. */
class CausalHiftGeneratorTest {
    static final Path MODEL = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");
    static final Kernels K = new ScalarKernels();
    static WeightStore store;
    static HiftConfig config;
    static CausalHiftGenerator hift;

    @BeforeAll
    static void load() {
        store = WeightStore.openPt(MODEL.resolve("hift.pt"));
        config = ModelConfig.load(MODEL).hift();
        hift = CausalHiftGenerator.load(store, config);
    }

    @AfterAll
    static void close() throws Exception { store.close(); }

    static float[] randomMel(int frames, long seed) {
        Random r = new Random(seed);
        float[] mel = new float[80 * frames];
        for (int i = 0; i < mel.length; i++) mel[i] = (float) (r.nextGaussian() * 2 - 5);
        return mel;
    }

    static float[] firstFrames(float[] mel, int frames, int keep) {
        float[] out = new float[80 * keep];
        for (int c = 0; c < 80; c++) System.arraycopy(mel, c * frames, out, c * keep, keep);
        return out;
    }

    /** generator.py:729-746: non-final calls on growing prefixes reproduce the offline waveform's prefix. */
    @Test
    void streamingCallsOnPrefixesReproduceTheOfflineWaveform() {
        int frames = 30;
        float[] mel = randomMel(frames, 7);
        float[] offline = hift.inference(mel, frames, true, K).speech();
        assertEquals(480 * frames, offline.length);
        for (int t1 : new int[] {12, 21}) {
            float[] chunk = hift.inference(firstFrames(mel, frames, t1), t1, false, K).speech();
            assertEquals(hift.outputSamples(t1, false), chunk.length);
            assertEquals(480 * (t1 - 8), chunk.length);
            for (int i = 0; i < chunk.length; i++) {
                assertEquals(offline[i], chunk[i], 1e-5f, "sample " + i + " of the " + t1 + "-frame call");
            }
        }
    }

    @Test
    void polyphaseUpsampleConvEqualsNearestUpsampleThenLeftPaddedConv() {
        Random r = new Random(3);
        int cout = 4, cin = 3, k = 11, u = 5, t = 7;
        float[] wv = new float[cout * cin * k], bv = new float[cout], x = new float[cin * t];
        for (int i = 0; i < wv.length; i++) wv[i] = (float) r.nextGaussian();
        for (int i = 0; i < bv.length; i++) bv[i] = (float) r.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Tensor w = Tensor.of(wv, cout, cin, k), b = Tensor.of(bv, cout);
        // direct: nearest x u, left pad k - 1, conv
        float[] xu = new float[cin * t * u];
        for (int c = 0; c < cin; c++) for (int s = 0; s < t * u; s++) xu[c * t * u + s] = x[c * t + s / u];
        float[] direct = new float[cout * t * u];
        K.conv1d(direct, xu, cin, t * u, w, b, ConvSpec.of(1, k - 1, 0, 1, 1));
        // polyphase
        Tensor pw = CausalHiftGenerator.polyphase(w, u);
        int kk = pw.dim(2);
        float[] pb = new float[u * cout];
        for (int ph = 0; ph < u; ph++) System.arraycopy(bv, 0, pb, ph * cout, cout);
        float[] big = new float[u * cout * t];
        K.conv1d(big, x, cin, t, pw, Tensor.of(pb, u * cout), ConvSpec.of(1, kk - 1, 0, 1, 1));
        float[] poly = new float[cout * t * u];
        for (int co = 0; co < cout; co++) {
            for (int ph = 0; ph < u; ph++) for (int m = 0; m < t; m++) poly[co * t * u + u * m + ph] = big[(ph * cout + co) * t + m];
        }
        assertArrayEquals(direct, poly, 1e-4f);
    }

    @Test
    void f0PredictorOnTheVectorKernelsMatchesTheScalarSpecification() {
        // 23 and 61 frames: whole register blocks of output frames plus left-over frames
        try (var twoThreads = new dev.cosyvoice4j.backend.cpu.VectorKernels(new dev.cosyvoice4j.backend.cpu.CpuOptions(2))) {
            for (int frames : new int[] {23, 61}) {
                float[] mel = randomMel(frames, 5);
                for (boolean finalize : new boolean[] {true, false}) {
                    float[] spec = hift.f0Predictor().forward(mel, frames, finalize, new dev.cosyvoice4j.backend.cpu.ScalarKernels());
                    float[] fast = hift.f0Predictor().forward(mel, frames, finalize, twoThreads);
                    assertEquals(spec.length, fast.length);
                    // float64 sums in another order, rounded to float32: equal to a float32 ulp
                    for (int i = 0; i < spec.length; i++) assertEquals(spec[i], fast[i], Math.ulp(spec[i]) + 1e-6f, "frame " + i);
                }
            }
        }
    }

    @Test
    void resblocksAsParallelTasksGiveTheSameWaveformAsInOrder() throws Exception {
        // the scalar kernels, once in order (taskThreads 1) and once with two real task threads: deterministic math
        // on both sides (the Vector API's sin/exp differ by an ulp between interpreted and compiled code)
        float[] mel = randomMel(20, 9);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            Kernels twoTasks = (Kernels) java.lang.reflect.Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                    new Class<?>[] {Kernels.class}, (proxy, m, args) -> switch (m.getName()) {
                        case "taskThreads" -> 2;
                        case "parallelTasks" -> {
                            int n = (Integer) args[0];
                            var task = (java.util.function.IntConsumer) args[1];
                            var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                            for (int i = 0; i < n; i++) {
                                int index = i;
                                futures.add(pool.submit(() -> task.accept(index)));
                            }
                            for (var f : futures) f.get();
                            yield null;
                        }
                        default -> m.invoke(K, args);
                    });
            assertEquals(1, K.taskThreads());
            for (boolean finalize : new boolean[] {true, false}) {
                assertArrayEquals(hift.inference(mel, 20, finalize, K).speech(), hift.inference(mel, 20, finalize, twoTasks).speech());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resblocksAreGroupedByCostOverTheTasks() {
        // the reference kernel sizes 3, 7, 11 on two tasks: {11} alone, {3, 7} together
        int[] taskOf = CausalHiftGenerator.costGroups(new int[] {6 * 3, 6 * 7, 6 * 11}, 2);
        assertEquals(taskOf[0], taskOf[1]);
        assertTrue(taskOf[2] != taskOf[0]);
    }

    @Test
    void lengthsFollowTheOfficialBookkeeping() {
        assertEquals(480, hift.samplesPerFrame());
        assertEquals(8, hift.heldBackFrames());
        assertEquals(28800, hift.outputSamples(60, true));
        assertEquals(24960, hift.outputSamples(60, false));
        assertEquals(57, hift.f0Predictor().outputFrames(60, false));
    }

    @Test
    void streamingWithFewerThanEightFramesIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hift.inference(randomMel(7, 1), 7, false, K));
        assertTrue(e.getMessage().contains("at least 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> hift.inference(new float[80 * 5], 6, true, K));
    }

    @Test
    void anUnknownTensorInHiftPtIsAnError() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (String n : store.names()) all.put(n, store.takeAnyShape(n));
        all.put("conv_extra.weight", Tensor.of(new float[2], 2));
        WeightStore extra = new WeightStore(Path.of("hift.pt"), all, null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalHiftGenerator.load(extra, config));
        assertTrue(e.getMessage().contains("conv_extra.weight"), e.getMessage());
    }

    @Test
    void aConfigThatDisagreesWithTheTensorsIsReported() {
        HiftConfig wrong = new HiftConfig(80, 64, 8, 24000, 0.1, 0.003, 10, config.upsampleRates(),
                config.upsampleKernelSizes(), 16, 4, config.resblockKernelSizes(), config.resblockDilationSizes(),
                config.sourceResblockKernelSizes(), config.sourceResblockDilationSizes(), 0.1, 0.99, 4, 1, 80, 32);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalHiftGenerator.load(store, wrong));
        assertTrue(e.getMessage().contains("conv_pre") && e.getMessage().contains("base_channels 64"), e.getMessage());
    }

    @Test
    void goldenUniformNoiseIsSplitMix64() {
        // first output of the reference splitmix64 generator seeded with 0
        assertEquals(0xE220A8397B1DCDAFL, GoldenUniformNoise.splitmix64(0x9E3779B97F4A7C15L));
        SourceNoise n = SourceNoise.goldenUniform();
        assertEquals(0f, n.randIni(0));
        float[] a = new float[9 * 3], b = new float[9];
        n.sineWaves(10, 3, a, 0);
        n.sineWaves(12, 1, b, 0);
        for (int h = 0; h < 9; h++) assertEquals(a[18 + h], b[h]);
    }
}
