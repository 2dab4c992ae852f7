package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * {@code CausalConditionalDecoder} (cosyvoice/flow/decoder.py:294-494 @ ace7c47, forward l. 405-494), the CosyVoice2
 * flow estimator: a causal 1-d U-Net over {@code [x | mu | spks | cond]} channels with one down stage
 * ({@link CausalResnetBlock1D}, {@code n_blocks} {@link BasicTransformerBlock}s, a causal k=3 conv as the last
 * stage's "downsample"), {@code num_mid_blocks} mid stages, one up stage over the skip concat {@code [x, hidden]}
 * (2C channels), {@code final_block} and the 1x1 {@code final_proj}. Time: {@code SinusoidalPosEmb(in_channels)}
 * (scale 1000) and {@code TimestepEmbedding} (linear_1, SiLU, linear_2). Attention: full over the frames, or chunks of
 * {@code static_chunk_size} frames when streaming. Golden: {@code flow/{offline,stream_nonfinal}/estimator_call}.
 *
 * <p>Immutable; an estimator call's memory is a {@link UnetWorkspace} per CFG row plus the {@link TimeState}.
 */
public final class CausalConditionalDecoder {
    /** {@code SinusoidalPosEmb.forward(x, scale=1000)}. */
    static final float TIME_SCALE = 1000f;

    final Backend backend;
    final int inChannels, outChannels, channels, timeEmbedDim, heads, headDim, staticChunkSize;
    final Tensor timeLinear1Weight, timeLinear1Bias, timeLinear2Weight, timeLinear2Bias;
    final CausalResnetBlock1D downResnet, upResnet;
    final BasicTransformerBlock[] downBlocks, upBlocks;
    final CausalResnetBlock1D[] midResnets;
    final BasicTransformerBlock[][] midBlocks;
    final Tensor downsampleWeight, downsampleBias, upsampleWeight, upsampleBias, finalProjWeight, finalProjBias;
    final CausalBlock1D finalBlock;
    final int downsampleKernel, upsampleKernel;

    CausalConditionalDecoder(WeightStore ws, String p, Cv2FlowConfig cfg, Backend backend) {
        this.backend = backend;
        inChannels = cfg.estimatorInChannels();
        outChannels = cfg.estimatorOutChannels();
        channels = cfg.channels().getFirst();
        timeEmbedDim = 4 * channels;
        heads = cfg.numHeads();
        headDim = cfg.attentionHeadDim();
        staticChunkSize = cfg.estimatorStaticChunkSize();
        if (inChannels % 2 != 0) throw new ModelFormatException(ws.file(), "estimator in_channels " + inChannels + " must be even (sin | cos time embedding)");
        timeLinear1Weight = ws.take(p + "time_mlp.linear_1.weight", timeEmbedDim, inChannels);
        timeLinear1Bias = ws.take(p + "time_mlp.linear_1.bias", timeEmbedDim);
        timeLinear2Weight = ws.take(p + "time_mlp.linear_2.weight", timeEmbedDim, timeEmbedDim);
        timeLinear2Bias = ws.take(p + "time_mlp.linear_2.bias", timeEmbedDim);
        int nBlocks = cfg.nBlocks();
        downResnet = new CausalResnetBlock1D(ws, p + "down_blocks.0.0.", inChannels, channels, timeEmbedDim);
        downBlocks = blocks(ws, p + "down_blocks.0.1.", nBlocks);
        downsampleWeight = causalConv(ws, p + "down_blocks.0.2.weight");
        downsampleKernel = downsampleWeight.dim(2);
        downsampleBias = ws.take(p + "down_blocks.0.2.bias", channels);
        midResnets = new CausalResnetBlock1D[cfg.numMidBlocks()];
        midBlocks = new BasicTransformerBlock[cfg.numMidBlocks()][];
        for (int m = 0; m < midResnets.length; m++) {
            midResnets[m] = new CausalResnetBlock1D(ws, p + "mid_blocks." + m + ".0.", channels, channels, timeEmbedDim);
            midBlocks[m] = blocks(ws, p + "mid_blocks." + m + ".1.", nBlocks);
        }
        upResnet = new CausalResnetBlock1D(ws, p + "up_blocks.0.0.", 2 * channels, channels, timeEmbedDim);
        upBlocks = blocks(ws, p + "up_blocks.0.1.", nBlocks);
        upsampleWeight = causalConv(ws, p + "up_blocks.0.2.weight");
        upsampleKernel = upsampleWeight.dim(2);
        upsampleBias = ws.take(p + "up_blocks.0.2.bias", channels);
        finalBlock = new CausalBlock1D(ws, p + "final_block.", channels, channels);
        finalProjWeight = ws.take(p + "final_proj.weight", outChannels, channels, 1);
        finalProjBias = ws.take(p + "final_proj.bias", outChannels);
    }

    private BasicTransformerBlock[] blocks(WeightStore ws, String p, int n) {
        BasicTransformerBlock[] out = new BasicTransformerBlock[n];
        for (int i = 0; i < n; i++) out[i] = new BasicTransformerBlock(ws, p + i + ".", channels, heads, headDim);
        return out;
    }

    private Tensor causalConv(WeightStore ws, String name) {
        Tensor w = ws.takeAnyShape(name);
        if (w.rank() != 3 || w.dim(0) != channels || w.dim(1) != channels) {
            throw new ModelFormatException(ws.file(), name + " is " + w + ", expected [" + channels + ", " + channels + ", k]");
        }
        return w;
    }

    /** The resnets in forward order (down, mids, up): one time projection row each. */
    CausalResnetBlock1D[] resnets() {
        CausalResnetBlock1D[] r = new CausalResnetBlock1D[midResnets.length + 2];
        r[0] = downResnet;
        System.arraycopy(midResnets, 0, r, 1, midResnets.length);
        r[r.length - 1] = upResnet;
        return r;
    }

    /** The per-call time state: the embedding of t and each resnet's {@code [mlp(t) | 0]} row. */
    public static final class TimeState {
        final Buf sinus, hidden, emb;
        final Buf[] rows;
        final float[] t;

        TimeState(CausalConditionalDecoder d, float[] tHolder) {
            Backend b = d.backend;
            sinus = b.alloc(1, d.inChannels);
            hidden = b.alloc(1, d.timeEmbedDim);
            emb = b.alloc(1, d.timeEmbedDim);
            rows = new Buf[d.midResnets.length + 2];
            for (int i = 0; i < rows.length; i++) rows[i] = b.alloc(1, 2 * d.channels);   // second half stays 0
            t = tHolder;
        }
    }

    /** New per-row scratch for up to {@code frames} frames. */
    UnetWorkspace newWorkspace(int frames) { return new UnetWorkspace(this, frames); }

    private void timeEmbedding(TimeState st, float t) {
        Backend b = backend;
        st.t[0] = t;
        b.sinusPositionEmbedding(st.sinus, st.t, TIME_SCALE);
        b.linear(st.hidden, st.sinus, timeLinear1Weight, timeLinear1Bias);
        b.silu(st.hidden);
        b.linear(st.emb, st.hidden, timeLinear2Weight, timeLinear2Bias);
        b.mish(st.emb);                                            // every resnet's mlp starts with Mish
        CausalResnetBlock1D[] rs = resnets();
        for (int i = 0; i < rs.length; i++) rs[i].timeProjection(b, st.emb, st.rows[i]);
    }

    /**
     * One estimator call at time {@code t} for {@code inputs.length} CFG rows that never mix: {@code inputs[r]
     * [inChannels, T]} (channel-major {@code [x | mu | spks | cond]}), {@code outputs[r] [outChannels, T]};
     * {@code workspaces[r]} is row r's scratch (sized for at least T frames).
     */
    void forward(TimeState st, UnetWorkspace[] workspaces, Buf[] inputs, float t, boolean streaming, Buf[] outputs) {
        timeEmbedding(st, t);
        backend.rowRanges(inputs.length, (r0, r1) -> {
            for (int r = r0; r < r1; r++) forwardRow(st, workspaces[r], inputs[r], streaming, outputs[r]);
        });
    }

    private void forwardRow(TimeState st, UnetWorkspace w, Buf in, boolean streaming, Buf out) {
        Backend b = backend;
        int t = in.cols(), c = channels;
        if (in.rows() != inChannels || out.rows() != outChannels || out.cols() != t) {
            throw new IllegalArgumentException("estimator input " + in.shape() + " / output " + out.shape() + " is not ["
                    + inChannels + ", T] / [" + outChannels + ", T]");
        }
        w.ensure(t);
        AttentionMask mask = streaming ? AttentionMask.chunk(staticChunkSize, t) : AttentionMask.full(t);
        Buf a = w.a.view(c, t), bb = w.b.view(c, t), skip = w.skip.view(2 * c, t), xt = w.xt.view(t, c);
        Buf low = skip.rows(0, c), hidden = skip.rows(c, 2 * c);
        int rowIndex = 0;
        // down: resnet -> transformer blocks -> hidden (skip) -> causal conv
        downResnet.forward(b, w, in, st.rows[rowIndex++], a);
        transformer(w, downBlocks, a, xt, hidden, mask);
        b.conv1d(a, hidden, downsampleWeight, downsampleBias, ConvSpec.of(1, downsampleKernel - 1, 0, 1, 1));
        // mid
        for (int m = 0; m < midResnets.length; m++) {
            midResnets[m].forward(b, w, a, st.rows[rowIndex++], bb);
            transformer(w, midBlocks[m], bb, xt, a, mask);
        }
        // up: concat(x, hidden) -> resnet -> transformer blocks -> causal conv
        b.copy(low, a);
        upResnet.forward(b, w, skip, st.rows[rowIndex], bb);
        transformer(w, upBlocks, bb, xt, a, mask);
        b.conv1d(bb, a, upsampleWeight, upsampleBias, ConvSpec.of(1, upsampleKernel - 1, 0, 1, 1));
        finalBlock.forward(b, bb, a, w.resTm.view(t, c), null);
        b.conv1d(out, a, finalProjWeight, finalProjBias, ConvSpec.of(1, 0, 0, 1, 1));
    }

    /** {@code out [C, T] = blocks(x^T)^T}: channel-major in and out, the blocks run time-major in {@code xt}. */
    private void transformer(UnetWorkspace w, BasicTransformerBlock[] blocks, Buf x, Buf xt, Buf out, AttentionMask mask) {
        backend.transpose(xt, x);
        for (BasicTransformerBlock blk : blocks) blk.forward(backend, w, xt, mask);
        backend.transpose(out, xt);
    }
}
