package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code LinearNoSubsampling} (cosyvoice/transformer/subsampling.py:69-113 @ ace7c47) with its
 * {@code EspnetRelPositionalEncoding}: {@code Linear(idim, odim)} ({@code out.0}), {@code LayerNorm(odim, eps 1e-5)}
 * ({@code out.1}), then {@code x * sqrt(odim)} (the positional table itself is {@link EspnetRelPositionalEncoding};
 * dropout is inactive). Golden: {@code flow/*}{@code /encode} ({@code embed_xs}, {@code up_embed_xs},
 * {@code lookahead_context_embedding}).
 */
final class LinearNoSubsampling {
    /** {@code torch.nn.LayerNorm(odim, eps=1e-5)} (subsampling.py:85). */
    static final float NORM_EPS = 1e-5f;

    final int idim, odim;
    final Tensor linearWeight, linearBias, normWeight, normBias;
    /** {@code 1 / xscale}: the backend divides by it (torch multiplies by sqrt(odim); the two differ by at most an ulp). */
    private final float invXscale;

    LinearNoSubsampling(WeightStore ws, String p, int idim, int odim) {
        this.idim = idim;
        this.odim = odim;
        linearWeight = ws.take(p + "out.0.weight", odim, idim);
        linearBias = ws.take(p + "out.0.bias", odim);
        normWeight = ws.take(p + "out.1.weight", odim);
        normBias = ws.take(p + "out.1.bias", odim);
        invXscale = (float) (1 / Math.sqrt(odim));
    }

    /** {@code out [t, odim] = (LayerNorm(Linear(x))) * sqrt(odim)} of {@code x [t, idim]}. */
    void forward(Backend b, Buf x, Buf out) {
        b.linear(out, x, linearWeight, linearBias);
        b.layerNorm(out, out, normWeight, normBias, NORM_EPS);
        b.div(out, out, invXscale);
    }
}
