package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code PreLookaheadLayer} (cosyvoice/transformer/upsample_encoder.py @ ace7c47): conv1 (k = look-ahead + 1)
 * over the tokens plus {@code preLookaheadLen} frames of right context (zeros, or the look-ahead tokens'
 * embeddings in a non-final streaming call), leaky ReLU (slope 0.01), causal conv2 (left pad k-1), residual.
 * Golden: {@code flow/offline/encode}, {@code flow/stream_nonfinal/encode}.
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
     * {@code inputs [m, inChannels]} time-major; {@code contextOrNull} is {@code [preLookaheadLen, inChannels]}
     * (the look-ahead tokens) or null (zero right padding). Returns {@code [m, inChannels]}.
     */
    public float[] forward(Kernels kern, float[] inputs, int m, float[] contextOrNull) {
        int c = inChannels, la = preLookaheadLen, padded = m + la;
        if (contextOrNull != null && contextOrNull.length != la * c) {
            throw new IllegalArgumentException("look-ahead context must be " + la + " frames, got " + contextOrNull.length / c);
        }
        float[] xcm = new float[c * padded]; // channel-major, right context (or zeros) appended
        for (int t = 0; t < m; t++) {
            for (int ch = 0; ch < c; ch++) xcm[ch * padded + t] = inputs[t * c + ch];
        }
        if (contextOrNull != null) {
            for (int t = 0; t < la; t++) {
                for (int ch = 0; ch < c; ch++) xcm[ch * padded + m + t] = contextOrNull[t * c + ch];
            }
        }
        float[] hidden = new float[channels * m];
        kern.conv1d(hidden, xcm, c, padded, conv1Weight, conv1Bias, ConvSpec.of(1, 0, 0, 1, 1));
        kern.leakyRelu(hidden, 0, hidden.length, LEAKY_SLOPE);
        float[] y = new float[c * m];
        kern.conv1d(y, hidden, channels, m, conv2Weight, conv2Bias, ConvSpec.of(1, conv2Kernel - 1, 0, 1, 1));
        float[] out = new float[m * c];
        for (int t = 0; t < m; t++) {
            for (int ch = 0; ch < c; ch++) out[t * c + ch] = y[ch * m + t] + inputs[t * c + ch];
        }
        return out;
    }
}
