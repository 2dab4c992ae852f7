package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * One {@code DiTBlock} (cosyvoice/flow/DiT/modules.py @ ace7c47): AdaLayerNormZero (SiLU(temb) -> Linear(dim,
 * 6 dim), chunks shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp), attention with
 * x-transformers RoPE on the first {@code dimHead} channels of q and k only (head 0), gated residual, LayerNorm
 * (eps 1e-6, no affine) modulation and a tanh-GELU feed-forward. All batch rows go through one
 * {@link Kernels#linear} call per projection. Golden: {@code flow/offline/dit_call}, {@code flow/stream_nonfinal/dit_call}.
 */
final class DitBlock {
    static final float LN_EPS = 1e-6f;

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
     * {@code ws.h} (the residual stream, [B*T, dim]) is updated in place. {@code mod} is this block's adaLN output
     * {@code attn_norm.linear(SiLU(temb))} per batch row ([B, 6 dim]; it depends on t only, so the DiT computes all
     * blocks' at once).
     */
    void forward(Kernels kern, DiT dit, DitWorkspace ws, float[] mod, AttentionMask mask, int validFrames) {
        int batch = ws.batch, frames = ws.frames, rows = batch * frames;
        int dim = dit.dim, inner = dit.heads * dit.dimHead, six = 6 * dim;

        // attention branch: norm = LN(x) * (1 + scale_msa) + shift_msa
        kern.layerNorm(ws.norm, ws.h, rows, dim, null, null, LN_EPS);
        DiT.modulate(ws.norm, batch, frames, dim, mod, six, 0, dim);
        kern.linear(ws.q, ws.norm, rows, toQWeight, toQBias);
        kern.linear(ws.k, ws.norm, rows, toKWeight, toKBias);
        kern.linear(ws.v, ws.norm, rows, toVWeight, toVBias);
        attend(kern, dit, ws, mask);
        kern.linear(ws.proj, ws.attn, rows, toOutWeight, toOutBias);
        // AttnProcessor zeroes the output where the last attention-mask row is False: the padded frames
        if (validFrames < frames) {
            for (int b = 0; b < batch; b++) {
                java.util.Arrays.fill(ws.proj, (b * frames + validFrames) * dim, (b + 1) * frames * dim, 0f);
            }
        }
        gatedResidual(ws.h, ws.proj, batch, frames, dim, mod, six, 2 * dim);

        // feed-forward branch: LN(x) * (1 + scale_mlp) + shift_mlp -> Linear -> GELU(tanh) -> Linear
        kern.layerNorm(ws.norm, ws.h, rows, dim, null, null, LN_EPS);
        DiT.modulate(ws.norm, batch, frames, dim, mod, six, 3 * dim, 4 * dim);
        kern.linear(ws.ff, ws.norm, rows, ffIn0Weight, ffIn0Bias);
        kern.geluTanh(ws.ff, 0, rows * dit.ffInner);
        kern.linear(ws.proj, ws.ff, rows, ffOut2Weight, ffOut2Bias);
        gatedResidual(ws.h, ws.proj, batch, frames, dim, mod, six, 5 * dim);
    }

    /** Per batch row: RoPE on channels [0, dimHead) of q and k (positions restart at 0), then SDPA. */
    private static void attend(Kernels kern, DiT dit, DitWorkspace ws, AttentionMask mask) {
        int frames = ws.frames, inner = dit.heads * dit.dimHead, n = frames * inner;
        float scale = (float) (1.0 / Math.sqrt(dit.dimHead));
        for (int b = 0; b < ws.batch; b++) {
            // row 0 is the prefix of the batched arrays; other rows are copied out (the kernels take no offsets)
            float[] q = ws.q, k = ws.k, v = ws.v, out = ws.attn;
            if (b > 0) {
                System.arraycopy(ws.q, b * n, ws.qRow, 0, n);
                System.arraycopy(ws.k, b * n, ws.kRow, 0, n);
                System.arraycopy(ws.v, b * n, ws.vRow, 0, n);
                q = ws.qRow;
                k = ws.kRow;
                v = ws.vRow;
                out = ws.attnRow;
            }
            kern.ropeInterleaved(q, frames, inner, dit.rotaryDim, dit.invFreq);
            kern.ropeInterleaved(k, frames, inner, dit.rotaryDim, dit.invFreq);
            kern.attention(out, q, k, v, frames, frames, dit.heads, dit.heads, dit.dimHead, scale, mask);
            if (b > 0) System.arraycopy(ws.attnRow, 0, ws.attn, b * n, n);
        }
    }

    /** {@code x += gate * y} with the gate taken per batch row from {@code mod[b * stride + gateOff ...]}. */
    private static void gatedResidual(float[] x, float[] y, int batch, int frames, int dim, float[] mod, int stride, int gateOff) {
        for (int b = 0; b < batch; b++) {
            int g = b * stride + gateOff;
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * dim;
                for (int c = 0; c < dim; c++) x[o + c] += mod[g + c] * y[o + c];
            }
        }
    }
}
