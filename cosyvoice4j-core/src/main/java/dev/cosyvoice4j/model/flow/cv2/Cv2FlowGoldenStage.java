package dev.cosyvoice4j.model.flow.cv2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenManifest;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.golden.LoadedWeights;
import dev.cosyvoice4j.golden.Tolerance;
import dev.cosyvoice4j.model.flow.FlowGoldenInputs;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Golden stage {@code flow} of the CosyVoice2 family (checks {@link CausalMaskedDiffWithXvec},
 * {@link UpsampleConformerEncoder}, {@link CausalConditionalDecoder}, {@link CausalConditionalCfm}):
 * {@code flow/{offline,stream_nonfinal}/encode} (token embedding, look-ahead context embedding, embed, pos_emb,
 * PreLookaheadLayer, encoders.0, up_layer, up_embed, up_encoders.0, encoder, encoder_proj, spks, mu, mask, cond),
 * {@code .../estimator_call} (one U-Net call, CFG batch 2) and {@code .../cfm} (z, t_span, x entering steps 1/5/10,
 * solver output, mel) against the official CausalMaskedDiffWithXvec.
 */
public final class Cv2FlowGoldenStage implements GoldenStage {
    /** z and t_span carry no tolerance in the manifest: ~1 ulp of torch's vectorised log/sin/cos is expected. */
    private static final Tolerance NOISE_TOLERANCE = new Tolerance(1e-5, Double.NaN, Double.NaN, false);

    @Override
    public String stage() { return "flow"; }

    @Override
    public Set<String> modelFamilies() { return Set.of(GoldenManifest.COSYVOICE2); }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) throws Exception {
        CausalMaskedDiffWithXvec model = ctx.component("flow-cv2", dir -> load(dir, ctx.backend())).model();
        Cv2FlowSession s = model.newSession();
        if (c.id().endsWith("/encode")) encode(c, model, s, check);
        else if (c.id().endsWith("/estimator_call")) estimatorCall(c, model, s, check);
        else if (c.id().endsWith("/cfm")) cfm(c, model, s, check);
        else throw new SkipCase("unknown flow case kind: " + c.id());
    }

    static LoadedWeights<CausalMaskedDiffWithXvec> load(Path modelDir, Backend backend) {
        Cv2FlowConfig cfg = Cv2FlowConfig.load(modelDir);
        return LoadedWeights.openPt(modelDir.resolve("flow.pt"), ws -> CausalMaskedDiffWithXvec.load(ws, cfg, backend));
    }

    private static boolean recorded(GoldenCase c, String output) {
        return c.outputs().has(output) && c.outputs().get(output).isObject();
    }

    private static void encode(GoldenCase c, CausalMaskedDiffWithXvec model, Cv2FlowSession s, CaseCheck check) {
        FlowGoldenInputs in = FlowGoldenInputs.of(c);
        Backend b = model.backend();
        Map<String, float[]> seen = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        Cv2FlowEncoding e = model.encode(s, in.tokens(), in.promptTokens(), in.promptFeat(), in.promptFrames(), in.embedding(),
                in.streaming(), in.finalizeCall(), (name, value) -> {
                    seen.put(name, b.read(value));
                    shapes.put(name, new long[] {1, value.rows(), value.cols()});
                });
        for (String name : new String[] {"token_embedding", "lookahead_context_embedding", "embed_xs", "pre_lookahead_out",
                "encoders.0_out", "up_layer_out", "up_embed_xs", "up_encoders.0_out", "encoder_out", "encoder_proj_out"}) {
            if (!recorded(c, name)) continue;
            if (!seen.containsKey(name)) {
                check.fail(name + " was recorded by the reference but not produced");
                continue;
            }
            check.compare(name, seen.get(name), shapes.get(name));
        }
        int d = model.encoder().size, n = e.tokens(), mel = model.config().outputSize(), t = e.frames();
        if (recorded(c, "pos_emb_first8_last8")) {
            float[] table = EspnetRelPositionalEncoding.table(n, d), firstLast = new float[16 * d];
            System.arraycopy(table, 0, firstLast, 0, 8 * d);
            System.arraycopy(table, (2 * n - 1 - 8) * d, firstLast, 8 * d, 8 * d);
            check.compare("pos_emb_first8_last8", firstLast, 1, 16, d);
            JsonNode shape = c.output("pos_emb_shape");
            long[] expected = new long[shape.size()];
            for (int i = 0; i < expected.length; i++) expected[i] = shape.get(i).asLong();
            check.compareIds("pos_emb_shape", new long[] {1, 2L * n - 1, d}, expected);
        }
        check.compare("spks", b.read(e.spks()), 1, mel);
        check.compare("mu", b.read(e.mu()), 1, mel, t);
        float[] mask = new float[t];
        java.util.Arrays.fill(mask, 1f);
        check.compare("mask", mask, 1, 1, t);
        check.compare("cond", b.read(e.cond()), 1, mel, t);
    }

    private static void estimatorCall(GoldenCase c, CausalMaskedDiffWithXvec model, Cv2FlowSession s, CaseCheck check) {
        CausalConditionalDecoder est = model.estimator();
        Tensor xT = c.inputTensor("x");
        int batch = xT.dim(0), mel = xT.dim(1), frames = xT.dim(2);
        if (batch != 2) throw new SkipCase("estimator call with a batch of " + batch + " (the solver's CFG batch is 2)");
        for (float m : c.inputTensor("mask").toFloatArray()) {
            if (m != 1f) throw new SkipCase("estimator mask is not all ones (inference never pads)");
        }
        float[] t = c.inputTensor("t").toFloatArray();
        if (t[0] != t[1]) throw new SkipCase("CFG rows at different times");
        float[] x = xT.toFloatArray(), mu = c.inputTensor("mu").toFloatArray(), cond = c.inputTensor("cond").toFloatArray();
        float[] spks = c.inputTensor("spks").toFloatArray();
        Backend b = model.backend();
        s.ensure(0, frames);
        Buf[] inputs = new Buf[batch], outputs = new Buf[batch];
        for (int r = 0; r < batch; r++) {
            // [x | mu | spks over T | cond], channel-major
            float[] cat = new float[4 * mel * frames];
            int plane = mel * frames;
            System.arraycopy(x, r * plane, cat, 0, plane);
            System.arraycopy(mu, r * plane, cat, plane, plane);
            for (int ch = 0; ch < mel; ch++) java.util.Arrays.fill(cat, 2 * plane + ch * frames, 2 * plane + (ch + 1) * frames, spks[r * mel + ch]);
            System.arraycopy(cond, r * plane, cat, 3 * plane, plane);
            inputs[r] = b.upload(cat, 4 * mel, frames);
            outputs[r] = b.alloc(mel, frames);
        }
        est.forward(s.time, s.unet, inputs, t[0], c.input("streaming").asBoolean(), outputs);
        float[] out = new float[batch * mel * frames];
        for (int r = 0; r < batch; r++) b.read(outputs[r], out, r * mel * frames);
        check.compare("output", out, batch, mel, frames);
    }

    private static void cfm(GoldenCase c, CausalMaskedDiffWithXvec model, Cv2FlowSession s, CaseCheck check) {
        FlowGoldenInputs in = FlowGoldenInputs.of(c);
        int steps = c.input("n_timesteps").asInt();
        Cv2FlowEncoding e = model.encode(s, in.tokens(), in.promptTokens(), in.promptFeat(), in.promptFrames(), in.embedding(),
                in.streaming(), in.finalizeCall(), null);
        int mel = model.config().outputSize(), t = e.frames();
        CausalConditionalCfm cfm = model.decoder();

        float[] noise = dev.cosyvoice4j.model.flow.CausalConditionalCfm.noise(mel), z = new float[mel * t];
        for (int ch = 0; ch < mel; ch++) {
            System.arraycopy(noise, ch * dev.cosyvoice4j.model.flow.CausalConditionalCfm.NOISE_FRAMES, z, ch * t, t);
        }
        check.compare("z", z, new long[] {1, mel, t}, c.outputTensor("z"), NOISE_TOLERANCE);
        float[] tSpan = cfm.tSpan(steps);
        check.compare("t_span", tSpan, new long[] {tSpan.length}, c.outputTensor("t_span"), NOISE_TOLERANCE);

        float[] entering = new float[3 * mel * t];
        Buf xb = cfm.solve(s, e.mu(), e.cond(), e.spks(), steps, in.streaming(), null, (step, xs) -> {
            int slot = step == 1 ? 0 : step == 5 ? 1 : step == 10 ? 2 : -1;
            if (slot >= 0) System.arraycopy(xs, 0, entering, slot * mel * t, mel * t);
        });
        if (recorded(c, "x_entering_steps_1_5_10")) check.compare("x_entering_steps_1_5_10", entering, 3, mel, t);
        check.compare("solver_out", model.backend().read(xb), 1, mel, t);
        check.compare("mel", model.generatedMel(s, xb, e.promptFrames()), 1, mel, t - e.promptFrames());
    }
}
