package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.LlmConfig;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.qwen2.Qwen2Model;
import dev.cosyvoice4j.model.qwen2.Qwen2Weights;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

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
    /**
     * The weights of {@code llm.pt} that are {@code Linear} matrices (attention and MLP projections, the speech-token
     * head): what a backend prepares in the LLM's precision (e.g. Q8_0). Embeddings and norms stay as they are.
     */
    public static final Pattern LINEAR_WEIGHTS = Pattern.compile(
            ".*\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight|llm_decoder\\.weight");

    private final Qwen2Model llm;
    private final Tensor speechEmbedding;
    private final Tensor llmDecoder;
    private final Backend backend;
    private final int speechTokenSize, sos, eosToken, taskId, fillToken, vocab, hiddenSize;
    private final AutoCloseable owner;

    public CosyVoice3LM(Qwen2Model llm, Tensor speechEmbedding, Tensor llmDecoder, int speechTokenSize,
                        AutoCloseable ownerOrNull) {
        this.llm = llm;
        this.speechEmbedding = speechEmbedding;
        this.llmDecoder = llmDecoder;
        this.backend = llm.backend();
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
    public static CosyVoice3LM load(WeightStore store, LlmConfig config, Qwen2Config qwen, Backend backend) {
        if (config.llmInputSize() != qwen.hiddenSize() || config.llmOutputSize() != qwen.hiddenSize()) {
            throw new IllegalArgumentException("llm_input_size " + config.llmInputSize() + " / llm_output_size "
                    + config.llmOutputSize() + " differ from the Qwen2 hidden_size " + qwen.hiddenSize());
        }
        Qwen2Weights weights = Qwen2Weights.load(store, "llm.model.model.", qwen);
        if (store.has("llm.model.lm_head.weight")) store.ignore("llm.model.lm_head.weight");
        long rows = config.speechTokenSize() + EXTRA_TOKENS;
        Tensor speechEmbedding = store.take("speech_embedding.weight", rows, config.llmInputSize());
        Tensor llmDecoder = store.take("llm_decoder.weight", rows, config.llmOutputSize());
        return new CosyVoice3LM(new Qwen2Model(qwen, weights, backend), speechEmbedding, llmDecoder,
                config.speechTokenSize(), null);
    }

    /** Opens {@code llm.pt} (memory-mapped), loads strictly (no unexpected keys) and owns the mapping. */
    public static CosyVoice3LM open(Path llmPt, LlmConfig config, Qwen2Config qwen, Backend backend) {
        WeightStore store = WeightStore.openPt(llmPt);
        try {
            CosyVoice3LM lm = load(store, config, qwen, backend);
            store.checkAllUsed();
            return new CosyVoice3LM(lm.llm, lm.speechEmbedding, lm.llmDecoder, lm.speechTokenSize, store);
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
        Buf e = backend.alloc(rows, hiddenSize);
        int r = 0;
        speechEmbedding(new int[] {sos}, e.rows(r, r + 1));
        r++;
        llm.embedTokens(pt, e.rows(r, r + pt.length));
        r += pt.length;
        llm.embedTokens(t, e.rows(r, r + t.length));
        r += t.length;
        speechEmbedding(new int[] {taskId}, e.rows(r, r + 1));
        r++;
        Qwen2Model.embed(backend, speechEmbedding, ps, e.rows(r, r + ps.length), "prompt speech token");
        int minLen = (int) (t.length * MIN_TOKEN_TEXT_RATIO), maxLen = (int) (t.length * MAX_TOKEN_TEXT_RATIO);
        long[] keys = new long[rows];
        r = 0;
        keys[r++] = LmInput.speechKey(sos);
        for (int id : pt) keys[r++] = LmInput.textKey(id);
        for (int id : t) keys[r++] = LmInput.textKey(id);
        keys[r++] = LmInput.speechKey(taskId);
        for (int id : ps) keys[r++] = LmInput.speechKey(id);
        return new LmInput(e, minLen, maxLen, keys);
    }

    /** {@code speech_embedding.weight[tokens]} into the rows of {@code out}. */
    public void speechEmbedding(int[] tokens, Buf out) {
        Qwen2Model.embed(backend, speechEmbedding, tokens, out, "speech token id");
    }

    public Backend backend() { return backend; }

    /** A session with room for {@code capacityPositions} positions (it grows when a longer input needs it). */
    public LmSession newSession(int capacityPositions) {
        return new LmSession(llm.newSession(capacityPositions), backend, hiddenSize, vocab, capacityPositions);
    }

    /** A session sized for {@code input} plus {@code max_len} generated tokens. */
    public LmSession newSession(LmInput input) {
        return newSession(input.rows() + Math.max(1, input.maxLen()));
    }

    /** Step 0 of the decode loop: forwards the whole {@code lm_input}; returns the logits (the session's host array). */
    public float[] prefill(LmSession session, LmInput input) {
        return session.hostLogits(forwardToLogits(session, prefillRows(session, input)), false);
    }

    /** The rows of {@code input} a prefill must forward: those after the prefix the session still holds. */
    private static Buf prefillRows(LmSession session, LmInput input) {
        int from = session.resume(input);
        return input.embeddings().rows(from, input.rows());
    }

    /** One decode step: forwards {@code speech_embedding[token]}; returns the logits (the session's host array). */
    public float[] step(LmSession session, int token) {
        session.keyStep(token);
        return session.hostLogits(forwardToLogits(session, stepInput(session, token)), false);
    }

    /** {@link #prefill} as {@code log_softmax} of the logits (computed by the backend before they come to the host). */
    public float[] prefillLogProbs(LmSession session, LmInput input) {
        return session.hostLogits(forwardToLogits(session, prefillRows(session, input)), true);
    }

    /** {@link #step} as log-probabilities. */
    public float[] stepLogProbs(LmSession session, int token) {
        session.keyStep(token);
        return session.hostLogits(forwardToLogits(session, stepInput(session, token)), true);
    }

    /** Forwards the rows of {@code embeds} at the next cache positions; returns the last row's log-probabilities. */
    float[] forwardLogProbs(LmSession session, Buf embeds) {
        session.keyUnknown();
        return session.hostLogits(forwardToLogits(session, embeds), true);
    }

    /** {@code embed_tokens.weight[ids]} (the Qwen2 text embedding) into the rows of {@code out}. */
    public void textEmbedding(int[] ids, Buf out) {
        llm.embedTokens(ids, out);
    }

    /**
     * A text-in streaming decode ({@code inference_bistream}) over a fresh session; feed it text ids with
     * {@link BistreamDecoder#acceptText} and end it with {@link BistreamDecoder#finish}.
     */
    public BistreamDecoder bistream(BistreamPrompt prompt, Sampler sampler, BistreamDecoder.Listener listenerOrNull,
                                    java.util.function.BooleanSupplier cancelled) {
        return new BistreamDecoder(this, newSession(prompt.initialRows() + 64), prompt, sampler, listenerOrNull, cancelled);
    }

    /** The same over a caller-provided session (reset first; its KV cache grows as the text arrives). */
    public BistreamDecoder bistream(LmSession session, BistreamPrompt prompt, Sampler sampler,
                                    BistreamDecoder.Listener listenerOrNull, java.util.function.BooleanSupplier cancelled) {
        session.reset();
        return new BistreamDecoder(this, session, prompt, sampler, listenerOrNull, cancelled);
    }

    private Buf stepInput(LmSession s, int token) {
        s.stepToken[0] = token;                                                      // no per-step allocation
        speechEmbedding(s.stepToken, s.embedding);
        return s.embedding;
    }

    private Buf forwardToLogits(LmSession s, Buf embeds) {
        llm.forward(s.qwen, embeds, s.hidden, false);
        backend.linear(s.logits, s.hidden, llmDecoder, null);                       // llm_decoder
        return s.logits;
    }

    /** {@code llm_decoder} over the rows of {@code hidden} into {@code out [rows, vocab]}. */
    public void llmDecoder(Buf out, Buf hidden) {
        backend.linear(out, hidden, llmDecoder, null);
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
