package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code PreLookaheadLayer} (cosyvoice/transformer/upsample_encoder.py @ ace7c47): conv1 (k = look-ahead + 1)
 * over the tokens plus {@code preLookaheadLen} frames of right context (zeros, or the look-ahead tokens'
 * embeddings in a non-final streaming call), leaky ReLU (slope 0.01), causal conv2 (left pad k-1), residual.
 * Golden: {@code flow/offline/encode}, {@code flow/stream_nonfinal/encode} (CosyVoice3 and, inside
 * {@code UpsampleConformerEncoder}, CosyVoice2).
 */
public final class PreLookaheadLayer {
    private static final float LEAKY_SLOPE = 0.01f; // F.leaky_relu default
    final int inChannels, channels, preLookaheadLen, conv2Kernel;
    final Tensor conv1Weight, conv1Bias, conv2Weight, conv2Bias;

    private PreLookaheadLayer(WeightStore ws, String p, int inChannels, int channels, int preLookaheadLen) {
        this.inChannels = inChannels;
        this.channels = channels;
        this.preLookaheadLen = preLookaheadLen;
        conv1Weight = ws.take(p + "conv1.weight", channels, inChannels, preLookaheadLen + 1);
        conv1Bias = ws.take(p + "conv1.bias", channels);
        conv2Weight = ws.takeAnyShape(p + "conv2.weight");
        if (conv2Weight.rank() != 3 || conv2Weight.dim(0) != inChannels || conv2Weight.dim(1) != channels) {
            throw new ModelFormatException(ws.file(), p + "conv2.weight is " + conv2Weight + ", expected [" + inChannels + ", " + channels + ", k]");
        }
        conv2Kernel = conv2Weight.dim(2);
        conv2Bias = ws.take(p + "conv2.bias", inChannels);
    }

    public static PreLookaheadLayer load(WeightStore ws, String prefix, int inChannels, int channels, int preLookaheadLen) {
        return new PreLookaheadLayer(ws, prefix, inChannels, channels, preLookaheadLen);
    }

    /**
     * Scratch of one {@link #forward} call, each buffer at least as large as the comment says ({@code m} rows in,
     * {@code la} look-ahead): views are taken from their prefixes.
     */
    public record Scratch(Buf padded,      // [m + la, inChannels]
                          Buf paddedT,     // [inChannels, m + la]
                          Buf hidden,      // [channels, m]
                          Buf conv2Out,    // [inChannels, m]
                          Buf conv2OutT) { // [m, inChannels]
        /** Buffers for up to {@code rows} input rows plus the look-ahead. */
        public static Scratch alloc(Backend backend, PreLookaheadLayer layer, int rows) {
            int n = rows + layer.preLookaheadLen, c = layer.inChannels;
            return new Scratch(backend.alloc(n, c), backend.alloc(1, c * n), backend.alloc(1, layer.channels * n),
                    backend.alloc(1, c * n), backend.alloc(1, c * n));
        }
    }

    public int inChannels() { return inChannels; }

    public int preLookaheadLen() { return preLookaheadLen; }

    void forward(Backend backend, FlowSession s, Buf inputs, Buf contextOrNull, Buf out) {
        forward(backend, new Scratch(s.padded, s.paddedT, s.hidden, s.conv2Out, s.conv2OutT), inputs, contextOrNull, out);
    }

    /**
     * {@code out = PreLookaheadLayer(inputs, context)}: {@code inputs [m, inChannels]} time-major, {@code contextOrNull}
     * {@code [preLookaheadLen, inChannels]} (the look-ahead tokens) or null (zero right padding), {@code out
     * [m, inChannels]}.
     */
    public void forward(Backend backend, Scratch s, Buf inputs, Buf contextOrNull, Buf out) {
        int c = inChannels, la = preLookaheadLen, m = inputs.rows(), padded = m + la;
        if (contextOrNull != null && contextOrNull.rows() != la) {
            throw new IllegalArgumentException("look-ahead context must be " + la + " frames, got " + contextOrNull.rows());
        }
        // F.pad(inputs, (0, la)) or the look-ahead context on the right, channel-major for the convs
        Buf xt = s.padded().rows(0, padded), xcm = s.paddedT().view(c, padded);
        backend.copy(xt.rows(0, m), inputs);
        if (contextOrNull != null) backend.copy(xt.rows(m, padded), contextOrNull);
        else backend.fill(xt.rows(m, padded), 0f);
        backend.transpose(xcm, xt);
        Buf hidden = s.hidden().view(channels, m);
        backend.conv1d(hidden, xcm, conv1Weight, conv1Bias, ConvSpec.of(1, 0, 0, 1, 1));          // conv1
        backend.leakyRelu(hidden, LEAKY_SLOPE);
        Buf y = s.conv2Out().view(c, m), yt = s.conv2OutT().view(m, c);
        backend.conv1d(y, hidden, conv2Weight, conv2Bias, ConvSpec.of(1, conv2Kernel - 1, 0, 1, 1));   // conv2 (causal)
        backend.transpose(yt, y);
        backend.add(out, yt, inputs);                                                               // residual
    }
}
