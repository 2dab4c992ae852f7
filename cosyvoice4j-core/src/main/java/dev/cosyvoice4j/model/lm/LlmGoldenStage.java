package dev.cosyvoice4j.model.lm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.LlmConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * Golden stage {@code llm}: {@code llm/lm_input} (lm_input assembly, exact), {@code llm/teacher_forced} (full
 * forward: logits of the last 12 positions, every hidden state, argmax everywhere), {@code llm/kv_cache_decode}
 * (prefill + one-token steps through the KV cache) and {@code sampling/ras} (nucleus candidate sets and the
 * repetition-aware fallback condition). The same cases of {@code golden-cv2} run CosyVoice2's Qwen2LM (sos/task_id
 * from {@code llm_embedding}, decoder with bias, stop ids 6561..6563).
 */
public final class LlmGoldenStage implements GoldenStage {

    @Override
    public String stage() { return "llm"; }

    @Override
    public java.util.Set<String> modelFamilies() {
        return java.util.Set.of(dev.cosyvoice4j.golden.GoldenManifest.COSYVOICE3, dev.cosyvoice4j.golden.GoldenManifest.COSYVOICE2);
    }

    @Override
    public void run(GoldenCase c, GoldenContext ctx, CaseCheck check) throws Exception {
        switch (c.id()) {
            case "llm/lm_input" -> lmInput(c, ctx, check);
            case "llm/teacher_forced" -> teacherForced(c, ctx, check);
            case "llm/kv_cache_decode" -> kvCacheDecode(c, ctx, check);
            case "sampling/ras" -> ras(c, ctx, check);
            default -> throw new SkipCase("no reproduction for llm-stage case " + c.id());
        }
    }

    private static CosyVoice3LM lm(GoldenContext ctx) {
        return ctx.component("llm", dir -> {
            ModelConfig cfg = config(ctx);
            return CosyVoice3LM.open(dir.resolve("llm.pt"), cfg.llm(), cfg.qwen2(), ctx.backend());
        });
    }

    private static ModelConfig config(GoldenContext ctx) {
        return ctx.component("llm-stage.model-config", ModelConfig::load);
    }

    private static void lmInput(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CosyVoice3LM lm = lm(ctx);
        int[] promptText = ints(c.input("prompt_text_ids"));
        int[] text = ints(c.input("text_ids"));
        int[] promptSpeech = c.inputTensor("prompt_speech_token").toIntArray();
        LmInput in = lm.lmInput(LmPrompt.zeroShot(promptText, text, promptSpeech));
        check.compare("lm_input", lm.backend().read(in.embeddings()), 1, in.rows(), in.dim());
        if (lm.variant() == CosyVoice3LM.Variant.QWEN2LM) {           // sos/task_id are llm_embedding rows 0/1
            int[] stops = java.util.stream.IntStream.range(0, lm.vocabSize()).filter(lm::isStopToken).toArray();
            check.compareIds("stop_token_ids", stops, ints(c.output("stop_token_ids")));
        } else {
            check.compareExact("sos_index", lm.sosToken(), c.output("sos_index").asInt());
            check.compareExact("task_id_index", lm.taskIdToken(), c.output("task_id_index").asInt());
        }
        check.compareExact("eos_index", lm.eosToken(), c.output("eos_index").asInt());
        check.compareExact("min_len", in.minLen(), 2 * text.length);
        check.compareExact("max_len", in.maxLen(), 20 * text.length);
    }

    /** The lm_input of the referenced case (its golden tensor, so this case tests the forward pass only). */
    private static Tensor refLmInput(GoldenCase c) {
        return c.ref("lm_input").outputTensor("lm_input");
    }

    private static void teacherForced(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CosyVoice3LM lm = lm(ctx);
        int h = lm.hiddenSize(), vocab = lm.vocabSize(), layers = lm.qwen2().numLayers();
        Backend b = lm.backend();
        float[] prompt = refLmInput(c).toFloatArray();
        int[] given = ints(c.input("given_tokens"));
        int promptRows = prompt.length / h, rows = promptRows + given.length;
        Buf xs = b.alloc(rows, h);
        b.write(xs.rows(0, promptRows), prompt, 0);
        lm.speechEmbedding(given, xs.rows(promptRows, rows));

        float[] hiddenStates = new float[(layers + 1) * rows * h];
        Buf out = b.alloc(rows, h);
        LmSession s = lm.newSession(rows);
        lm.qwen2().forward(s.qwen2(), xs, out, true,
                (index, values, r, dim) -> System.arraycopy(values, 0, hiddenStates, index * r * dim, r * dim));
        Buf logitsBuf = b.alloc(rows, vocab);
        lm.llmDecoder(logitsBuf, out);
        float[] logits = b.read(logitsBuf);

        int last = c.outputTensor("logits_last12").dim(1);
        check.compare("logits_last12", Arrays.copyOfRange(logits, (rows - last) * vocab, rows * vocab), 1, last, vocab);
        check.compare("hidden_states", hiddenStates, layers + 1, rows, h);
        int[] argmax = new int[rows];
        for (int r = 0; r < rows; r++) argmax[r] = ArgmaxSampler.argmax(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab), vocab);
        check.compareIds("argmax_all_positions", argmax, ints(c.output("argmax_all_positions")));
    }

    private static void kvCacheDecode(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        CosyVoice3LM lm = lm(ctx);
        int h = lm.hiddenSize(), vocab = lm.vocabSize();
        float[] prompt = refLmInput(c).toFloatArray();
        int rows = prompt.length / h;
        int[] given = ints(c.input("given_tokens"));
        LmInput in = new LmInput(lm.backend().upload(prompt, rows, h), 0, given.length + 1);
        LmSession s = lm.newSession(rows + given.length);
        float[] stepLogits = new float[(given.length + 1) * vocab];
        int[] argmax = new int[given.length + 1];
        for (int k = 0; k <= given.length; k++) {
            float[] logits = k == 0 ? lm.prefill(s, in) : lm.step(s, given[k - 1]);
            System.arraycopy(logits, 0, stepLogits, k * vocab, vocab);
            argmax[k] = ArgmaxSampler.argmax(logits, vocab);
        }
        check.compare("step_logits", stepLogits, given.length + 1, vocab);
        check.compareIds("argmax_per_step", argmax, ints(c.output("argmax_per_step")));
    }

    private static void ras(GoldenCase c, GoldenContext ctx, CaseCheck check) {
        LlmConfig cfg = config(ctx).llm();
        var probTol = c.toleranceFor("candidate_probs");
        for (JsonNode sc : c.output("cases")) {
            String name = sc.get("name").asText();
            RasSampler sampler = RasSampler.fromConfig(cfg, 0);
            float[] scores = c.tensor(sc.get("scores")).toFloatArray();
            int[] decoded = ints(sc.get("decoded_tokens"));
            int[] idx = new int[cfg.topK()];
            float[] prob = new float[cfg.topK()];
            int n = sampler.nucleusCandidates(scores, scores.length, idx, prob);
            check.compareIds(name + "/candidates", Arrays.copyOf(idx, n), ints(sc.get("candidates")));
            float[] golden = floats(sc.get("candidate_probs"));
            if (n == golden.length) {
                check.compare(name + "/candidate_probs", Arrays.copyOf(prob, n), new long[] {n}, Tensor.of(golden, golden.length), probTol);
            }
            for (Map.Entry<String, JsonNode> e : sc.get("fallback_if_drawn").properties()) {
                int token = Integer.parseInt(e.getKey());
                check.compareExact(name + "/fallback_if_drawn/" + token, sampler.fallbackFires(token, decoded, decoded.length),
                        e.getValue().asBoolean());
            }
        }
    }

    private static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) a[i] = arr.get(i).asInt();
        return a;
    }

    private static float[] floats(JsonNode arr) {
        float[] a = new float[arr.size()];
        for (int i = 0; i < a.length; i++) a[i] = (float) arr.get(i).asDouble();
        return a;
    }
}
