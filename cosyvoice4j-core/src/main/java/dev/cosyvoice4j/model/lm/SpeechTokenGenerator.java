package dev.cosyvoice4j.model.lm;

/**
 * The decode loop of {@code Qwen2LM.inference_wrapper} (HF path) as a pull-style token stream:
 * <pre>
 * for i in range(max_len):
 *     y = llm(lm_input, cache); logp = log_softmax(llm_decoder(y[-1]))
 *     top = sampling_ids(logp, out_tokens, ignore_eos = i &lt; min_len)   # masks index speech_token_size only
 *     if top in stop_token_ids: break
 *     yield top; out_tokens.append(top); lm_input = speech_embedding[top]
 * </pre>
 * The {@code ignore_eos} mask is the official one: it sets index {@code speech_token_size} (= sos for
 * CosyVoice3, not eos) to -inf, so the other stop ids can still end decoding before min_len. In pinned mode
 * ({@link GenerationOptions#pinnedTokens()}) every stop id is masked and exactly that many tokens come out.
 *
 * <p>Not thread-safe; drive it from one thread. Golden: {@code llm/kv_cache_decode}, and the token list of
 * {@code e2e/zero_shot} with {@link ArgmaxSampler}.
 */
public final class SpeechTokenGenerator {
    /** Returned by {@link #next()} when the generation has ended. */
    public static final int END = -1;

    private final CosyVoice3LM lm;
    private final LmSession session;
    private final LmInput input;
    private final Sampler sampler;
    private final GenerationOptions options;
    private final int limit;
    private int step;
    private int lastToken;
    private StopReason stopReason;
    private long prefillNanos, decodeNanos;
    private int decodeSteps;

    SpeechTokenGenerator(CosyVoice3LM lm, LmSession session, LmInput input, Sampler sampler, GenerationOptions options) {
        this.lm = lm;
        this.session = session;
        this.input = input;
        this.sampler = sampler;
        this.options = options;
        this.limit = options.isPinned() ? options.pinnedTokens() : input.maxLen();
        if (input.dim() != lm.hiddenSize()) {
            throw new IllegalArgumentException("lm_input rows have " + input.dim() + " values, the LLM needs " + lm.hiddenSize());
        }
        session.ensureCapacity(input.rows() + limit);
    }

    /** The next speech token, or {@link #END} once a stop id, the length limit or a cancellation ended it. */
    public int next() {
        if (stopReason != null) return END;
        if (options.cancelled().getAsBoolean()) return finish(StopReason.CANCELLED);
        if (session.decodedCount >= limit) return finish(options.isPinned() ? StopReason.PINNED_COUNT : StopReason.MAX_LENGTH);
        long t0 = System.nanoTime();
        float[] logp = step == 0 ? lm.prefillLogProbs(session, input) : lm.stepLogProbs(session, lastToken);
        int n = lm.vocabSize();
        int s = lm.speechTokenSize();
        if (options.isPinned()) {
            for (int i = s; i < n; i++) logp[i] = Float.NEGATIVE_INFINITY;
        } else if (step < input.minLen()) {
            logp[s] = Float.NEGATIVE_INFINITY;      // sampling_ids(ignore_eos=True): index speech_token_size only
        }
        int token = sampler.sample(logp, n, session.decoded, session.decodedCount);
        long nanos = System.nanoTime() - t0;
        if (step == 0) {
            prefillNanos = nanos;
            options.listener().onPrefill(input.rows(), nanos);
        } else {
            decodeSteps++;
            decodeNanos += nanos;
            options.listener().onDecodeStep(step, token, nanos);
        }
        step++;
        if (token < 0 || token >= n) throw new IllegalStateException("sampler returned token " + token + " outside [0, " + n + ")");
        if (lm.isStopToken(token)) return finish(StopReason.STOP_TOKEN);
        session.appendToken(token);
        lastToken = token;
        return token;
    }

    private int finish(StopReason reason) {
        stopReason = reason;
        return END;
    }

    public boolean isFinished() { return stopReason != null; }

    /** Why it ended, or null while running. */
    public StopReason stopReason() { return stopReason; }

    public LmSession session() { return session; }

    /** Tokens emitted so far. */
    public int generatedCount() { return session.decodedCount; }

    /** The outcome; only once {@link #next()} has returned {@link #END}. */
    public GenerationResult result() {
        if (stopReason == null) throw new IllegalStateException("generation has not ended yet");
        return new GenerationResult(session.generatedTokens(), stopReason, input.rows(), prefillNanos, decodeSteps, decodeNanos);
    }
}
