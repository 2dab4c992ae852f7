package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code CausalBlock1D} (cosyvoice/flow/decoder.py:65-78 @ ace7c47): {@code Mish(LayerNorm_channels(CausalConv1d_k(x)))}
 * ({@code block.0} the conv, left pad k - 1; {@code block.2} the LayerNorm over channels, eps 1e-5). The mask of
 * the official code is all ones at inference and is left out. Golden: {@code flow/*}{@code /estimator_call}.
 */
final class CausalBlock1D {
    static final float NORM_EPS = 1e-5f;

    final int dim, dimOut, kernel;
    final Tensor convWeight, convBias, normWeight, normBias;

    CausalBlock1D(WeightStore ws, String p, int dim, int dimOut) {
        this.dim = dim;
        this.dimOut = dimOut;
        convWeight = ws.takeAnyShape(p + "block.0.weight");
        if (convWeight.rank() != 3 || convWeight.dim(0) != dimOut || convWeight.dim(1) != dim) {
            throw new ModelFormatException(ws.file(), p + "block.0.weight is " + convWeight + ", expected [" + dimOut + ", " + dim + ", k]");
        }
        kernel = convWeight.dim(2);
        convBias = ws.take(p + "block.0.bias", dimOut);
        normWeight = ws.take(p + "block.2.weight", dimOut);
        normBias = ws.take(p + "block.2.bias", dimOut);
    }

    /**
     * {@code out [dimOut, t]} (channel-major) from {@code x [dim, t]}; {@code timeOrNull} a {@code [1, 2 dimOut]} row
     * whose first half is added to every frame after the Mish (the resnet's {@code h += mlp(t)}) and whose second half
     * is zeros ({@link Backend#modulate} with a zero scale is an exact add). {@code tm} is {@code [t, dimOut]} scratch.
     */
    void forward(Backend b, Buf x, Buf out, Buf tm, Buf timeOrNull) {
        b.conv1d(out, x, convWeight, convBias, ConvSpec.of(1, kernel - 1, 0, 1, 1));
        b.transpose(tm, out);
        b.layerNorm(tm, tm, normWeight, normBias, NORM_EPS);
        b.mish(tm);
        if (timeOrNull != null) b.modulate(tm, timeOrNull, 0, dimOut);
        b.transpose(out, tm);
    }
}
