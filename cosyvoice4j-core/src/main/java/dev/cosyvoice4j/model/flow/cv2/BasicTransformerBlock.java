package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * Matcha-TTS {@code BasicTransformerBlock} (matcha/models/components/transformer.py:138-316 @ dd9105b3, eval path,
 * self-attention only) with diffusers 0.29 {@code Attention}/{@code AttnProcessor2_0} and Matcha {@code FeedForward}
 * ({@code GELU} exact erf): {@code x += to_out(attn1(norm1(x)))}, {@code x += ff.net.2(gelu(ff.net.0.proj(norm3(x))))}.
 * q/k/v have no bias; the attention width {@code heads * headDim} may differ from the block width. The additive mask
 * {@code (1 - m) * -1e10} of {@code mask_to_bias} leaves masked keys with probability exactly 0 (exp underflows)
 * and every query sees at least its own chunk, so it is a key mask here. Golden: {@code flow/*}{@code /estimator_call}.
 */
final class BasicTransformerBlock {
    static final float NORM_EPS = 1e-5f;

    final int dim, heads, headDim, innerDim, ffInner;
    final Tensor norm1Weight, norm1Bias, toQ, toK, toV, toOutWeight, toOutBias, norm3Weight, norm3Bias;
    final Tensor ffProjWeight, ffProjBias, ffOutWeight, ffOutBias;

    BasicTransformerBlock(WeightStore ws, String p, int dim, int heads, int headDim) {
        this.dim = dim;
        this.heads = heads;
        this.headDim = headDim;
        this.innerDim = heads * headDim;
        norm1Weight = ws.take(p + "norm1.weight", dim);
        norm1Bias = ws.take(p + "norm1.bias", dim);
        toQ = ws.take(p + "attn1.to_q.weight", innerDim, dim);
        toK = ws.take(p + "attn1.to_k.weight", innerDim, dim);
        toV = ws.take(p + "attn1.to_v.weight", innerDim, dim);
        toOutWeight = ws.take(p + "attn1.to_out.0.weight", dim, innerDim);
        toOutBias = ws.take(p + "attn1.to_out.0.bias", dim);
        norm3Weight = ws.take(p + "norm3.weight", dim);
        norm3Bias = ws.take(p + "norm3.bias", dim);
        ffProjWeight = ws.takeAnyShape(p + "ff.net.0.proj.weight");
        if (ffProjWeight.rank() != 2 || ffProjWeight.dim(1) != dim) {
            throw new ModelFormatException(ws.file(), p + "ff.net.0.proj.weight is " + ffProjWeight + ", expected [inner, " + dim + "]");
        }
        ffInner = ffProjWeight.dim(0);
        ffProjBias = ws.take(p + "ff.net.0.proj.bias", ffInner);
        ffOutWeight = ws.take(p + "ff.net.2.weight", dim, ffInner);
        ffOutBias = ws.take(p + "ff.net.2.bias", dim);
    }

    /** In place on the time-major {@code x [t, dim]}. */
    void forward(Backend b, UnetWorkspace w, Buf x, AttentionMask mask) {
        int t = x.rows();
        Buf n = w.tfNorm.view(t, dim), q = w.tfQ.view(t, innerDim), k = w.tfK.view(t, innerDim), v = w.tfV.view(t, innerDim);
        Buf att = w.tfAtt.view(t, innerDim), ff = w.tfFf.view(t, ffInner);
        b.layerNorm(n, x, norm1Weight, norm1Bias, NORM_EPS);
        b.linear(q, n, toQ, null);
        b.linear(k, n, toK, null);
        b.linear(v, n, toV, null);
        b.attention(att, q, k, v, heads, heads, (float) (1 / Math.sqrt(headDim)), mask, Precision.F32);
        b.linear(n, att, toOutWeight, toOutBias);
        b.add(x, n, x);
        b.layerNorm(n, x, norm3Weight, norm3Bias, NORM_EPS);
        b.linear(ff, n, ffProjWeight, ffProjBias);
        b.geluErf(ff);
        b.linear(n, ff, ffOutWeight, ffOutBias);
        b.add(x, n, x);
    }
}
