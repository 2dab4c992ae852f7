package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * One {@code DiTBlock} (cosyvoice/flow/DiT/modules.py @ ace7c47): AdaLayerNormZero (SiLU(temb) -> Linear(dim,
 * 6 dim), chunks shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp), attention with
 * x-transformers RoPE on the first {@code dimHead} channels of q and k only (head 0), gated residual, LayerNorm
 * (eps 1e-6, no affine) modulation and a tanh-GELU feed-forward. The batch rows of a range go through one
 * {@link Backend#linear} call per projection. Golden: {@code flow/offline/dit_call}, {@code flow/stream_nonfinal/dit_call}.
 */
final class DitBlock {
    static final float LN_EPS = 1e-6f;
    /** adaLN chunks of {@code attn_norm.linear}'s output, in torch.chunk order (multiply by dim for the column). */
    static final int SHIFT_MSA = 0, SCALE_MSA = 1, GATE_MSA = 2, SHIFT_MLP = 3, SCALE_MLP = 4, GATE_MLP = 5;

    final Tensor attnNormLinearWeight, attnNormLinearBias;
    final Tensor toQWeight, toQBias, toKWeight, toKBias, toVWeight, toVBias, toOutWeight, toOutBias;
    final Tensor ffIn0Weight, ffIn0Bias, ffOut2Weight, ffOut2Bias;

    private DitBlock(WeightStore ws, String p, int dim, int inner, int ffInner) {
        attnNormLinearWeight = ws.take(p + "attn_norm.linear.weight", 6L * dim, dim);
        attnNormLinearBias = ws.take(p + "attn_norm.linear.bias", 6L * dim);
        toQWeight = ws.take(p + "attn.to_q.weight", inner, dim);
        toQBias = ws.take(p + "attn.to_q.bias", inner);
        toKWeight = ws.take(p + "attn.to_k.weight", inner, dim);
        toKBias = ws.take(p + "attn.to_k.bias", inner);
        toVWeight = ws.take(p + "attn.to_v.weight", inner, dim);
        toVBias = ws.take(p + "attn.to_v.bias", inner);
        toOutWeight = ws.take(p + "attn.to_out.0.weight", dim, inner);
        toOutBias = ws.take(p + "attn.to_out.0.bias", dim);
        ffIn0Weight = ws.take(p + "ff.ff.0.0.weight", ffInner, dim);
        ffIn0Bias = ws.take(p + "ff.ff.0.0.bias", ffInner);
        ffOut2Weight = ws.take(p + "ff.ff.2.weight", dim, ffInner);
        ffOut2Bias = ws.take(p + "ff.ff.2.bias", dim);
    }

    static DitBlock load(WeightStore ws, String prefix, int dim, int inner, int ffInner) {
        return new DitBlock(ws, prefix, dim, inner, ffInner);
    }

    /**
     * Batch rows {@code [b0, b1)} of the residual stream {@code ws.h} ({@code [B*T, dim]}) updated in place. {@code mod}
     * is this block's adaLN output {@code attn_norm.linear(SiLU(temb))} for those rows ({@code [b1 - b0, 6 dim]}; it
     * depends on t only, so the DiT computes every block's at once). With {@code keyCache} (per CFG row, {@code [>=
     * cachedFrames + frames, inner]}) the call's frames continue {@code cachedFrames} cached ones: RoPE starts at that
     * position, their keys and values are appended to the caches and attention reads all of them.
     */
    void forward(DiT dit, DitWorkspace ws, int b0, int b1, Buf mod, AttentionMask mask, int validFrames, Buf[] keyCache,
                 Buf[] valueCache, int cachedFrames) {
        Backend backend = dit.backend;
        int frames = ws.frames, dim = dit.dim;
        Buf h = ws.rows(ws.h, b0, b1), norm = ws.rows(ws.norm, b0, b1), proj = ws.rows(ws.proj, b0, b1);
        Buf q = ws.rows(ws.q, b0, b1), k = ws.rows(ws.k, b0, b1), v = ws.rows(ws.v, b0, b1), attn = ws.rows(ws.attn, b0, b1);
        Buf ff = ws.rows(ws.ff, b0, b1);

        // attention branch: norm = LN(x) * (1 + scale_msa) + shift_msa
        backend.layerNorm(norm, h, null, null, LN_EPS);                                  // attn_norm
        backend.modulate(norm, mod, SHIFT_MSA * dim, SCALE_MSA * dim);
        backend.linear(q, norm, toQWeight, toQBias);                                      // attn.to_q
        backend.linear(k, norm, toKWeight, toKBias);                                      // attn.to_k
        backend.linear(v, norm, toVWeight, toVBias);                                      // attn.to_v
        float scale = (float) (1.0 / Math.sqrt(dit.dimHead));
        for (int r = 0; r < b1 - b0; r++) {                      // RoPE positions restart in every batch row
            Buf qr = q.rows(r * frames, (r + 1) * frames), kr = k.rows(r * frames, (r + 1) * frames);
            Buf vr = v.rows(r * frames, (r + 1) * frames);
            backend.ropeInterleaved(qr, dit.rotaryDim, dit.invFreq, cachedFrames);        // head 0 only (rotary dim)
            backend.ropeInterleaved(kr, dit.rotaryDim, dit.invFreq, cachedFrames);
            if (keyCache != null) {
                int total = cachedFrames + frames;
                Buf kc = keyCache[b0 + r], vc = valueCache[b0 + r];
                backend.copy(kc.rows(cachedFrames, total), kr);
                backend.copy(vc.rows(cachedFrames, total), vr);
                kr = kc.rows(0, total);
                vr = vc.rows(0, total);
            }
            backend.attention(attn.rows(r * frames, (r + 1) * frames), qr, kr, vr,
                    dit.heads, dit.heads, scale, mask, dit.precision);                    // scaled_dot_product_attention
        }
        backend.linear(proj, attn, toOutWeight, toOutBias);                               // attn.to_out.0
        // AttnProcessor zeroes the output where the last attention-mask row is False: the padded frames
        if (validFrames < frames) {
            for (int r = 0; r < b1 - b0; r++) backend.fill(proj.rows(r * frames + validFrames, (r + 1) * frames), 0f);
        }
        backend.addGated(h, mod, GATE_MSA * dim, proj);                                   // x = x + gate_msa * attn

        // feed-forward branch: LN(x) * (1 + scale_mlp) + shift_mlp -> Linear -> GELU(tanh) -> Linear
        backend.layerNorm(norm, h, null, null, LN_EPS);                                   // ff_norm
        backend.modulate(norm, mod, SHIFT_MLP * dim, SCALE_MLP * dim);
        backend.linearGeluTanh(ff, norm, ffIn0Weight, ffIn0Bias);                         // ff.ff.0.0, ff.ff.0.1
        backend.linear(proj, ff, ffOut2Weight, ffOut2Bias);                               // ff.ff.2
        backend.addGated(h, mod, GATE_MLP * dim, proj);                                   // x = x + gate_mlp * ff
    }
}
