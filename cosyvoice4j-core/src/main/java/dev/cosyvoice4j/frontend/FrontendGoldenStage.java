package dev.cosyvoice4j.frontend;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.frontend.audio.DecodedAudio;
import dev.cosyvoice4j.frontend.audio.FeatureMatrix;
import dev.cosyvoice4j.frontend.audio.KaldiFbank;
import dev.cosyvoice4j.frontend.audio.MatchaMel;
import dev.cosyvoice4j.frontend.audio.MelSpec;
import dev.cosyvoice4j.frontend.audio.MelBank;
import dev.cosyvoice4j.frontend.audio.Resampler;
import dev.cosyvoice4j.frontend.audio.WavReader;
import dev.cosyvoice4j.frontend.audio.WhisperLogMel;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Golden stage {@code frontend}: reproduces every {@code frontend/*} case (filters, decode, resample_16k/24k
 * with kernels, campplus, speech_tokenizer, speech_feat, zero_shot_alignment, speech_tokenizer_odd_length).
 * Outputs without their own tolerance in the manifest use the tolerance of the quantity they derive from
 * (fbank 2e-3 for the CMN input, whisper log-mel 2e-4 for the full log-mel and its global max).
 */
public final class FrontendGoldenStage implements GoldenStage {
    private static final Tolerance FBANK = new Tolerance(2e-3, Double.NaN, Double.NaN, false);
    private static final Tolerance WHISPER = new Tolerance(2e-4, Double.NaN, Double.NaN, false);

    @Override
    public String stage() { return "frontend"; }

    /** The prompt frontend is the same in both families, up to the yaml's mel settings and the tokenizer file name. */
    @Override
    public java.util.Set<String> modelFamilies() {
        return java.util.Set.of(dev.cosyvoice4j.golden.GoldenManifest.COSYVOICE3, dev.cosyvoice4j.golden.GoldenManifest.COSYVOICE2);
    }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        String id = c.id();
        if (id.equals("frontend/filters")) filters(c, check);
        else if (id.equals("frontend/speech_tokenizer_odd_length")) oddLength(c, ctx, check);
        else if (id.endsWith("/decode")) decode(c, check);
        else if (id.endsWith("/resample_16k")) resample(c, check, 16000);
        else if (id.endsWith("/resample_24k")) resample(c, check, 24000);
        else if (id.endsWith("/campplus")) campplus(c, ctx, check);
        else if (id.endsWith("/speech_tokenizer")) speechTokenizer(c, ctx, check);
        else if (id.endsWith("/speech_feat")) speechFeat(c, ctx, check);
        else if (id.endsWith("/zero_shot_alignment")) alignment(c, ctx, check);
        else throw new SkipCase("unknown frontend case " + id);
    }

    private static AudioFrontend frontend(GoldenContext ctx) {
        return ctx.component("frontend.audio", dir -> AudioFrontend.open(dir, FrontendOptions.defaults()));
    }

    private static void filters(GoldenCase c, CaseCheck check) {
        MelBank matcha = MatchaMel.melBank(), whisper = WhisperLogMel.melBank();
        check.compare("matcha_mel_basis_80x961", matcha.weights(), matcha.mels(), matcha.bins());
        check.compare("whisper_mel_filters_128x201", whisper.weights(), whisper.mels(), whisper.bins());
    }

    private static Path wavOf(GoldenCase c) { return c.dir().resolve(c.input("wav").get("file").asText()); }

    private static void decode(GoldenCase c, CaseCheck check) {
        DecodedAudio a = WavReader.read(wavOf(c));
        JsonNode in = c.inputs(), out = c.outputs();
        check.compareExact("sample_rate", a.sampleRateHz(), in.get("sample_rate").asInt());
        check.compareExact("frames", a.frames(), in.get("frames").asInt());
        check.compareExact("channels", a.channels(), in.get("channels").asInt());
        double maxAbs = c.toleranceFor("sum").maxAbs();
        float[] x = a.samples();
        check.compareScalar("sum", sum(x, false), out.get("sum").asDouble(), maxAbs);
        check.compareScalar("sum_abs", sum(x, true), out.get("sum_abs").asDouble(), maxAbs);
        compareList(c, check, "first8", Arrays.copyOf(x, 8));
        compareList(c, check, "last8", Arrays.copyOfRange(x, x.length - 8, x.length));
    }

    private static float[] resampled(GoldenCase resampleCase, int targetHz) {
        DecodedAudio a = WavReader.read(wavOf(resampleCase));
        return Resampler.resample(a.samples(), a.sampleRateHz(), targetHz);
    }

    private static void resample(GoldenCase c, CaseCheck check, int targetHz) {
        DecodedAudio a = WavReader.read(wavOf(c));
        float[] y = Resampler.resample(a.samples(), a.sampleRateHz(), targetHz);
        JsonNode out = c.outputs();
        check.compareExact("n_samples", y.length, out.get("n_samples").asInt());
        double sumAbs = out.get("sum_abs").asDouble();
        double rel = c.tolerance().path("sum_abs_rel").asDouble(1e-5);
        check.compareScalar("sum", sum(y, false), out.get("sum").asDouble(), rel * sumAbs);
        check.compareScalar("sum_abs", sum(y, true), sumAbs, rel * sumAbs);
        compareList(c, check, "last8", Arrays.copyOfRange(y, y.length - 8, y.length));
        for (String name : new String[] {"speech", "speech_first_2s"}) {
            JsonNode spec = out.get(name);
            if (spec == null || !spec.has("file")) continue;
            Tensor g = c.tensor(spec);
            int n = g.dim(-1);
            check.compare(name, Arrays.copyOf(y, n), new long[] {1, n}, g, c.toleranceFor(name));
        }
        if (out.has("resample_width")) {
            Resampler r = Resampler.of(a.sampleRateHz(), targetHz);
            check.compareExact("resample_width", r.width(), out.get("resample_width").asInt());
            JsonNode shape = out.get("resample_kernel_shape");
            check.compareExact("resample_kernel_shape", Arrays.toString(new int[] {r.phases(), 1, r.kernelLength()}),
                    Arrays.toString(new int[] {shape.get(0).asInt(), shape.get(1).asInt(), shape.get(2).asInt()}));
            if (out.has("resample_kernel") && out.get("resample_kernel").has("file")) {
                check.compare("resample_kernel", r.kernel(), r.phases(), 1, r.kernelLength());
            }
        }
    }

    private static void campplus(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        float[] x16 = resampled(c.ref("speech_16k"), 16000);
        FeatureMatrix fbank = KaldiFbank.compute(x16);
        JsonNode out = c.outputs();
        check.compareExact("n_frames", fbank.rows(), out.get("n_frames").asInt());
        FeatureMatrix first = fbank.firstRows(300);
        check.compare("fbank_first300", first.values(), first.rows(), first.cols());
        check.compare("fbank_mean", KaldiFbank.mean(fbank), 1, fbank.cols());
        FeatureMatrix cmn = KaldiFbank.subtractMean(fbank);
        if (out.get("campplus_input").has("file")) {
            check.compare("campplus_input", cmn.values(), new long[] {1, cmn.rows(), cmn.cols()},
                    c.outputTensor("campplus_input"), tolerance(c, "campplus_input", FBANK));
        }
        float[] emb = frontend(ctx).campPlus().embed(cmn);
        check.compare("embedding", emb, 1, emb.length);
    }

    private static void speechTokenizer(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        float[] x16 = resampled(c.ref("speech_16k"), 16000);
        WhisperLogMel.Result mel = WhisperLogMel.compute(x16);
        JsonNode out = c.outputs();
        check.compareExact("n_frames", mel.frames(), out.get("n_frames").asInt());
        FeatureMatrix first = mel.logMel().firstCols(300);
        check.compare("whisper_logmel_first300", first.values(), 1, first.rows(), first.cols());
        if (out.get("whisper_logmel_full").has("file")) {
            check.compare("whisper_logmel_full", mel.logMel().values(), new long[] {1, mel.logMel().rows(), mel.frames()},
                    c.outputTensor("whisper_logmel_full"), tolerance(c, "whisper_logmel_full", WHISPER));
        }
        check.compareScalar("global_log10_max", mel.globalLog10Max(), out.get("global_log10_max").asDouble(),
                tolerance(c, "global_log10_max", WHISPER).maxAbs());
        int[] tokens = frontend(ctx).speechTokenizer().tokens(mel.logMel());
        check.compareIds("speech_token", tokens, c.outputTensor("speech_token").toIntArray());
    }

    private static void speechFeat(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        MelSpec spec = frontend(ctx).promptMelSpec();          // the model's feat_extractor (CosyVoice2: fmax 8 kHz)
        float[] x24 = resampled(c.ref("speech_24k"), spec.sampleRateHz());
        FeatureMatrix feat = frontend(ctx).speechFeat(x24);
        check.compareExact("n_frames", feat.rows(), c.outputs().get("n_frames").asInt());
        FeatureMatrix first = feat.firstRows(300);
        check.compare("speech_feat_first300", first.values(), 1, first.rows(), first.cols());
    }

    private static void alignment(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        int featFrames = c.inputs().get("feat_frames").asInt(), nTokens = c.inputs().get("n_tokens").asInt();
        int expected = c.outputs().get("token_len").asInt();
        int ratio = FrontendOptions.defaults().tokenMelRatio();
        check.compareExact("token_len", PromptFeatures.alignedTokenCount(featFrames, nTokens, ratio), expected);
        // End to end on the same prompt WAV (the sibling decode case names it): the analyzer must land on the
        // same raw lengths and the same truncation.
        String decodeId = c.id().substring(0, c.id().lastIndexOf('/')) + "/decode";
        GoldenCase decodeCase = c.manifest().cases().stream().filter(x -> x.id().equals(decodeId)).findFirst().orElse(null);
        if (decodeCase == null) return;
        PromptAnalysis a = frontend(ctx).analyzeWithTimings(wavOf(decodeCase));
        check.compareExact("raw_feat_frames", a.rawFeatFrames(), featFrames);
        check.compareExact("raw_token_count", a.rawTokenCount(), nTokens);
        check.compareExact("aligned_tokens", a.features().tokenCount(), expected);
        check.compareExact("aligned_feat_frames", a.features().featFrames(), ratio * expected);
    }

    private static void oddLength(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        Tensor feats = c.inputTensor("feats");
        FeatureMatrix m = new FeatureMatrix(feats.toFloatArray(), feats.dim(1), feats.dim(2));
        int[] tokens = frontend(ctx).speechTokenizer().tokens(m);
        check.compareIds("indices", Arrays.stream(tokens).asLongStream().toArray(), c.outputTensor("indices").toLongArray());
    }

    private static Tolerance tolerance(GoldenCase c, String name, Tolerance fallback) {
        JsonNode per = c.tolerance().get(name);
        if (per != null && per.isObject()) return Tolerance.of(per);
        if (c.tolerance().has("max_abs") || c.tolerance().has("exact")) return Tolerance.of(c.tolerance());
        return fallback;
    }

    private static void compareList(GoldenCase c, CaseCheck check, String name, float[] actual) {
        JsonNode arr = c.output(name);
        float[] g = new float[arr.size()];
        for (int i = 0; i < g.length; i++) g[i] = (float) arr.get(i).asDouble();
        check.compare(name, actual, new long[] {actual.length}, Tensor.of(g, g.length), c.toleranceFor(name));
    }

    /** Float64 sum of the float32 samples (or of their absolute values), like {@code x.double().sum()}. */
    private static double sum(float[] x, boolean abs) {
        double s = 0;
        for (float v : x) s += abs ? Math.abs(v) : v;
        return s;
    }
}
