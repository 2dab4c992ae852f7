package dev.cosyvoice4j.model.lm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.tensor.Tensor;
import dev.cosyvoice4j.text.Qwen2Tokenizer;
import dev.cosyvoice4j.text.TokenizerGoldenStage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Golden stage {@code bistream}: {@link BistreamDecoder} ({@code CosyVoice3LM.inference_bistream}) against the
 * official runs with the golden sampler (argmax restricted to the ids the loop accepts, scripted fills, an eos
 * budget; see the fixtures README). Checks per-piece tokenization, {@code out_tokens}, {@code yielded_tokens}, every
 * forward call (phase, cache length, rows, text ids received, token, how), the input rows (exact) and the log-probs.
 */
public final class BistreamGoldenStage implements GoldenStage {

    @Override
    public String stage() { return "bistream"; }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CosyVoice3LM lm = ctx.component("llm", dir -> {
            ModelConfig cfg = ctx.component("llm-stage.model-config", ModelConfig::load);
            return CosyVoice3LM.open(dir.resolve("llm.pt"), cfg.llm(), cfg.qwen2(), ctx.backend());
        });
        Qwen2Tokenizer tok = ctx.component(TokenizerGoldenStage.COMPONENT_KEY, Qwen2Tokenizer::forModelDir);
        JsonNode in = c.inputs();
        JsonNode pieces = in.get("text_pieces"), pieceIds = in.get("text_piece_ids");
        for (int i = 0; i < pieces.size(); i++) {
            check.compareIds("text_piece_ids[" + i + "]", tok.encode(pieces.get(i).asText()), ints(pieceIds.get(i)));
        }
        int[] promptText = tok.encode(in.get("prompt_text").asText());
        check.compareIds("prompt_text_ids", promptText, ints(in.get("prompt_text_ids")));
        JsonNode sp = in.get("llm_prompt_speech_token");
        int[] speech = sp.isArray() ? ints(sp) : c.tensor(sp).toIntArray();
        BistreamPrompt prompt = BistreamPrompt.of(promptText, speech);
        check.compareIds("prompt_prefix_ids", prompt.prefixIds(), ints(in.get("prompt_prefix_ids")));
        check.compareIds("prompt_transcript_ids", prompt.transcriptIds(), ints(in.get("prompt_transcript_ids")));

        GoldenSampler sampler = new GoldenSampler(lm, in.get("sampler"));
        List<BistreamDecoder.ForwardCall> calls = new ArrayList<>();
        List<float[]> inputRows = new ArrayList<>(), logps = new ArrayList<>();
        List<String> hows = new ArrayList<>();
        BistreamDecoder d = lm.bistream(prompt, sampler, (call, input, logp) -> {
            calls.add(call);
            inputRows.add(lm.backend().read(input));
            logps.add(logp);
            hows.add(call.forcedFill() ? "forced_fill" : sampler.lastHow);
        }, null);
        sampler.decoder = d;
        List<Integer> yielded = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) d.acceptText(tok.encode(pieces.get(i).asText()), yielded::add);
        d.finish(yielded::add);

        JsonNode out = c.outputs();
        check.compareIds("out_tokens", d.outTokens(), ints(out.get("out_tokens")));
        check.compareIds("yielded_tokens", yielded.stream().mapToInt(Integer::intValue).toArray(), ints(out.get("yielded_tokens")));
        check.compareExact("n_forward_calls", calls.size(), out.get("n_forward_calls").asInt());
        JsonNode golden = out.get("forward_calls");
        int firstFinal = -1;
        for (int k = 0; k < Math.min(calls.size(), golden.size()); k++) {
            BistreamDecoder.ForwardCall a = calls.get(k);
            JsonNode g = golden.get(k);
            if (a.finalPhase() && firstFinal < 0) firstFinal = k;
            String p = "forward_calls[" + k + "].";
            check.compareExact(p + "phase", a.finalPhase() ? "final" : "text", g.get("phase").asText());
            check.compareExact(p + "cache_len_before", a.cacheLenBefore(), g.get("cache_len_before").asInt());
            check.compareExact(p + "n_rows", a.rows().length, g.get("n_rows").asInt());
            check.compareExact(p + "text_ids_received", a.textIdsReceived(), g.get("text_ids_received").asInt());
            check.compareExact(p + "rows", Arrays.stream(a.rows()).mapToObj(BistreamDecoder.ForwardCall::label).toList(),
                    strings(g.get("rows")));
            check.compareExact(p + "token", a.token(), g.get("token").asInt());
            check.compareExact(p + "how", hows.get(k), g.get("how").asText());
        }
        check.compareExact("final_phase_first_call", firstFinal, out.get("final_phase_first_call").asInt());

        int h = lm.hiddenSize(), total = inputRows.stream().mapToInt(r -> r.length).sum();
        float[] rows = new float[total];
        int at = 0;
        for (float[] r : inputRows) { System.arraycopy(r, 0, rows, at, r.length); at += r.length; }
        check.compare("lm_input_rows", rows, new long[] {total / h, h}, c.outputTensor("lm_input_rows"), c.toleranceFor("lm_input_rows"));

        float[] top10 = c.outputTensor("step_top10_logp").toFloatArray();
        int[] top10Ids = c.outputTensor("step_top10_ids").toIntArray();
        int steps = Math.min(logps.size(), top10Ids.length / 10);
        float[] actual = new float[steps * 10];
        for (int i = 0; i < steps; i++) for (int j = 0; j < 10; j++) actual[i * 10 + j] = logps.get(i)[top10Ids[i * 10 + j]];
        check.compare("step_top10_logp", actual, new long[] {steps, 10},
                Tensor.of(Arrays.copyOf(top10, steps * 10), steps, 10), c.toleranceFor("step_logp"));
        int v = lm.vocabSize();
        float[] first2 = new float[2 * v];
        for (int i = 0; i < 2 && i < logps.size(); i++) System.arraycopy(logps.get(i), 0, first2, i * v, v);
        check.compare("step_logp_first2", first2, new long[] {2, v}, c.outputTensor("step_logp_first2"), c.toleranceFor("step_logp"));
    }

    /** The golden sampler of the fixtures README (only the official {@code sampling} callable is replaced). */
    public static final class GoldenSampler implements Sampler {
        private final CosyVoice3LM lm;
        private final int finalBudget;
        private final int[] fillAt;
        BistreamDecoder decoder;
        int finalStart = -1;
        String lastHow = "";

        /** {@code spec}: the case's {@code sampler} input ({@code final_budget}, {@code fill_at}). */
        public GoldenSampler(CosyVoice3LM lm, JsonNode spec) {
            this.lm = lm;
            this.finalBudget = spec.get("final_budget").asInt();
            this.fillAt = ints(spec.get("fill_at"));
        }

        /** The decoder whose phase this sampler follows. */
        public void attach(BistreamDecoder d) { this.decoder = d; }

        @Override
        public int sample(float[] logp, int n, int[] decoded, int count) {
            int s = lm.speechTokenSize();
            int extra;
            if (decoder.inFinalPhase()) {
                if (finalStart < 0) finalStart = count;
                if (count - finalStart >= finalBudget) { lastHow = "budget_eos"; return lm.eosToken(); }
                extra = lm.eosToken();
            } else {
                for (int f : fillAt) if (f == count) { lastHow = "scripted_fill"; return lm.fillToken(); }
                extra = lm.fillToken();
            }
            lastHow = "argmax";
            int best = ArgmaxSampler.argmax(logp, s);
            return logp[extra] > logp[best] ? extra : best;
        }
    }

    private static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) a[i] = arr.get(i).asInt();
        return a;
    }

    private static List<String> strings(JsonNode arr) {
        List<String> a = new ArrayList<>();
        for (JsonNode x : arr) a.add(x.asText());
        return a;
    }
}
