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
 *
 * <p>The same class runs CosyVoice2's {@code Qwen2LM} ({@code llm.py:257-549}, {@link Variant#QWEN2LM}, chosen when
 * {@code llm.pt} has {@code llm_embedding.weight}): sos and task_id are rows 0 and 1 of the separate 2-row
 * {@code llm_embedding} (l. 471-473), the speech vocabulary is S + 3 (eos = S, fill = S + 2; stop ids S .. S + 2,
 * l. 296), {@code llm_decoder} has a bias (l. 278) and the prompt needs no {@code <|endofprompt|>}. The decode loop
 * is the same (ignore_eos masks index S, which is CosyVoice2's eos). Golden: {@code golden-cv2} {@code llm/*}.
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

    /** Speech ids beyond speech_token_size in CosyVoice2's Qwen2LM: eos, task_id and fill (6561..6563). */
    public static final int QWEN2LM_EXTRA_TOKENS = 3;

    /** Which official class the weights are: decides the sos/task rows, the head's bias and the extra ids. */
    public enum Variant {
        /** Fun-CosyVoice3's {@code CosyVoice3LM}: sos/task_id are speech_embedding rows, 200 extra ids. */
        COSYVOICE3LM,
        /** CosyVoice2's {@code Qwen2LM}: sos/task_id are llm_embedding rows 0/1, 3 extra ids, decoder bias. */
        QWEN2LM
    }

    private final Qwen2Model llm;
    private final Tensor speechEmbedding;
    private final Tensor llmDecoder;
    private final Variant variant;
    /** Qwen2LM only (else null): {@code llm_embedding.weight [2, H]} and {@code llm_decoder.bias}. */
    private final Tensor llmEmbedding, llmDecoderBias;
    private final Backend backend;
    private final int speechTokenSize, sos, eosToken, taskId, fillToken, vocab, hiddenSize;
    private final AutoCloseable owner;

    public CosyVoice3LM(Qwen2Model llm, Tensor speechEmbedding, Tensor llmDecoder, int speechTokenSize,
                        AutoCloseable ownerOrNull) {
        this(llm, speechEmbedding, llmDecoder, null, null, speechTokenSize, ownerOrNull);
    }

    /**
     * CosyVoice3LM when {@code llmEmbeddingOrNull} is null, else CosyVoice2's Qwen2LM ({@code llm_embedding [2, H]}
     * and the decoder bias required).
     */
    public CosyVoice3LM(Qwen2Model llm, Tensor speechEmbedding, Tensor llmDecoder, Tensor llmEmbeddingOrNull,
                        Tensor llmDecoderBiasOrNull, int speechTokenSize, AutoCloseable ownerOrNull) {
        this.llm = llm;
        this.speechEmbedding = speechEmbedding;
        this.llmDecoder = llmDecoder;
        this.variant = llmEmbeddingOrNull == null ? Variant.COSYVOICE3LM : Variant.QWEN2LM;
        this.llmEmbedding = llmEmbeddingOrNull;
        this.llmDecoderBias = llmDecoderBiasOrNull;
        this.backend = llm.backend();
        this.speechTokenSize = speechTokenSize;
        this.hiddenSize = llm.hiddenSize();
        if (variant == Variant.COSYVOICE3LM) {
            this.sos = speechTokenSize;
            this.eosToken = speechTokenSize + 1;
            this.taskId = speechTokenSize + 2;
            this.fillToken = speechTokenSize + 3;
            this.vocab = speechTokenSize + EXTRA_TOKENS;
            if (llmDecoderBiasOrNull != null) throw new IllegalArgumentException("CosyVoice3LM's llm_decoder has no bias");
        } else {
            this.sos = 0;                                     // rows of llm_embedding, not speech ids
            this.taskId = 1;
            this.eosToken = speechTokenSize;
            this.fillToken = speechTokenSize + 2;
            this.vocab = speechTokenSize + QWEN2LM_EXTRA_TOKENS;
            if (!llmEmbeddingOrNull.hasShape(2, hiddenSize) || llmDecoderBiasOrNull == null
                    || !llmDecoderBiasOrNull.hasShape(vocab)) {
                throw new IllegalArgumentException("Qwen2LM needs llm_embedding [2, " + hiddenSize + "] and llm_decoder.bias ["
                        + vocab + "], got " + llmEmbeddingOrNull + " / " + llmDecoderBiasOrNull);
            }
        }
        if (!speechEmbedding.hasShape(vocab, hiddenSize) || !llmDecoder.hasShape(vocab, hiddenSize)) {
            throw new IllegalArgumentException("speech_embedding " + speechEmbedding + " / llm_decoder " + llmDecoder
                    + " do not match [" + vocab + ", " + hiddenSize + "]");
        }
        this.owner = ownerOrNull;
    }

    /**
     * Takes the LLM from an {@code llm.pt} state dict: {@code llm.model.model.*} (Qwen2 body),
     * {@code speech_embedding.weight}, {@code llm_decoder.weight}. The tied {@code llm.model.lm_head.weight}
     * (same storage as embed_tokens) is ignored: CosyVoice never uses the Qwen LM head. A state dict with
     * {@code llm_embedding.weight} is CosyVoice2's Qwen2LM ({@link Variant#QWEN2LM}: also {@code llm_decoder.bias}).
     * Does not check for leftover keys (the caller owns the store; see {@link #open}).
     */
    public static CosyVoice3LM load(WeightStore store, LlmConfig config, Qwen2Config qwen, Backend backend) {
        if (config.llmInputSize() != qwen.hiddenSize() || config.llmOutputSize() != qwen.hiddenSize()) {
            throw new IllegalArgumentException("llm_input_size " + config.llmInputSize() + " / llm_output_size "
                    + config.llmOutputSize() + " differ from the Qwen2 hidden_size " + qwen.hiddenSize());
        }
        Qwen2Weights weights = Qwen2Weights.load(store, "llm.model.model.", qwen);
        if (store.has("llm.model.lm_head.weight")) store.ignore("llm.model.lm_head.weight");
        boolean qwen2Lm = store.has("llm_embedding.weight");
        long rows = config.speechTokenSize() + (qwen2Lm ? QWEN2LM_EXTRA_TOKENS : EXTRA_TOKENS);
        Tensor speechEmbedding = store.take("speech_embedding.weight", rows, config.llmInputSize());
        Tensor llmDecoder = store.take("llm_decoder.weight", rows, config.llmOutputSize());
        Tensor llmEmbedding = qwen2Lm ? store.take("llm_embedding.weight", 2, config.llmInputSize()) : null;
        Tensor llmDecoderBias = qwen2Lm ? store.take("llm_decoder.bias", rows) : null;
        return new CosyVoice3LM(new Qwen2Model(qwen, weights, backend), speechEmbedding, llmDecoder, llmEmbedding,
                llmDecoderBias, config.speechTokenSize(), null);
    }

    /** Opens {@code llm.pt} (memory-mapped), loads strictly (no unexpected keys) and owns the mapping. */
    public static CosyVoice3LM open(Path llmPt, LlmConfig config, Qwen2Config qwen, Backend backend) {
        WeightStore store = WeightStore.openPt(llmPt);
        try {
            CosyVoice3LM lm = load(store, config, qwen, backend);
            store.checkAllUsed();
            return new CosyVoice3LM(lm.llm, lm.speechEmbedding, lm.llmDecoder, lm.llmEmbedding, lm.llmDecoderBias,
                    lm.speechTokenSize, store);
        } catch (RuntimeException e) {
            try { store.close(); } catch (Exception suppressed) { e.addSuppressed(suppressed); }
            throw e;
        }
    }

    public Qwen2Model qwen2() { return llm; }

    public int speechTokenSize() { return speechTokenSize; }

    /** CosyVoice3LM or CosyVoice2's Qwen2LM. */
    public Variant variant() { return variant; }

    /** The sos id: a speech_embedding row (CosyVoice3LM) or llm_embedding row 0 (Qwen2LM). */
    public int sosToken() { return sos; }

    public int eosToken() { return eosToken; }

    /** The task_id: a speech_embedding row (CosyVoice3LM) or llm_embedding row 1 (Qwen2LM). */
    public int taskIdToken() { return taskId; }

    public int fillToken() { return fillToken; }

    /** Rows of the decoder output (speech_token_size + 200; Qwen2LM: + 3). */
    public int vocabSize() { return vocab; }

    public int hiddenSize() { return hiddenSize; }

    /** {@code stop_token_ids}: every id in [speech_token_size, vocab) (Qwen2LM: 6561, 6562, 6563). */
    public boolean isStopToken(int token) { return token >= speechTokenSize && token < vocab; }

    /** Bytes of weights one decode step streams: the Qwen2 layers, final norm and {@code llm_decoder}. */
    public long decodeStepWeightBytes() {
        return llm.weights().layerByteSize() + llmDecoder.dtype().storageBytes(llmDecoder.numel())
                + (llmDecoderBias == null ? 0 : llmDecoderBias.dtype().storageBytes(llmDecoderBias.numel()));
    }

    /**
     * Builds {@code lm_input = [speech_emb(sos), embed_tokens(prompt_text ++ text), speech_emb(task_id),
     * speech_emb(prompt speech tokens)]} and {@code min_len}/{@code max_len} from the text ids alone (Qwen2LM:
     * sos and task_id from {@code llm_embedding}, l. 471-497).
     *
     * @throws IllegalArgumentException when {@code <|endofprompt|>} (151646) is in neither prompt text nor text
     *                                  (the official assertion, CosyVoice3LM only), or an id is out of range
     */
    public LmInput lmInput(LmPrompt prompt) {
        int[] pt = prompt.promptTextIds(), t = prompt.textIds(), ps = prompt.promptSpeechTokens();
        if (variant == Variant.COSYVOICE3LM && !contains(pt, ENDOFPROMPT_TOKEN_ID) && !contains(t, ENDOFPROMPT_TOKEN_ID)) {
            throw new IllegalArgumentException("<|endofprompt|> (id " + ENDOFPROMPT_TOKEN_ID + ") not found in the prompt "
                    + "text or the text: CosyVoice3 needs it, e.g. a prompt text 'You are a helpful assistant.<|endofprompt|>...'");
        }
        int rows = 1 + pt.length + t.length + 1 + ps.length;
        Buf e = backend.alloc(rows, hiddenSize);
        int r = 0;
        sosTaskEmbedding(sos, e.rows(r, r + 1));
        r++;
        llm.embedTokens(pt, e.rows(r, r + pt.length));
        r += pt.length;
        llm.embedTokens(t, e.rows(r, r + t.length));
        r += t.length;
        sosTaskEmbedding(taskId, e.rows(r, r + 1));
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

    /** The sos or task_id row: {@code speech_embedding} (CosyVoice3LM) or {@code llm_embedding} (Qwen2LM). */
    public void sosTaskEmbedding(int id, Buf out) {
        if (llmEmbedding == null) speechEmbedding(new int[] {id}, out);
        else Qwen2Model.embed(backend, llmEmbedding, new int[] {id}, out, "llm_embedding row");
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
        // decode keeps priority over audio computed beside it (a later chunk's flow and vocoder): Backend.foreground
        try (var f = backend.foreground()) {
            llm.forward(s.qwen, embeds, s.hidden, false);
            backend.linear(s.logits, s.hidden, llmDecoder, llmDecoderBias);         // llm_decoder
        }
        return s.logits;
    }

    /** {@code llm_decoder} over the rows of {@code hidden} into {@code out [rows, vocab]}. */
    public void llmDecoder(Buf out, Buf hidden) {
        backend.linear(out, hidden, llmDecoder, llmDecoderBias);
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
