package dev.cosyvoice4j.model.qwen2;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.MemorySegment;

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
    private final Kernels kernels;
    private final int hidden, heads, kvHeads, headDim, qDim, kvDim, ffn;
    private final float eps;
    private final float scale;
    private final float[] invFreq;

    public Qwen2Model(Qwen2Config config, Qwen2Weights weights, Kernels kernels) {
        this.config = config;
        this.weights = weights;
        this.kernels = kernels;
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
        this.invFreq = ropeInvFreq(headDim, config.ropeTheta());
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

    public int hiddenSize() { return hidden; }

    public int numLayers() { return weights.layers().size(); }

    /** A fresh session whose KV cache holds {@code capacity} positions (prompt plus generated tokens). */
    public Qwen2Session newSession(int capacity) {
        return new Qwen2Session(capacity, numLayers(), hidden, qDim, kvDim, ffn);
    }

    /** {@code embed_tokens(ids)}: copies one embedding row per id into {@code out} starting at {@code outOffset}. */
    public void embedTokens(int[] ids, float[] out, int outOffset) {
        copyRows(weights.embedTokens(), ids, out, outOffset, "text token id");
    }

    /** Copies rows {@code ids} of an embedding table {@code [rows, dim]} into {@code out} (an {@code nn.Embedding} lookup). */
    public static void copyRows(Tensor table, int[] ids, float[] out, int outOffset, String what) {
        int dim = table.dim(1);
        for (int i = 0; i < ids.length; i++) copyRow(table, ids[i], out, outOffset + i * dim, what);
    }

    /** Copies row {@code id} of an embedding table {@code [rows, dim]} into {@code out} at {@code outOffset}. */
    public static void copyRow(Tensor table, int id, float[] out, int outOffset, String what) {
        int rows = table.dim(0), dim = table.dim(1);
        if (id < 0 || id >= rows) throw new IllegalArgumentException(what + " " + id + " is outside [0, " + rows + ")");
        if (table.dtype() == DType.F32) {
            MemorySegment.copy(table.data(), Tensor.F32_LE, (long) id * dim * Float.BYTES, out, outOffset, dim);
        } else {
            for (int j = 0; j < dim; j++) out[outOffset + j] = table.getFloat((long) id * dim + j);
        }
    }

    /** {@link #forward(Qwen2Session, float[], int, float[], boolean, HiddenStatesTap)} without a tap. */
    public void forward(Qwen2Session session, float[] embeds, int rows, float[] out, boolean allRows) {
        forward(session, embeds, rows, out, allRows, null);
    }

    /**
     * Runs {@code rows} input embeddings ({@code embeds[0 .. rows*H)}) at the next positions of the session and
     * appends their keys/values to its cache. Writes the final-RMSNorm output into {@code out}: every row
     * ({@code rows*H} values) when {@code allRows}, else only the last row ({@code H} values).
     * Prefill is one call with the whole prompt; a decode step is a call with one row.
     */
    public void forward(Qwen2Session s, float[] embeds, int rows, float[] out, boolean allRows, HiddenStatesTap tap) {
        if (rows < 1) throw new IllegalArgumentException("forward needs at least one input row");
        if (embeds.length < rows * hidden) {
            throw new IllegalArgumentException("embeds has " + embeds.length + " values, " + rows + " rows of " + hidden + " needed");
        }
        if (rows > s.remaining()) {
            throw new IllegalStateException("KV cache full: " + s.length() + " + " + rows + " positions exceed capacity " + s.capacity());
        }
        if (out.length < (allRows ? rows * hidden : hidden)) throw new IllegalArgumentException("output buffer too small");
        s.ensureScratch(rows);
        int start = s.length();
        float[] x = s.hidden;
        System.arraycopy(embeds, 0, x, 0, rows * hidden);
        if (tap != null) tap.hiddenState(0, x, rows, hidden);
        for (int l = 0; l < numLayers(); l++) {
            layer(l, s, rows, start);
            if (tap != null && l < numLayers() - 1) tap.hiddenState(l + 1, x, rows, hidden);
        }
        if (allRows) {
            kernels.rmsNorm(out, x, rows, hidden, weights.norm(), eps);
        } else {
            System.arraycopy(x, (rows - 1) * hidden, s.normed, 0, hidden);
            kernels.rmsNorm(out, s.normed, 1, hidden, weights.norm(), eps);
        }
        if (tap != null) {
            if (allRows) tap.hiddenState(numLayers(), out, rows, hidden);
            else {
                kernels.rmsNorm(s.normed, x, rows, hidden, weights.norm(), eps);
                tap.hiddenState(numLayers(), s.normed, rows, hidden);
            }
        }
        s.advance(rows);
    }

    /** One {@code Qwen2DecoderLayer} on the session's residual stream {@code s.hidden}. */
    private void layer(int index, Qwen2Session s, int rows, int start) {
        Qwen2LayerWeights w = weights.layers().get(index);
        float[] x = s.hidden;
        // self-attention block
        kernels.rmsNorm(s.normed, x, rows, hidden, w.inputLayernorm(), eps);
        kernels.linear(s.q, s.normed, rows, w.qProj(), w.qProjBias());
        kernels.linear(s.k, s.normed, rows, w.kProj(), w.kProjBias());
        kernels.linear(s.v, s.normed, rows, w.vProj(), w.vProjBias());
        kernels.ropeNeox(s.q, rows, heads, headDim, start, invFreq);
        kernels.ropeNeox(s.k, rows, kvHeads, headDim, start, invFreq);
        float[] keys = s.keyCache[index], values = s.valueCache[index];
        System.arraycopy(s.k, 0, keys, start * kvDim, rows * kvDim);
        System.arraycopy(s.v, 0, values, start * kvDim, rows * kvDim);
        // HF 4.51 with an all-ones 2-d mask: plain causal attention over the whole cache
        kernels.attention(s.attn, s.q, keys, values, rows, start + rows, heads, kvHeads, headDim, scale,
                AttentionMask.causal(start));
        kernels.linear(s.proj, s.attn, rows, w.oProj(), null);
        kernels.add(x, x, s.proj, rows * hidden);
        // MLP block: down(silu(gate(x)) * up(x))
        kernels.rmsNorm(s.normed, x, rows, hidden, w.postAttentionLayernorm(), eps);
        kernels.linear(s.gate, s.normed, rows, w.gateProj(), null);
        kernels.linear(s.up, s.normed, rows, w.upProj(), null);
        kernels.siluMul(s.gate, s.gate, s.up, rows * ffn);
        kernels.linear(s.proj, s.gate, rows, w.downProj(), null);
        kernels.add(x, x, s.proj, rows * hidden);
    }

    /**
     * Observer of HF's {@code output_hidden_states}: index 0 is the input embeddings, index i (1 .. N-1) the
     * output of layer i-1, index N the final-RMSNorm output. The array is only valid during the call.
     */
    @FunctionalInterface
    public interface HiddenStatesTap {
        void hiddenState(int index, float[] values, int rows, int dim);
    }
}
