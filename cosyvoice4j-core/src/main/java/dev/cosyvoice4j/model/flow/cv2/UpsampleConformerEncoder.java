package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.flow.PreLookaheadLayer;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code UpsampleConformerEncoder} (cosyvoice/transformer/upsample_encoder.py:106-321 @ ace7c47, forward l. 244-307):
 * {@code embed} ({@link LinearNoSubsampling}), the look-ahead {@code context} embedded alike (its positions
 * discarded), {@code pre_lookahead_layer}, {@code encoders} ({@link ConformerEncoderLayer}, chunk mask of
 * {@code static_chunk_size} tokens when streaming), {@code up_layer} ({@code Upsample1D}: nearest x stride, left pad
 * {@code k - 1}, Conv1d k), {@code up_embed}, the 4 {@code up_encoders} (chunk {@code static_chunk_size x stride}),
 * {@code after_norm} (eps 1e-5). All widths come from the weights ({@code PreLookaheadLayer} and {@code Upsample1D}
 * are hard-coded to 512 channels in the official code). Golden: {@code flow/{offline,stream_nonfinal}/encode}.
 */
final class UpsampleConformerEncoder {
    static final float AFTER_NORM_EPS = 1e-5f;

    final int size, heads, staticChunkSize, upStride, upKernel;
    final LinearNoSubsampling embed, upEmbed;
    final PreLookaheadLayer preLookaheadLayer;
    final ConformerEncoderLayer[] encoders, upEncoders;
    final Tensor upLayerConvWeight, upLayerConvBias, afterNormWeight, afterNormBias;

    UpsampleConformerEncoder(WeightStore ws, String p, Cv2FlowConfig cfg) {
        size = cfg.encoderOutputSize();
        heads = cfg.encoderAttentionHeads();
        staticChunkSize = cfg.encoderStaticChunkSize();
        embed = new LinearNoSubsampling(ws, p + "embed.", cfg.encoderInputSize(), size);
        Tensor conv1 = ws.takeAnyShape(p + "pre_lookahead_layer.conv1.weight");
        if (conv1.rank() != 3) throw new ModelFormatException(ws.file(), p + "pre_lookahead_layer.conv1.weight is " + conv1 + ", expected [C, " + size + ", k]");
        preLookaheadLayer = PreLookaheadLayer.load(ws, p + "pre_lookahead_layer.", size, conv1.dim(0), cfg.preLookaheadLen());
        encoders = new ConformerEncoderLayer[cfg.encoderNumBlocks()];
        for (int i = 0; i < encoders.length; i++) {
            encoders[i] = new ConformerEncoderLayer(ws, p + "encoders." + i + ".", size, heads, cfg.encoderLinearUnits());
        }
        upLayerConvWeight = ws.takeAnyShape(p + "up_layer.conv.weight");
        if (upLayerConvWeight.rank() != 3 || upLayerConvWeight.dim(0) != size || upLayerConvWeight.dim(1) != size
                || upLayerConvWeight.dim(2) % 2 != 1) {
            throw new ModelFormatException(ws.file(), p + "up_layer.conv.weight is " + upLayerConvWeight + ", expected ["
                    + size + ", " + size + ", 2 * stride + 1]");
        }
        upKernel = upLayerConvWeight.dim(2);
        upStride = (upKernel - 1) / 2;                          // Upsample1D: Conv1d(k = stride * 2 + 1), pad stride * 2
        if (upStride != cfg.tokenMelRatio()) {
            throw new ModelFormatException(ws.file(), "up_layer upsamples x" + upStride + " but token_mel_ratio is " + cfg.tokenMelRatio());
        }
        upLayerConvBias = ws.take(p + "up_layer.conv.bias", size);
        upEmbed = new LinearNoSubsampling(ws, p + "up_embed.", size, size);
        int nUp = 0;
        while (ws.has(p + "up_encoders." + nUp + ".norm_mha.weight")) nUp++;
        if (nUp == 0) throw new ModelFormatException(ws.file(), "missing tensor '" + p + "up_encoders.0.norm_mha.weight'");
        upEncoders = new ConformerEncoderLayer[nUp];
        for (int i = 0; i < nUp; i++) {
            upEncoders[i] = new ConformerEncoderLayer(ws, p + "up_encoders." + i + ".", size, heads, cfg.encoderLinearUnits());
        }
        afterNormWeight = ws.take(p + "after_norm.weight", size);
        afterNormBias = ws.take(p + "after_norm.bias", size);
    }

    /** Observes the intermediates of one {@link #forward} (golden checks); arguments are views valid during the call. */
    interface Probe {
        void at(String name, Buf value);
    }

    /**
     * {@code xs [n, size]} token embeddings (time-major), {@code contextOrNull [preLookaheadLen, size]} the look-ahead
     * tokens' embeddings (non-final streaming call) or null; writes {@code out [n * upStride, size]}.
     */
    void forward(Backend b, Cv2FlowSession s, Buf xs, Buf contextOrNull, boolean streaming, Buf out, Probe probeOrNull) {
        int n = xs.rows(), t2 = n * upStride;
        Buf e = s.encX.view(n, size);
        embed.forward(b, xs, e);
        if (probeOrNull != null) probeOrNull.at("embed_xs", e);
        Buf context = null;
        if (contextOrNull != null) {
            context = s.encContext.view(contextOrNull.rows(), size);
            embed.forward(b, contextOrNull, context);           // embed(context, offset=len(xs)): positions discarded
        }
        Buf h = s.encH.view(n, size);
        preLookaheadLayer.forward(b, s.preLookahead, e, context, h);
        if (probeOrNull != null) probeOrNull.at("pre_lookahead_out", h);
        AttentionMask mask = streaming ? AttentionMask.chunk(staticChunkSize, n) : AttentionMask.full(n);
        Buf pos = s.posEmb(n);
        for (int i = 0; i < encoders.length; i++) {
            encoders[i].forward(b, s, h, pos, mask);
            if (i == 0 && probeOrNull != null) probeOrNull.at("encoders.0_out", h);
        }
        // up_layer: nearest x stride, left pad 2 * stride, conv; channel-major for the conv
        Buf rep = s.encX.view(t2, size), repT = s.encUpIn.view(size, t2), up = s.encUpOut.view(size, t2);
        b.repeatRows(rep, h, upStride);
        b.transpose(repT, rep);
        b.conv1d(up, repT, upLayerConvWeight, upLayerConvBias, ConvSpec.of(1, upKernel - 1, 0, 1, 1));
        if (probeOrNull != null) probeOrNull.at("up_layer_out", up);
        Buf upT = s.encH.view(t2, size);
        b.transpose(upT, up);
        upEmbed.forward(b, upT, out);
        if (probeOrNull != null) probeOrNull.at("up_embed_xs", out);
        AttentionMask upMask = streaming ? AttentionMask.chunk(staticChunkSize * upStride, t2) : AttentionMask.full(t2);
        Buf upPos = s.posEmb(t2);
        for (int i = 0; i < upEncoders.length; i++) {
            upEncoders[i].forward(b, s, out, upPos, upMask);
            if (i == 0 && probeOrNull != null) probeOrNull.at("up_encoders.0_out", out);
        }
        b.layerNorm(out, out, afterNormWeight, afterNormBias, AFTER_NORM_EPS);
    }
}
