package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.LoadedWeights;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.FixedUniformNoise;
import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.backend.NsfSpec;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * Golden stage {@code hift}: {@code hift/f0_predictor} (float64 F0 predictor, finalize True/False),
 * {@code hift/nsf_source} (the injected noise buffers, upsampled f0, SineGen2 output, uv, merged source),
 * {@code hift/decode} (mel + source to waveform) and {@code hift/inference} (finalize True/False).
 */
public final class HiftGoldenStage implements GoldenStage {

    @Override
    public String stage() { return "hift"; }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        switch (c.id()) {
            case "hift/f0_predictor" -> f0Predictor(c, ctx, check);
            case "hift/nsf_source" -> nsfSource(c, ctx, check);
            case "hift/decode" -> decode(c, ctx, check);
            case "hift/inference" -> inference(c, ctx, check);
            default -> throw new SkipCase("no reproduction for hift-stage case " + c.id());
        }
    }

    private static CausalHiftGenerator hift(GoldenContext ctx) {
        return ctx.component("hift", dir -> LoadedWeights.openPt(dir.resolve("hift.pt"),
                store -> CausalHiftGenerator.load(store, ModelConfig.load(dir).hift(), ctx.backend()))).model();
    }

    /** A {@code [1, 80, T]} mel input: its data and frame count. */
    private record MelIn(float[] data, int frames) {
        static MelIn of(Tensor t) { return new MelIn(t.toFloatArray(), t.dim(2)); }
    }

    private static void f0Predictor(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CausalHiftGenerator hift = hift(ctx);
        MelIn mel = MelIn.of(c.inputTensor("mel"));
        float[] fin = hift.f0(hift.newSession(), mel.data(), mel.frames(), true);
        check.compare("f0_finalize", fin, 1, fin.length);
        float[] stream = hift.f0(hift.newSession(), mel.data(), mel.frames(), false);
        check.compare("f0_stream", stream, 1, stream.length);
    }

    private static void nsfSource(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CausalHiftGenerator hift = hift(ctx);
        NsfNoise noise = NsfNoise.fixedUniform();
        // the generator reproduces the recorded buffers exactly
        float[] randIni = new float[noise.width()];
        for (int h = 0; h < randIni.length; h++) randIni[h] = noise.randIni(h);
        check.compare("rand_ini", randIni, new long[] {1, randIni.length}, c.inputTensor("rand_ini"), Tolerance.EXACT);
        Tensor sw = c.inputTensor("sine_waves_buffer_first1000");
        int rows = sw.dim(1);
        float[] sine = new float[rows * noise.width()];
        noise.sineWaves(0, rows, sine, 0);
        check.compare("sine_waves_buffer_first1000", sine, sw.shape(), sw, Tolerance.EXACT);
        Tensor uvBuf = c.inputTensor("uv_buffer_first1000");
        float[] uvb = new float[uvBuf.dim(1)];
        for (int i = 0; i < uvb.length; i++) uvb[i] = noise.uv(i);
        check.compare("uv_buffer_first1000", uvb, uvBuf.shape(), uvBuf, Tolerance.EXACT);
        check.compareExact("seed_sine_waves", c.input("buffer_generator").get("seed_sine_waves").asLong(),
                FixedUniformNoise.SEED_SINE_WAVES);

        float[] f0 = c.inputTensor("f0").toFloatArray();
        SourceModuleHnNsf src = hift.mSource();
        int len = src.samples(f0.length);
        NsfSpec.Trace trace = NsfSpec.Trace.allocate(len, src.harmonics());
        Backend b = ctx.backend();
        Buf sourceBuf = b.alloc(1, len);
        src.forward(b, b.upload(f0, 1, f0.length), noise, sourceBuf, trace);
        float[] source = b.read(sourceBuf);
        check.compare("f0_upsampled", trace.f0Upsampled(), 1, len, 1);
        check.compare("sine_waves", trace.sineWaves(), 1, len, src.harmonics());
        check.compare("uv", trace.uv(), 1, len, 1);
        check.compare("source", source, 1, len, 1);
    }

    private static void decode(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CausalHiftGenerator hift = hift(ctx);
        MelIn mel = MelIn.of(c.ref("mel").inputTensor("mel"));
        float[] source = c.inputTensor("source").toFloatArray();
        float[] speech = hift.decode(hift.newSession(), mel.data(), mel.frames(), source, true);
        check.compare("speech", speech, 1, speech.length);
    }

    private static void inference(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CausalHiftGenerator hift = hift(ctx);
        MelIn mel = MelIn.of(c.ref("mel").inputTensor("mel"));
        CausalHiftGenerator.Result fin = hift.inference(hift.newSession(), mel.data(), mel.frames(), true);
        check.compare("speech_finalize", fin.speech(), 1, fin.speech().length);
        check.compare("source_finalize", fin.source(), 1, 1, fin.source().length);
        CausalHiftGenerator.Result stream = hift.inference(hift.newSession(), mel.data(), mel.frames(), false);
        check.compareExact("speech_stream_samples", stream.speech().length, hift.outputSamples(mel.frames(), false));
        check.compare("speech_stream", stream.speech(), 1, stream.speech().length);
    }
}
