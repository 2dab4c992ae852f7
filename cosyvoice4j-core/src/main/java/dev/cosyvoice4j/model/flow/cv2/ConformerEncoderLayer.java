package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code ConformerEncoderLayer} (cosyvoice/transformer/encoder_layer.py:109-235 @ ace7c47) as the CosyVoice2 flow
 * encoder configures it: pre-norm ({@code normalize_before}), no macaron FFN, no convolution module, so
 * {@code x += RelPositionMultiHeadedAttention(norm_mha(x))} (attention.py:200-335) then
 * {@code x += w_2(SiLU(w_1(norm_ff(x))))} (positionwise_feed_forward.py; ff_scale 1). {@code norm_mha}/{@code norm_ff}
 * use eps 1e-12 (l. 145-146). Golden: {@code flow/offline/encode} ({@code encoders.0_out}, {@code up_encoders.0_out}).
 */
final class ConformerEncoderLayer {
    /** {@code nn.LayerNorm(size, eps=1e-12)} of encoder_layer.py:145-146. */
    static final float NORM_EPS = 1e-12f;

    final int size, heads, linearUnits;
    final Tensor linearQWeight, linearQBias, linearKWeight, linearKBias, linearVWeight, linearVBias;
    final Tensor linearOutWeight, linearOutBias, linearPosWeight, posBiasU, posBiasV;
    final Tensor w1Weight, w1Bias, w2Weight, w2Bias;
    final Tensor normMhaWeight, normMhaBias, normFfWeight, normFfBias;

    ConformerEncoderLayer(WeightStore ws, String p, int size, int heads, int linearUnits) {
        this.size = size;
        this.heads = heads;
        this.linearUnits = linearUnits;
        int dk = size / heads;
        String a = p + "self_attn.";
        linearQWeight = ws.take(a + "linear_q.weight", size, size);
        linearQBias = ws.take(a + "linear_q.bias", size);
        linearKWeight = ws.take(a + "linear_k.weight", size, size);
        linearKBias = ws.take(a + "linear_k.bias", size);
        linearVWeight = ws.take(a + "linear_v.weight", size, size);
        linearVBias = ws.take(a + "linear_v.bias", size);
        linearOutWeight = ws.take(a + "linear_out.weight", size, size);
        linearOutBias = ws.take(a + "linear_out.bias", size);
        linearPosWeight = ws.take(a + "linear_pos.weight", size, size);
        posBiasU = ws.take(a + "pos_bias_u", heads, dk);
        posBiasV = ws.take(a + "pos_bias_v", heads, dk);
        w1Weight = ws.take(p + "feed_forward.w_1.weight", linearUnits, size);
        w1Bias = ws.take(p + "feed_forward.w_1.bias", linearUnits);
        w2Weight = ws.take(p + "feed_forward.w_2.weight", size, linearUnits);
        w2Bias = ws.take(p + "feed_forward.w_2.bias", size);
        normMhaWeight = ws.take(p + "norm_mha.weight", size);
        normMhaBias = ws.take(p + "norm_mha.bias", size);
        normFfWeight = ws.take(p + "norm_ff.weight", size);
        normFfBias = ws.take(p + "norm_ff.bias", size);
    }

    /**
     * In place on {@code x [t, size]}; {@code posEmb [2t - 1, size]} (relative positions t-1 ... -(t-1)), scratch from
     * {@code s} (rows up to its frame capacity).
     */
    void forward(Backend b, Cv2FlowSession s, Buf x, Buf posEmb, AttentionMask mask) {
        int t = x.rows();
        Buf n = s.encNorm.view(t, size), q = s.encQ.view(t, size), k = s.encK.view(t, size), v = s.encV.view(t, size);
        Buf att = s.encAtt.view(t, size), p = s.encPos.view(2 * t - 1, size), ff = s.encFf.view(t, linearUnits);
        // x = x + self_attn(norm_mha(x))
        b.layerNorm(n, x, normMhaWeight, normMhaBias, NORM_EPS);
        b.linear(q, n, linearQWeight, linearQBias);
        b.linear(k, n, linearKWeight, linearKBias);
        b.linear(v, n, linearVWeight, linearVBias);
        b.linear(p, posEmb, linearPosWeight, null);
        b.relPositionAttention(att, q, k, v, p, posBiasU, posBiasV, heads, (float) Math.sqrt(size / heads), mask);
        b.linear(n, att, linearOutWeight, linearOutBias);
        b.add(x, x, n);
        // x = x + feed_forward(norm_ff(x))
        b.layerNorm(n, x, normFfWeight, normFfBias, NORM_EPS);
        b.linear(ff, n, w1Weight, w1Bias);
        b.silu(ff);
        b.linear(n, ff, w2Weight, w2Bias);
        b.add(x, x, n);
    }
}
