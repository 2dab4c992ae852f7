package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.config.LlmConfig;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.qwen2.Qwen2Model;
import dev.cosyvoice4j.model.qwen2.Qwen2Weights;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * The speech-token language model, a port of {@code cosyvoice/llm/llm.py} {@code CosyVoice3LM} (and the
 * {@code Qwen2LM.inference} / {@code inference_wrapper} it inherits): a Qwen2 decoder fed with input embeddings,
 * {@code speech_embedding} [speech_token_size + 200, H] for speech ids and {@code sos}/{@code task_id}, and the
 * {@code llm_decoder} head Linear(H, speech_token_size + 200) without bias.
 *
 * <p>Ids (derived from speech_token_size, 6561 in the released model): sos = S, eos = S + 1, task_id = S + 2,
 * fill = S + 3; stop ids are S .. S + 199. Immutable and thread-safe; per-request state is an {@link LmSession}.
 * Golden cases: {@code llm/lm_input}, {@code llm/teacher_forced}, {@code llm/kv_cache_decode}.
 */
public final class CosyVoice3LM implements AutoCloseable {
    /** {@code <|endofprompt|>}: {@code Qwen2LM.inference} asserts it is in prompt_text ++ text for CosyVoice3. */
    public static final int ENDOFPROMPT_TOKEN_ID = 151646;
    /** {@code min_token_text_ratio} / {@code max_token_text_ratio} defaults of {@code Qwen2LM.inference}. */
    public static final double MIN_TOKEN_TEXT_RATIO = 2, MAX_TOKEN_TEXT_RATIO = 20;
    /** Speech ids beyond speech_token_size: {@code speech_embedding}/{@code llm_decoder} have S + 200 rows. */
    public static final int EXTRA_TOKENS = 200;

    private final Qwen2Model llm;
    private final Tensor speechEmbedding;
    private final Tensor llmDecoder;
    private final Kernels kernels;
    private final int speechTokenSize, sos, eosToken, taskId, fillToken, vocab, hiddenSize;
    private final AutoCloseable owner;

    public CosyVoice3LM(Qwen2Model llm, Tensor speechEmbedding, Tensor llmDecoder, int speechTokenSize, Kernels kernels,
                        AutoCloseable ownerOrNull) {
        this.llm = llm;
        this.speechEmbedding = speechEmbedding;
        this.llmDecoder = llmDecoder;
        this.kernels = kernels;
        this.speechTokenSize = speechTokenSize;
        this.sos = speechTokenSize;
        this.eosToken = speechTokenSize + 1;
        this.taskId = speechTokenSize + 2;
        this.fillToken = speechTokenSize + 3;
        this.vocab = speechTokenSize + EXTRA_TOKENS;
        this.hiddenSize = llm.hiddenSize();
        if (!speechEmbedding.hasShape(vocab, hiddenSize) || !llmDecoder.hasShape(vocab, hiddenSize)) {
            throw new IllegalArgumentException("speech_embedding " + speechEmbedding + " / llm_decoder " + llmDecoder
                    + " do not match [" + vocab + ", " + hiddenSize + "]");
        }
        this.owner = ownerOrNull;
    }

    /**
     * Takes the LLM from an {@code llm.pt} state dict: {@code llm.model.model.*} (Qwen2 body),
     * {@code speech_embedding.weight}, {@code llm_decoder.weight}. The tied {@code llm.model.lm_head.weight}
     * (same storage as embed_tokens) is ignored: CosyVoice never uses the Qwen LM head. Does not check for
     * leftover keys (the caller owns the store; see {@link #open}).
     */
    public static CosyVoice3LM load(WeightStore store, LlmConfig config, Qwen2Config qwen, Kernels kernels) {
        if (config.llmInputSize() != qwen.hiddenSize() || config.llmOutputSize() != qwen.hiddenSize()) {
            throw new IllegalArgumentException("llm_input_size " + config.llmInputSize() + " / llm_output_size "
                    + config.llmOutputSize() + " differ from the Qwen2 hidden_size " + qwen.hiddenSize());
        }
        Qwen2Weights weights = Qwen2Weights.load(store, "llm.model.model.", qwen);
        if (store.has("llm.model.lm_head.weight")) store.ignore("llm.model.lm_head.weight");
        long rows = config.speechTokenSize() + EXTRA_TOKENS;
        Tensor speechEmbedding = store.take("speech_embedding.weight", rows, config.llmInputSize());
        Tensor llmDecoder = store.take("llm_decoder.weight", rows, config.llmOutputSize());
        return new CosyVoice3LM(new Qwen2Model(qwen, weights, kernels), speechEmbedding, llmDecoder,
                config.speechTokenSize(), kernels, null);
    }

    /** Opens {@code llm.pt} (memory-mapped), loads strictly (no unexpected keys) and owns the mapping. */
    public static CosyVoice3LM open(Path llmPt, LlmConfig config, Qwen2Config qwen, Kernels kernels) {
        WeightStore store = WeightStore.openPt(llmPt);
        try {
            CosyVoice3LM lm = load(store, config, qwen, kernels);
            store.checkAllUsed();
            return new CosyVoice3LM(lm.llm, lm.speechEmbedding, lm.llmDecoder, lm.speechTokenSize, kernels, store);
        } catch (RuntimeException e) {
            try { store.close(); } catch (Exception suppressed) { e.addSuppressed(suppressed); }
            throw e;
        }
    }

    public Qwen2Model qwen2() { return llm; }

    public int speechTokenSize() { return speechTokenSize; }

    public int sosToken() { return sos; }

    public int eosToken() { return eosToken; }

    public int taskIdToken() { return taskId; }

    public int fillToken() { return fillToken; }

    /** Rows of the decoder output (speech_token_size + 200). */
    public int vocabSize() { return vocab; }

    public int hiddenSize() { return hiddenSize; }

    /** {@code stop_token_ids}: every id in [speech_token_size, speech_token_size + 200). */
    public boolean isStopToken(int token) { return token >= speechTokenSize && token < vocab; }

    /** Bytes of weights one decode step streams: the Qwen2 layers, final norm and {@code llm_decoder}. */
    public long decodeStepWeightBytes() {
        return llm.weights().layerByteSize() + llmDecoder.dtype().storageBytes(llmDecoder.numel());
    }

    /**
     * Builds {@code lm_input = [speech_emb(sos), embed_tokens(prompt_text ++ text), speech_emb(task_id),
     * speech_emb(prompt speech tokens)]} and {@code min_len}/{@code max_len} from the text ids alone.
     *
     * @throws IllegalArgumentException when {@code <|endofprompt|>} (151646) is in neither prompt text nor text
     *                                  (the official assertion), or an id is out of range
     */
    public LmInput lmInput(LmPrompt prompt) {
        int[] pt = prompt.promptTextIds(), t = prompt.textIds(), ps = prompt.promptSpeechTokens();
        if (!contains(pt, ENDOFPROMPT_TOKEN_ID) && !contains(t, ENDOFPROMPT_TOKEN_ID)) {
            throw new IllegalArgumentException("<|endofprompt|> (id " + ENDOFPROMPT_TOKEN_ID + ") not found in the prompt "
                    + "text or the text: CosyVoice3 needs it, e.g. a prompt text 'You are a helpful assistant.<|endofprompt|>...'");
        }
        int rows = 1 + pt.length + t.length + 1 + ps.length;
        int h = hiddenSize;
        float[] e = new float[rows * h];
        int r = 0;
        Qwen2Model.copyRow(speechEmbedding, sos, e, 0, "speech token id");
        r++;
        llm.embedTokens(pt, e, r * h);
        r += pt.length;
        llm.embedTokens(t, e, r * h);
        r += t.length;
        Qwen2Model.copyRow(speechEmbedding, taskId, e, r * h, "speech token id");
        r++;
        Qwen2Model.copyRows(speechEmbedding, ps, e, r * h, "prompt speech token");
        int minLen = (int) (t.length * MIN_TOKEN_TEXT_RATIO), maxLen = (int) (t.length * MAX_TOKEN_TEXT_RATIO);
        return new LmInput(e, rows, h, minLen, maxLen);
    }

    /** {@code speech_embedding.weight[tokens]} into {@code out} at {@code offset}. */
    public void speechEmbedding(int[] tokens, float[] out, int offset) {
        Qwen2Model.copyRows(speechEmbedding, tokens, out, offset, "speech token id");
    }

    /** A session with room for {@code capacityPositions} positions and a history of up to that many tokens. */
    public LmSession newSession(int capacityPositions) {
        return new LmSession(llm.newSession(capacityPositions), hiddenSize, vocab, capacityPositions);
    }

    /** A session sized for {@code input} plus {@code max_len} generated tokens. */
    public LmSession newSession(LmInput input) {
        return newSession(input.rows() + Math.max(1, input.maxLen()));
    }

    /** Step 0 of the decode loop: forwards the whole {@code lm_input}; returns the session's logits buffer. */
    public float[] prefill(LmSession session, LmInput input) {
        return forwardToLogits(session, input.embeddings(), input.rows());
    }

    /** One decode step: forwards {@code speech_embedding[token]}; returns the session's logits buffer. */
    public float[] step(LmSession session, int token) {
        Qwen2Model.copyRow(speechEmbedding, token, session.embedding, 0, "speech token id");
        return forwardToLogits(session, session.embedding, 1);
    }

    private float[] forwardToLogits(LmSession s, float[] embeds, int rows) {
        llm.forward(s.qwen, embeds, rows, s.hidden, false);
        kernels.linear(s.logits, s.hidden, 1, llmDecoder, null);
        return s.logits;
    }

    /** {@code llm_decoder} over {@code rows} hidden states ({@code out} is {@code [rows, vocab]}). */
    public void llmDecoder(float[] out, float[] hidden, int rows) {
        kernels.linear(out, hidden, rows, llmDecoder, null);
    }

    /** In-place {@code log_softmax} over {@code x[0..n)} in float32 ({@code x - (max + log(sum(exp(x - max))))}). */
    public static void logSoftmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[i]);
        double sum = 0;     // accumulated in double: a sequential float sum of 6761 terms drifts by ~1e-6
        for (int i = 0; i < n; i++) sum += (float) StrictMath.exp(x[i] - max);
        float shift = max + (float) StrictMath.log(sum);
        for (int i = 0; i < n; i++) x[i] -= shift;
    }

    /**
     * A pull-style token stream over a fresh session ({@code lm_input} rows + max_len, or + the pinned count).
     * The engine calls {@link SpeechTokenGenerator#next()} from its LLM thread and hands tokens on as they come.
     */
    public SpeechTokenGenerator generator(LmInput input, Sampler sampler, GenerationOptions options) {
        int tokens = options.isPinned() ? options.pinnedTokens() : Math.max(1, input.maxLen());
        return new SpeechTokenGenerator(this, newSession(input.rows() + tokens), input, sampler, options);
    }

    /** The same over a caller-provided session (reset first; it must hold lm_input rows + the tokens to generate). */
    public SpeechTokenGenerator generator(LmSession session, LmInput input, Sampler sampler, GenerationOptions options) {
        session.reset();
        return new SpeechTokenGenerator(this, session, input, sampler, options);
    }

    /** Runs the whole decode loop, calling {@code onToken} for every emitted token (streaming). */
    public GenerationResult generate(LmInput input, Sampler sampler, GenerationOptions options, IntConsumer onToken) {
        SpeechTokenGenerator g = generator(input, sampler, options);
        for (int t = g.next(); t != SpeechTokenGenerator.END; t = g.next()) onToken.accept(t);
        return g.result();
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }

    @Override
    public void close() throws Exception {
        if (owner != null) owner.close();
    }
}
