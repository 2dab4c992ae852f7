package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.GaussianGoldenNoise;
import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.backend.NsfSpec;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenManifest;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.LoadedWeights;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.Set;

/**
 * Golden stage {@code hift} of CosyVoice2 ({@code golden-cv2}): {@code hift/f0_predictor} (non-causal predictor),
 * {@code hift/nsf_source} (the per-call Gaussian buffers, f0 up-sampling, linearly up-sampled phase, uv, source),
 * {@code hift/decode} (mel + source to waveform through the transposed-conv decoder) and {@code hift/inference}
 * (without and with {@code cache_source}).
 */
public final class Cv2HiftGoldenStage implements GoldenStage {

    @Override
    public String stage() { return "hift"; }

    @Override
    public Set<String> modelFamilies() { return Set.of(GoldenManifest.COSYVOICE2); }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        switch (c.id()) {
            case "hift/f0_predictor" -> f0Predictor(c, ctx, check);
            case "hift/nsf_source" -> nsfSource(c, ctx, check);
            case "hift/decode" -> decode(c, ctx, check);
            case "hift/inference" -> inference(c, ctx, check);
            default -> throw new SkipCase("no reproduction for CosyVoice2 hift-stage case " + c.id());
        }
    }

    static HiftGenerator hift(GoldenContext ctx) {
        return ctx.component("hift.cv2", dir -> LoadedWeights.openPt(dir.resolve("hift.pt"),
                store -> HiftGenerator.load(store, ModelConfig.load(dir).hift(), ctx.backend()))).model();
    }

    private static void f0Predictor(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        HiftGenerator hift = hift(ctx);
        Tensor mel = c.inputTensor("mel");
        float[] f0 = hift.f0(hift.newSession(), mel.toFloatArray(), mel.dim(2));
        check.compare("f0", f0, 1, f0.length);
    }

    private static void nsfSource(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        HiftGenerator hift = hift(ctx);
        NsfNoise noise = HiftGenerator.defaultNoise();
        // the recorded rand_ini is the buffer before the official code zeroes element 0: compare the harmonics 1..
        int w = noise.width();
        float[] randIni = new float[w - 1];
        for (int h = 1; h < w; h++) randIni[h - 1] = noise.randIni(h);
        float[] recorded = c.inputTensor("rand_ini").toFloatArray();
        check.compare("rand_ini[1:]", randIni, new long[] {w - 1},
                Tensor.of(java.util.Arrays.copyOfRange(recorded, 1, w), w - 1), Tolerance.EXACT);
        Tensor sw = c.inputTensor("sine_noise_buffer_first1000");
        int rows = sw.dim(1);
        float[] sine = new float[rows * noise.width()];
        noise.sineWaves(0, rows, sine, 0);
        // float64 maths rounded once; Java's log/cos may differ from numpy's in the last ulp (README CV2.5)
        check.compare("sine_noise_buffer_first1000", sine, sw.shape(), sw, new Tolerance(1e-6, Double.NaN, Double.NaN, false));
        check.compareExact("seed_sine_noise", c.input("buffer_generator").get("seed_sine_noise").asLong(),
                GaussianGoldenNoise.SEED_SINE_NOISE);

        float[] f0 = c.inputTensor("f0").toFloatArray();
        int len = f0.length * hift.samplesPerFrame(), harmonics = noise.width();
        NsfSpec.Trace trace = NsfSpec.Trace.allocate(len, harmonics);
        float[] source = hift.source(hift.newSession(), f0, noise, trace);
        check.compare("f0_upsampled", trace.f0Upsampled(), 1, len, 1);
        check.compare("sine_waves", trace.sineWaves(), 1, len, harmonics);
        check.compare("uv", trace.uv(), 1, len, 1);
        check.compare("source", source, 1, len, 1);
    }

    private static void decode(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        HiftGenerator hift = hift(ctx);
        Tensor mel = c.ref("mel").inputTensor("mel");
        float[] speech = hift.decode(hift.newSession(), mel.toFloatArray(), mel.dim(2), c.inputTensor("source").toFloatArray());
        check.compare("speech", speech, 1, speech.length);
    }

    private static void inference(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        HiftGenerator hift = hift(ctx);
        Tensor mel = c.ref("mel").inputTensor("mel");
        HiftSession s = hift.newSession();
        HiftGenerator.Result plain = hift.inference(s, mel.toFloatArray(), mel.dim(2), null, HiftGenerator.defaultNoise());
        check.compare("speech", plain.speech(), 1, plain.speech().length);
        check.compare("source", plain.source(), 1, 1, plain.source().length);
        float[] cache = c.inputTensor("cache_source").toFloatArray();
        HiftGenerator.Result cached = hift.inference(s, mel.toFloatArray(), mel.dim(2), cache, HiftGenerator.defaultNoise());
        check.compare("speech_with_cache", cached.speech(), 1, cached.speech().length);
        check.compare("source_with_cache", cached.source(), 1, 1, cached.source().length);
    }
}
