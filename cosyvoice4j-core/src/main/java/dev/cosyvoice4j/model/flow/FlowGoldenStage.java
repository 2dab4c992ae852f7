package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.LoadedWeights;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;

/**
 * Golden stage {@code flow} (checks {@link FlowModel}, {@link DiT}, {@link CausalConditionalCfm}):
 * {@code flow/{offline,stream_nonfinal}/encode} (token embedding, PreLookaheadLayer, spks, mu, mask, cond),
 * {@code .../dit_call} (one DiT call, CFG batch 2) and {@code .../cfm} (z, t_span, x entering steps 1/5/10,
 * solver output, mel) against the official CausalMaskedDiffWithDiT.
 */
public final class FlowGoldenStage implements GoldenStage {
    /** z and t_span carry no tolerance in the manifest: ~1 ulp of torch's vectorised log/sin/cos is expected. */
    private static final Tolerance NOISE_TOLERANCE = new Tolerance(1e-5, Double.NaN, Double.NaN, false);

    @Override
    public String stage() { return "flow"; }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) throws Exception {
        FlowModel model = ctx.component("flow", dir -> load(dir, ctx.backend())).model();
        FlowSession s = model.newSession();
        if (c.id().endsWith("/encode")) encode(c, model, s, check);
        else if (c.id().endsWith("/dit_call")) ditCall(c, model, s, check);
        else if (c.id().endsWith("/cfm")) cfm(c, model, s, check);
        else throw new SkipCase("unknown flow case kind: " + c.id());
    }

    static LoadedWeights<FlowModel> load(Path modelDir, Backend backend) {
        FlowConfig cfg = ModelConfig.load(modelDir).flow();
        return LoadedWeights.openPt(modelDir.resolve("flow.pt"), ws -> FlowModel.load(ws, cfg, backend));
    }

    private static void encode(GoldenCase c, FlowModel model, FlowSession s, CaseCheck check) {
        FlowGoldenInputs in = FlowGoldenInputs.of(c);
        Backend b = model.backend();
        FlowEncoding e = model.encode(s, in.tokens(), in.promptTokens(), in.promptFeat(), in.promptFrames(), in.embedding(),
                in.finalizeCall());
        int ch = model.config().inputSize(), mel = model.config().outputSize(), t = e.frames();
        check.compare("token_embedding", b.read(e.tokenEmbedding()), 1, e.tokens(), ch);
        check.compare("h", b.read(e.h()), 1, e.tokens(), ch);
        check.compare("spks", b.read(e.spks()), 1, mel);
        check.compare("mu", transpose(b.read(e.mu()), t, ch), 1, ch, t);
        float[] mask = new float[t];
        java.util.Arrays.fill(mask, 1f);
        check.compare("mask", mask, 1, 1, t);
        check.compare("cond", transpose(b.read(e.cond()), t, mel), 1, mel, t);
    }

    private static void ditCall(GoldenCase c, FlowModel model, FlowSession s, CaseCheck check) {
        DiT dit = model.estimator();
        Tensor xT = c.inputTensor("x");
        int batch = xT.dim(0), mel = xT.dim(1), frames = xT.dim(2);
        float[] mask = c.inputTensor("mask").toFloatArray();
        int valid = frames;
        for (int b = 0; b < batch; b++) {
            int vb = 0;
            while (vb < frames && mask[b * frames + vb] != 0f) vb++;
            for (int i = vb; i < frames; i++) {
                if (mask[b * frames + i] != 0f) throw new SkipCase("mask is not a valid-prefix mask");
            }
            if (b > 0 && vb != valid) throw new SkipCase("per-row valid lengths differ");
            valid = vb;
        }
        float[] x = batchToTime(xT.toFloatArray(), batch, mel, frames);
        float[] mu = batchToTime(c.inputTensor("mu").toFloatArray(), batch, dit.muDim(), frames);
        float[] cond = batchToTime(c.inputTensor("cond").toFloatArray(), batch, mel, frames);
        Backend b = model.backend();
        Buf out = b.alloc(batch * frames, mel);
        dit.forward(s.ditWorkspace(), b.upload(x, batch * frames, mel), b.upload(mu, batch * frames, dit.muDim()),
                b.upload(cond, batch * frames, mel), b.upload(c.inputTensor("spks").toFloatArray(), batch, dit.spkDim()),
                c.inputTensor("t").toFloatArray(), valid, c.input("streaming").asBoolean(), out);
        check.compare("output", timeToBatch(b.read(out), batch, mel, frames), batch, mel, frames);
    }

    private static void cfm(GoldenCase c, FlowModel model, FlowSession s, CaseCheck check) {
        FlowGoldenInputs in = FlowGoldenInputs.of(c);
        int steps = c.input("n_timesteps").asInt();
        FlowEncoding e = model.encode(s, in.tokens(), in.promptTokens(), in.promptFeat(), in.promptFrames(), in.embedding(),
                in.finalizeCall());
        int mel = model.config().outputSize(), t = e.frames();
        CausalConditionalCfm cfm = model.decoder();

        float[] z = CausalConditionalCfm.initialNoise(mel, t);
        check.compare("z", transpose(z, t, mel), new long[] {1, mel, t}, c.outputTensor("z"), NOISE_TOLERANCE);
        float[] tSpan = cfm.tSpan(steps);
        check.compare("t_span", tSpan, new long[] {tSpan.length}, c.outputTensor("t_span"), NOISE_TOLERANCE);

        boolean withSteps = c.output("x_entering_steps_1_5_10").isObject();
        float[] entering = new float[3 * mel * t];
        Buf xb = cfm.solve(s, e.mu(), e.cond(), e.spks(), steps, in.streaming(), null, (step, xs) -> {
            int slot = step == 1 ? 0 : step == 5 ? 1 : step == 10 ? 2 : -1;
            if (slot >= 0) System.arraycopy(transpose(xs, t, mel), 0, entering, slot * mel * t, mel * t);
        });
        if (withSteps) check.compare("x_entering_steps_1_5_10", entering, 3, mel, t);
        check.compare("solver_out", transpose(model.backend().read(xb), t, mel), 1, mel, t);
        float[] melOut = model.generatedMel(s, xb, e.promptFrames());
        check.compare("mel", melOut, 1, mel, t - e.promptFrames());
    }

    /** Time-major [t, c] to channel-major [c, t]. */
    static float[] transpose(float[] a, int t, int c) {
        float[] out = new float[a.length];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < c; j++) out[j * t + i] = a[i * c + j];
        }
        return out;
    }

    /** [B, C, T] to time-major rows [B*T, C]. */
    static float[] batchToTime(float[] a, int batch, int c, int t) {
        float[] out = new float[a.length];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < c; j++) {
                for (int i = 0; i < t; i++) out[(b * t + i) * c + j] = a[(b * c + j) * t + i];
            }
        }
        return out;
    }

    /** Time-major rows [B*T, C] to [B, C, T]. */
    static float[] timeToBatch(float[] a, int batch, int c, int t) {
        float[] out = new float[a.length];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < c; j++) {
                for (int i = 0; i < t; i++) out[(b * c + j) * t + i] = a[(b * t + i) * c + j];
            }
        }
        return out;
    }
}
