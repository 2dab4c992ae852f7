package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code CausalResnetBlock1D} (cosyvoice/flow/decoder.py:81-85 @ ace7c47; forward = Matcha-TTS
 * {@code ResnetBlock1D.forward}, matcha/models/components/decoder.py:56-61): {@code h = block1(x) + mlp(t)},
 * {@code h = block2(h)}, {@code out = h + res_conv(x)} with {@code mlp = [Mish, Linear(timeEmbDim, dimOut)]} and
 * {@code res_conv} a 1x1 Conv1d. Golden: {@code flow/*}{@code /estimator_call}.
 */
final class CausalResnetBlock1D {
    final int dim, dimOut, timeEmbDim;
    final CausalBlock1D block1, block2;
    final Tensor mlpWeight, mlpBias, resConvWeight, resConvBias;

    CausalResnetBlock1D(WeightStore ws, String p, int dim, int dimOut, int timeEmbDim) {
        this.dim = dim;
        this.dimOut = dimOut;
        this.timeEmbDim = timeEmbDim;
        block1 = new CausalBlock1D(ws, p + "block1.", dim, dimOut);
        block2 = new CausalBlock1D(ws, p + "block2.", dimOut, dimOut);
        mlpWeight = ws.take(p + "mlp.1.weight", dimOut, timeEmbDim);
        mlpBias = ws.take(p + "mlp.1.bias", dimOut);
        resConvWeight = ws.take(p + "res_conv.weight", dimOut, dim, 1);
        resConvBias = ws.take(p + "res_conv.bias", dimOut);
    }

    /** {@code timeRow [1, 2 dimOut]} = {@code [mlp(t) | 0]} from {@code mishT = Mish(t_emb) [1, timeEmbDim]}. */
    void timeProjection(Backend b, Buf mishT, Buf timeRow) {
        b.linear(timeRow.view(1, dimOut), mishT, mlpWeight, mlpBias);
    }

    /** {@code out [dimOut, t]} from {@code x [dim, t]} (channel-major; out must not alias x). */
    void forward(Backend b, UnetWorkspace w, Buf x, Buf timeRow, Buf out) {
        int t = x.cols();
        Buf h1 = w.resA.view(dimOut, t), h2 = w.resB.view(dimOut, t), tm = w.resTm.view(t, dimOut);
        block1.forward(b, x, h1, tm, timeRow);
        block2.forward(b, h1, h2, tm, null);
        b.conv1d(out, x, resConvWeight, resConvBias, ConvSpec.of(1, 0, 0, 1, 1));
        b.add(out, h2, out);
    }
}
