package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.FixedUniformNoise;
import dev.cosyvoice4j.backend.NsfNoise;
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
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the vocoder on the fixture model (tiny hift.pt); numerics are checked by the hift golden stage. */
class CausalHiftGeneratorTest {
    static final Path MODEL = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");
    static Backend scalar;
    static WeightStore store;
    static HiftConfig config;
    static CausalHiftGenerator hift;

    @BeforeAll
    static void load() {
        store = WeightStore.openPt(MODEL.resolve("hift.pt"));
        config = ModelConfig.load(MODEL).hift();
        scalar = Backends.open("scalar", BackendOptions.defaults());
        hift = CausalHiftGenerator.load(store, config, scalar);
    }

    @AfterAll
    static void close() throws Exception {
        store.close();
        scalar.close();
    }

    /** The fixture vocoder on the cpu backend with {@code threads} threads (close the backend). */
    static Backend cpu(int threads) { return Backends.open("cpu", BackendOptions.defaults().withThreads(threads)); }

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
        HiftSession s = hift.newSession();     // one request's session: grown and reused by every call
        float[] offline = hift.inference(hift.newSession(), mel, frames, true).speech();
        assertEquals(480 * frames, offline.length);
        for (int t1 : new int[] {12, 21, 30}) {
            float[] chunk = hift.inference(s, firstFrames(mel, frames, t1), t1, false).speech();
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
        Buf directBuf = scalar.alloc(cout, t * u);
        scalar.conv1d(directBuf, scalar.upload(xu, cin, t * u), w, b, ConvSpec.of(1, k - 1, 0, 1, 1));
        float[] direct = scalar.read(directBuf);
        // polyphase
        Tensor pw = CausalHiftGenerator.polyphase(w, u);
        int kk = pw.dim(2);
        float[] pb = new float[u * cout];
        for (int ph = 0; ph < u; ph++) System.arraycopy(bv, 0, pb, ph * cout, cout);
        Buf phases = scalar.alloc(u * cout, t);
        scalar.conv1d(phases, scalar.upload(x, cin, t), pw, Tensor.of(pb, u * cout), ConvSpec.of(1, kk - 1, 0, 1, 1));
        float[] big = scalar.read(phases);
        float[] poly = new float[cout * t * u];
        for (int co = 0; co < cout; co++) {
            for (int ph = 0; ph < u; ph++) for (int m = 0; m < t; m++) poly[co * t * u + u * m + ph] = big[(ph * cout + co) * t + m];
        }
        assertArrayEquals(direct, poly, 1e-4f);
        // the backend's interleave back to time order is that permutation exactly
        Buf interleaved = scalar.alloc(cout, t * u);
        scalar.polyphaseInterleave(interleaved, phases, false);
        assertArrayEquals(poly, scalar.read(interleaved));
    }

    @Test
    void f0PredictorOnTheCpuBackendMatchesTheScalarSpecification() {
        // 23 and 61 frames: whole register blocks of output frames plus left-over frames
        try (Backend twoThreads = cpu(2)) {
            CausalHiftGenerator fast = CausalHiftGenerator.load(store, config, twoThreads);
            HiftSession specSession = hift.newSession(), fastSession = fast.newSession();
            for (int frames : new int[] {23, 61}) {
                float[] mel = randomMel(frames, 5);
                for (boolean finalize : new boolean[] {true, false}) {
                    float[] spec = hift.f0(specSession, mel, frames, finalize);
                    float[] f0 = fast.f0(fastSession, mel, frames, finalize);
                    assertEquals(spec.length, f0.length);
                    // float64 sums in another order, rounded to float32: equal to a float32 ulp
                    for (int i = 0; i < spec.length; i++) assertEquals(spec[i], f0[i], Math.ulp(spec[i]) + 1e-6f, "frame " + i);
                }
            }
        }
    }

    @Test
    void resblocksRunAsPartsGiveTheSameWaveformAsInOrder() {
        // the cpu backend on 1 thread runs a stage's ResBlocks in order; on 2 threads as parts, each whole on one core
        // ({11} and {3, 7}). Every ResBlock's arithmetic is the same either way (element-wise ops are FloatMath on both,
        // a part's products run on its one thread), and the mean keeps the order: bit-identical waveforms.
        float[] mel = randomMel(20, 9);
        try (Backend one = cpu(1); Backend two = cpu(2)) {
            CausalHiftGenerator inOrder = CausalHiftGenerator.load(store, config, one);
            CausalHiftGenerator asParts = CausalHiftGenerator.load(store, config, two);
            for (boolean finalize : new boolean[] {true, false}) {
                float[] expected = inOrder.inference(inOrder.newSession(), mel, 20, finalize).speech();
                float[] actual = asParts.inference(asParts.newSession(), mel, 20, finalize).speech();
                assertArrayEquals(expected, actual);
                // and the scalar specification (products summed in another order) within a bound
                float[] spec = hift.inference(hift.newSession(), mel, 20, finalize).speech();
                for (int i = 0; i < spec.length; i++) assertEquals(spec[i], actual[i], 1e-4f, "sample " + i);
            }
        }
    }

    @Test
    void resblocksAreGroupedByCostOverTheParts() {
        // the reference kernel sizes 3, 7, 11 (ResBlock cost 6 k) as parts on two threads: {11} alone, {3, 7} together.
        // Parts 1 and 2 meet at a barrier, so they must run at the same time on different threads.
        try (Backend two = cpu(2)) {
            Thread[] ran = new Thread[3];
            CyclicBarrier meet = new CyclicBarrier(2);
            two.parts(new int[] {6 * 3, 6 * 7, 6 * 11}, j -> {
                ran[j] = Thread.currentThread();
                if (j == 0) return;
                try {
                    meet.await(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("ResBlocks 7 and 11 did not run as concurrent parts", e);
                }
            });
            assertSame(ran[0], ran[1], "kernel sizes 3 and 7 share a part group");
            assertNotSame(ran[1], ran[2], "kernel size 11 runs alone");
        }
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
                () -> hift.inference(hift.newSession(), randomMel(7, 1), 7, false));
        assertTrue(e.getMessage().contains("at least 8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> hift.inference(hift.newSession(), new float[80 * 5], 6, true));
    }

    @Test
    void anUnknownTensorInHiftPtIsAnError() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (String n : store.names()) all.put(n, store.takeAnyShape(n));
        all.put("conv_extra.weight", Tensor.of(new float[2], 2));
        WeightStore extra = new WeightStore(Path.of("hift.pt"), all, null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalHiftGenerator.load(extra, config, scalar));
        assertTrue(e.getMessage().contains("conv_extra.weight"), e.getMessage());
    }

    @Test
    void aConfigThatDisagreesWithTheTensorsIsReported() {
        HiftConfig wrong = new HiftConfig(80, 64, 8, 24000, 0.1, 0.003, 10, config.upsampleRates(),
                config.upsampleKernelSizes(), 16, 4, config.resblockKernelSizes(), config.resblockDilationSizes(),
                config.sourceResblockKernelSizes(), config.sourceResblockDilationSizes(), 0.1, 0.99, 4, 1, 80, 32);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CausalHiftGenerator.load(store, wrong, scalar));
        assertTrue(e.getMessage().contains("conv_pre") && e.getMessage().contains("base_channels 64"), e.getMessage());
    }

    @Test
    void fixedUniformNoiseIsSplitMix64() {
        // golden_uniform(n, 0)[0] = (splitmix64(0 + 1 * golden gamma) >>> 40) * 2^-24, the reference generator's first
        // output being 0xE220A8397B1DCDAF
        assertEquals((0xE220A8397B1DCDAFL >>> 40) * 0x1p-24f, FixedUniformNoise.value(0, 0));
        NsfNoise n = NsfNoise.fixedUniform();
        assertEquals(9, n.width());
        assertEquals(0f, n.randIni(0));
        assertEquals(FixedUniformNoise.value(FixedUniformNoise.SEED_RAND_INI, 1), n.randIni(1));
        float[] a = new float[9 * 3], b = new float[9];
        n.sineWaves(10, 3, a, 0);
        n.sineWaves(12, 1, b, 0);
        for (int h = 0; h < 9; h++) assertEquals(a[18 + h], b[h]);
        assertEquals(FixedUniformNoise.value(FixedUniformNoise.SEED_SINE_WAVES, 12 * 9 + 4), b[4]);
    }

    @Test
    void theSourceDependsOnTheInjectedNoise() {
        // inference(..., noise): the default is the fixtures' buffers; other buffers change the source and the waveform
        float[] mel = randomMel(12, 3);
        CausalHiftGenerator.Result byDefault = hift.inference(hift.newSession(), mel, 12, true);
        CausalHiftGenerator.Result fixed = hift.inference(hift.newSession(), mel, 12, true, NsfNoise.fixedUniform());
        assertArrayEquals(byDefault.speech(), fixed.speech());
        assertArrayEquals(byDefault.source(), fixed.source());
        NsfNoise shifted = new NsfNoise() {
            @Override public int width() { return 9; }
            @Override public float randIni(int h) { return h == 0 ? 0f : 0.5f; }
            @Override public void sineWaves(long fromRow, int rows, float[] dst, int dstOff) {
                java.util.Arrays.fill(dst, dstOff, dstOff + rows * 9, 0.5f);
            }
            @Override public float uv(long row) { return 0.5f; }
        };
        CausalHiftGenerator.Result other = hift.inference(hift.newSession(), mel, 12, true, shifted);
        assertArrayEquals(byDefault.f0(), other.f0());
        assertTrue(!java.util.Arrays.equals(byDefault.source(), other.source()));
    }
}
