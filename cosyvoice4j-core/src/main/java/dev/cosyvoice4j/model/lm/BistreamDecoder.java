package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Buf;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Text-in streaming decode, a port of {@code Qwen2LM.inference_bistream} ({@code cosyvoice/llm/llm.py}) as
 * {@code CosyVoice3LM} uses it: push-style instead of a Python generator over a text-id generator. Each
 * {@link #acceptText} call is one iteration of {@code for this_text in text}:
 * <pre>
 * text_cache += embed_tokens(id)
 * while prompt speech remains and len(text_cache) &gt;= 5: lm_input += text_cache[:5] ++ prompt_speech[:15]
 * if no prompt speech remains:
 *     if out_tokens[-1] == fill: wait for 5 text ids, then lm_input = text_cache[:5]   (replaces lm_input)
 *     decode until a fill: forced when len(out_tokens) == next_fill_index (the sampler is not called),
 *     every fill sets next_fill_index = its index + 16; fills are appended to out_tokens, never yielded or fed
 * </pre>
 * and {@link #finish} is the final phase: {@code lm_input ++ text_cache ++ task_id}, decoded with
 * {@code ignore_eos=False} until eos. Kept quirks of the official code: CosyVoice3 never waits before the first burst
 * (lm_input already holds sos + the prompt prefix); after a burst lm_input still holds the last speech embedding,
 * which the final phase feeds again; unconsumed prompt speech is dropped; no min_len / max_len.
 *
 * <p>CosyVoice2's Qwen2LM runs the same loop ({@link BistreamPrompt#cosyVoice2}): sos and task_id are
 * {@code llm_embedding} rows, lm_input starts as the bare sos (so with no prompt speech it waits for 5 text ids before
 * the first burst), fill is 6563 and eos 6561 (the index {@code ignore_eos} masks). Not covered by golden cases.
 *
 * <p>State lives here and in the {@link LmSession} (the KV cache grows by the rows of each forward call). Not
 * thread-safe: one request, one thread. Golden cases: {@code bistream/zero_shot_pieces}, {@code bistream/short_text},
 * {@code bistream/instruct2}, {@code bistream/sampled_fill} ({@link BistreamGoldenStage}).
 */
public final class BistreamDecoder {
    /** {@code mix_ratio = [5, 15]} of the CosyVoice3 config. */
    public static final int MIX_TEXT = 5, MIX_SPEECH = 15;

    /** Row markers of CosyVoice2's sos / task_id ({@code llm_embedding} rows 0 / 1, not speech ids). */
    static final int LLM_EMBEDDING_SOS_ROW = Integer.MIN_VALUE, LLM_EMBEDDING_TASK_ROW = Integer.MIN_VALUE + 1;

    /**
     * One {@code forward_one_step} call, for tests and tracing. Rows: speech id, {@code -(text id + 1)}, or (CosyVoice2)
     * the sos / task_id markers of {@code llm_embedding}.
     */
    public record ForwardCall(int index, boolean finalPhase, int cacheLenBefore, int[] rows, int textIdsReceived,
                              int token, boolean forcedFill) {
        public static String label(int row) {
            if (row == LLM_EMBEDDING_SOS_ROW) return "sos";
            if (row == LLM_EMBEDDING_TASK_ROW) return "task_id";
            return row >= 0 ? "s:" + row : "t:" + (-row - 1);
        }
    }

    /** Sees every forward call: its input rows (a backend buffer) and log-probs before any masking. */
    public interface Listener {
        void onForward(ForwardCall call, Buf input, float[] logp);
    }

    private final CosyVoice3LM lm;
    private final LmSession session;
    private final Sampler sampler;
    private final Listener listener;
    private final BooleanSupplier cancelled;
    private final int[] promptSpeech;
    private int speechPos;
    private final IntList lmInput = new IntList(), textCache = new IntList();
    private int nextFillIndex;
    private int textIdsReceived, calls;
    private boolean finalPhase, finished;
    private boolean guarded;
    private int finalTokens;

    /**
     * Engine guard (off by default = the official behaviour): the sampler sees only the ids the loop accepts
     * (speech ids plus fill in the text phase, plus eos in the final phase) instead of raising "should not get
     * token" on any other, and the final phase stops after {@code 20 * text ids} speech tokens (the official
     * {@code max_token_text_ratio} of {@code inference}; {@code inference_bistream} has no bound). The golden runs
     * are unchanged by it (their sampler already restricts itself); RAS samples may differ where the official would
     * have drawn a rejected id.
     */
    public BistreamDecoder guarded(boolean on) {
        this.guarded = on;
        return this;
    }

    BistreamDecoder(CosyVoice3LM lm, LmSession session, BistreamPrompt prompt, Sampler sampler, Listener listener,
                    BooleanSupplier cancelled) {
        this.lm = lm;
        this.session = session;
        this.sampler = sampler;
        this.listener = listener;
        this.cancelled = cancelled == null ? () -> false : cancelled;
        this.promptSpeech = prompt.speechTokens();
        lmInput.add(sosTaskRow(lm.sosToken()));
        for (int id : prompt.prefixIds()) lmInput.add(-id - 1);
        for (int id : prompt.transcriptIds()) textCache.add(-id - 1);
        int p = promptSpeech.length;
        this.nextFillIndex = (p / MIX_SPEECH + 1) * MIX_SPEECH - p;
    }

    /** Text ids delivered so far. */
    public int textIdsReceived() { return textIdsReceived; }

    /** True once {@link #finish} started the final phase. */
    public boolean inFinalPhase() { return finalPhase; }

    public boolean isFinished() { return finished; }

    /** {@code out_tokens}: every token of every forward call, fills and the final eos included. */
    public int[] outTokens() { return session.generatedTokens(); }

    public LmSession session() { return session; }

    /** Feeds text ids one by one (one generator step each), handing speech tokens to {@code onToken} as decoded. */
    public void acceptText(int[] ids, IntConsumer onToken) {
        for (int id : ids) acceptText(id, onToken);
    }

    /** One step of {@code for this_text in text}. */
    public void acceptText(int id, IntConsumer onToken) {
        if (finalPhase) throw new IllegalStateException("text after finish()");
        if (id < 0) throw new IllegalArgumentException("text id " + id);
        textIdsReceived++;
        textCache.add(-id - 1);
        while (speechPos < promptSpeech.length && textCache.size() >= MIX_TEXT) {
            textCache.moveFirst(MIX_TEXT, lmInput);
            int n = Math.min(MIX_SPEECH, promptSpeech.length - speechPos);
            for (int i = 0; i < n; i++) lmInput.add(promptSpeech[speechPos++]);
        }
        if (speechPos < promptSpeech.length) return;
        int count = session.decodedCount;
        boolean afterFill = count != 0 && session.decoded[count - 1] == lm.fillToken();
        // (len(out_tokens) == 0 and lm_input.size(1) == 1) is CosyVoice2's bare [sos]: never true in CosyVoice3
        if (afterFill || (count == 0 && lmInput.size() == 1)) {
            if (textCache.size() < MIX_TEXT) return;                              // wait for more text
            lmInput.clear();
            textCache.moveFirst(MIX_TEXT, lmInput);
        }
        while (true) {
            int token = forward(onToken);
            if (token == lm.fillToken()) return;
        }
    }

    /** The final phase (the text generator is exhausted): decodes until eos. */
    public void finish(IntConsumer onToken) {
        if (finalPhase) throw new IllegalStateException("finish() called twice");
        finalPhase = true;
        textCache.moveFirst(textCache.size(), lmInput);
        lmInput.add(sosTaskRow(lm.taskIdToken()));
        while (forward(onToken) != lm.eosToken()) { }
        finished = true;
    }

    /** One forward_one_step + token choice; returns the token (yielded through onToken when it is speech). */
    private int forward(IntConsumer onToken) {
        if (cancelled.getAsBoolean()) throw new java.util.concurrent.CancellationException("text-in streaming cancelled");
        int[] rows = lmInput.toArray();
        int cacheBefore = session.length();
        Buf input = embed(rows);
        float[] logp = lm.forwardLogProbs(session, input);
        float[] seen = listener == null ? null : Arrays.copyOf(logp, lm.vocabSize());
        int count = session.decodedCount, s = lm.speechTokenSize(), fill = lm.fillToken();
        int token;
        boolean forced = false;
        if (!finalPhase && nextFillIndex != -1 && count == nextFillIndex) {
            token = fill;
            forced = true;
            nextFillIndex += MIX_SPEECH + 1;
        } else {
            if (!finalPhase) logp[s] = Float.NEGATIVE_INFINITY;   // sampling_ids(ignore_eos=True): index speech_token_size
            if (guarded) {
                int keep = finalPhase ? lm.eosToken() : fill;
                for (int i = s; i < lm.vocabSize(); i++) if (i != keep) logp[i] = Float.NEGATIVE_INFINITY;
            }
            token = sampler.sample(logp, lm.vocabSize(), session.decoded, count);
            if (token < 0 || token >= lm.vocabSize()) throw new IllegalStateException("sampler returned token " + token);
        }
        if (!finalPhase && token == fill) nextFillIndex = count + MIX_SPEECH + 1;
        if (guarded && finalPhase && token < s && ++finalTokens > 20 * Math.max(1, textIdsReceived)) token = lm.eosToken();
        session.appendToken(token);
        if (listener != null) {
            listener.onForward(new ForwardCall(calls, finalPhase, cacheBefore, rows, textIdsReceived, token, forced), input, seen);
        }
        calls++;
        if (token >= s) {
            if (token == (finalPhase ? lm.eosToken() : fill)) return token;
            throw new IllegalStateException("should not get token " + token + " in the " + (finalPhase ? "final" : "text")
                    + " phase of text-in streaming (the official inference_bistream raises ValueError)");
        }
        onToken.accept(token);
        lmInput.clear();
        lmInput.add(token);
        return token;
    }

    /** The lm_input row of sos / task_id: a speech id (CosyVoice3LM) or an llm_embedding marker (Qwen2LM). */
    private int sosTaskRow(int id) {
        if (lm.variant() == CosyVoice3LM.Variant.COSYVOICE3LM) return id;
        return id == lm.sosToken() ? LLM_EMBEDDING_SOS_ROW : LLM_EMBEDDING_TASK_ROW;
    }

    private Buf embed(int[] rows) {
        if (rows.length == 1 && rows[0] >= 0) {
            session.stepToken[0] = rows[0];
            lm.speechEmbedding(session.stepToken, session.embedding);
            return session.embedding;
        }
        Buf e = lm.backend().alloc(rows.length, lm.hiddenSize());
        int r = 0;
        while (r < rows.length) {                                    // runs of the same kind, one lookup each
            if (rows[r] == LLM_EMBEDDING_SOS_ROW || rows[r] == LLM_EMBEDDING_TASK_ROW) {
                lm.sosTaskEmbedding(rows[r] == LLM_EMBEDDING_SOS_ROW ? lm.sosToken() : lm.taskIdToken(), e.rows(r, r + 1));
                r++;
                continue;
            }
            boolean speech = rows[r] >= 0;
            int end = r;
            while (end < rows.length && (rows[end] >= 0) == speech && rows[end] > LLM_EMBEDDING_TASK_ROW) end++;
            int[] ids = new int[end - r];
            for (int i = r; i < end; i++) ids[i - r] = speech ? rows[i] : -rows[i] - 1;
            if (speech) lm.speechEmbedding(ids, e.rows(r, end));
            else lm.textEmbedding(ids, e.rows(r, end));
            r = end;
        }
        return e;
    }

    /** A small growable int list with removal from the front. */
    private static final class IntList {
        private int[] a = new int[64];
        private int head, tail;

        int size() { return tail - head; }

        void add(int v) {
            if (tail == a.length) {
                a = Arrays.copyOfRange(a, head, Math.max(64, 2 * (tail - head) + 16));
                tail -= head;
                head = 0;
            }
            a[tail++] = v;
        }

        void clear() { head = tail = 0; }

        void moveFirst(int n, IntList to) {
            for (int i = 0; i < n; i++) to.add(a[head + i]);
            head += n;
        }

        int[] toArray() { return Arrays.copyOfRange(a, head, tail); }
    }
}
