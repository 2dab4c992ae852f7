package dev.cosyvoice4j.model.qwen2;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The Qwen2 decoder stack, a port of HF transformers 4.51 {@code Qwen2Model.forward} as CosyVoice calls it
 * ({@code cosyvoice/llm/llm.py Qwen2Encoder}: {@code inputs_embeds} in, {@code hidden_states[-1]}, i.e. the
 * output of the final RMSNorm, out). Per layer: RMSNorm, q/k/v projections (with bias), NeoX
 * {@code rotate_half} RoPE, grouped-query causal attention over the session's KV cache, o_proj, residual,
 * RMSNorm, SiLU-gated MLP, residual.
 *
 * <p>Immutable and thread-safe: all mutable state (KV cache, scratch) lives in the {@link Qwen2Session} passed to
 * {@link #forward}. Golden cases: {@code llm/teacher_forced} (full forward, every hidden state) and
 * {@code llm/kv_cache_decode} (prefill then one-row steps).
 */
public final class Qwen2Model {
    private final Qwen2Config config;
    private final Qwen2Weights weights;
    private final Backend backend;
    private final int hidden, heads, kvHeads, headDim, qDim, kvDim, ffn;
    private final float eps;
    private final float scale;
    private final Tensor invFreq;

    public Qwen2Model(Qwen2Config config, Qwen2Weights weights, Backend backend) {
        this.config = config;
        this.weights = weights;
        this.backend = backend;
        this.hidden = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        this.qDim = heads * headDim;
        this.kvDim = kvHeads * headDim;
        this.ffn = config.intermediateSize();
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head_dim, got " + headDim);
        if (weights.layers().size() != config.numHiddenLayers()) {
            throw new IllegalArgumentException("config has " + config.numHiddenLayers() + " layers, weights have " + weights.layers().size());
        }
        this.eps = (float) config.rmsNormEps();
        this.scale = (float) StrictMath.pow(headDim, -0.5);     // Qwen2Attention.scaling = head_dim ** -0.5
        float[] f = ropeInvFreq(headDim, config.ropeTheta());
        this.invFreq = Tensor.of(f, f.length);
    }

    /**
     * HF {@code _compute_default_rope_parameters}: {@code 1.0 / (base ** (arange(0, dim, 2).float() / dim))}, all
     * in float32 (the exponent is a float32 quotient, the power and the reciprocal are float32 ops).
     */
    public static float[] ropeInvFreq(int headDim, double theta) {
        float base = (float) theta;
        float[] f = new float[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            float pow = (float) StrictMath.pow(base, exponent);
            f[i] = 1f / pow;
        }
        return f;
    }

    public Qwen2Config config() { return config; }

    public Qwen2Weights weights() { return weights; }

    public Backend backend() { return backend; }

    public int hiddenSize() { return hidden; }

    public int numLayers() { return weights.layers().size(); }

    /** A fresh session whose KV cache holds {@code capacity} positions (prompt plus generated tokens). */
    public Qwen2Session newSession(int capacity) {
        return new Qwen2Session(backend, capacity, numLayers(), hidden, qDim, kvDim, ffn);
    }

    /** {@code embed_tokens(ids)} into the rows of {@code out}. */
    public void embedTokens(int[] ids, Buf out) {
        embed(backend, weights.embedTokens(), ids, out, "text token id");
    }

    /** An {@code nn.Embedding} lookup: rows {@code ids} of {@code table} into {@code out}, ids checked first. */
    public static void embed(Backend backend, Tensor table, int[] ids, Buf out, String what) {
        int rows = table.dim(0);
        for (int id : ids) {
            if (id < 0 || id >= rows) throw new IllegalArgumentException(what + " " + id + " is outside [0, " + rows + ")");
        }
        backend.gatherRows(out, table, ids);
    }

    /** {@link #forward(Qwen2Session, Buf, Buf, boolean, HiddenStatesTap)} without a tap. */
    public void forward(Qwen2Session session, Buf embeds, Buf out, boolean allRows) {
        forward(session, embeds, out, allRows, null);
    }

    /**
     * Runs the rows of {@code embeds} at the next positions of the session and appends their keys/values to its
     * cache. Writes the final-RMSNorm output into {@code out}: every row ({@code [rows, H]}) when {@code allRows},
     * else only the last row ({@code [1, H]}). Prefill is one call with the whole prompt; a decode step one row.
     */
    public void forward(Qwen2Session s, Buf embeds, Buf out, boolean allRows, HiddenStatesTap tap) {
        int rows = embeds.rows();
        if (rows < 1) throw new IllegalArgumentException("forward needs at least one input row");
        if (embeds.cols() != hidden) throw new IllegalArgumentException("embeds are " + embeds.shape() + ", rows of " + hidden + " needed");
        if (out.rows() != (allRows ? rows : 1) || out.cols() != hidden) {
            throw new IllegalArgumentException("output " + out.shape() + " for " + rows + " rows (allRows " + allRows + ")");
        }
        s.ensureCapacity(s.length() + rows);
        s.ensureScratch(rows);
        int start = s.length();
        Buf x = s.hidden.rows(0, rows);
        backend.copy(x, embeds);
        if (tap != null) tap.hiddenState(0, backend.read(x), rows, hidden);
        for (int l = 0; l < numLayers(); l++) {
            layer(l, s, rows, start);
            if (tap != null && l < numLayers() - 1) tap.hiddenState(l + 1, backend.read(x), rows, hidden);
        }
        backend.rmsNorm(out, allRows ? x : x.row(rows - 1), weights.norm(), eps);   // model.norm
        if (tap != null) {
            Buf normed = allRows ? out : s.normed.rows(0, rows);
            if (!allRows) backend.rmsNorm(normed, x, weights.norm(), eps);
            tap.hiddenState(numLayers(), backend.read(normed), rows, hidden);
        }
        s.advance(rows);
    }

    /** One {@code Qwen2DecoderLayer} on the session's residual stream {@code x} (rows at positions start..). */
    private void layer(int index, Qwen2Session s, int rows, int start) {
        Qwen2LayerWeights w = weights.layers().get(index);
        Buf x = s.hidden.rows(0, rows), normed = s.normed.rows(0, rows), proj = s.proj.rows(0, rows);
        Buf q = s.q.rows(0, rows), k = s.k.rows(0, rows), v = s.v.rows(0, rows), attn = s.attn.rows(0, rows);
        Buf gate = s.gate.rows(0, rows), up = s.up.rows(0, rows);
        Buf keys = s.keyCache[index], values = s.valueCache[index];
        // self-attention block
        backend.rmsNorm(normed, x, w.inputLayernorm(), eps);                          // input_layernorm
        backend.linear(q, normed, w.qProj(), w.qProjBias());                          // q_proj
        backend.linear(k, normed, w.kProj(), w.kProjBias());                          // k_proj
        backend.linear(v, normed, w.vProj(), w.vProjBias());                          // v_proj
        backend.ropeNeox(q, heads, start, invFreq);                                   // apply_rotary_pos_emb
        backend.ropeNeox(k, kvHeads, start, invFreq);
        backend.copy(keys.rows(start, start + rows), k);                              // past_key_value.update
        backend.copy(values.rows(start, start + rows), v);
        // HF 4.51 with an all-ones 2-d mask: plain causal attention over the whole cache
        backend.attention(attn, q, keys.rows(0, start + rows), values.rows(0, start + rows), heads, kvHeads, scale,
                AttentionMask.causal(start), Precision.F32);
        backend.linear(proj, attn, w.oProj(), null);                                  // o_proj
        backend.add(x, x, proj);                                                      // residual
        // MLP block: down(silu(gate(x)) * up(x))
        backend.rmsNorm(normed, x, w.postAttentionLayernorm(), eps);                  // post_attention_layernorm
        backend.linear(gate, normed, w.gateProj(), null);                             // gate_proj
        backend.linear(up, normed, w.upProj(), null);                                 // up_proj
        backend.siluMul(gate, gate, up);                                              // act_fn(gate) * up
        backend.linear(proj, gate, w.downProj(), null);                               // down_proj
        backend.add(x, x, proj);                                                      // residual
    }

    /**
     * Observer of HF's {@code output_hidden_states}: index 0 is the input embeddings, index i (1 .. N-1) the
     * output of layer i-1, index N the final-RMSNorm output (host copies, read back for the observer).
     */
    @FunctionalInterface
    public interface HiddenStatesTap {
        void hiddenState(int index, float[] values, int rows, int dim);
    }
}
