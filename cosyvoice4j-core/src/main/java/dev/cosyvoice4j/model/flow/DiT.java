package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The flow-matching estimator {@code DiT} (cosyvoice/flow/DiT/dit.py @ ace7c47, with modules.py's
 * TimestepEmbedding, InputEmbedding + CausalConvPositionEmbedding, DiTBlock, AdaLayerNormZero_Final), weights
 * {@code decoder.estimator.*} of flow.pt. Activations are time-major {@code [batch * frames, channels]}: the backend
 * runs the CFG batch as one set of products or its rows as independent parts ({@link Backend#rowRanges}). Golden:
 * {@code flow/offline/dit_call} (full attention) and {@code flow/stream_nonfinal/dit_call} (chunk mask).
 *
 * <p>Immutable weights; per-call memory lives in a {@link DitWorkspace}. The only other state is a bounded, thread-safe
 * cache of the adaLN outputs per time value (constants derived from the weights, see {@code modulations}).
 */
public final class DiT {
    final int dim, heads, dimHead, ffInner, melDim, muDim, spkDim, freqEmbedDim;
    final int convKernel, convGroups, rotaryDim, staticChunkSize;
    final Tensor timeMlp0Weight, timeMlp0Bias, timeMlp2Weight, timeMlp2Bias;
    final Tensor inputEmbedProjWeight, inputEmbedProjBias;
    final Tensor convPosEmbedConv1Weight, convPosEmbedConv1Bias, convPosEmbedConv2Weight, convPosEmbedConv2Bias;
    /** {@code rotary_embed.inv_freq} (persistent buffer of x-transformers' RotaryEmbedding(dim_head)). */
    final Tensor invFreq;
    final DitBlock[] transformerBlocks;
    final Tensor normOutLinearWeight, normOutLinearBias, projOutWeight, projOutBias;
    final Backend backend;
    /** The precision of the attention products (the linear layers' is in their prepared weights). */
    final Precision precision;
    /** adaLN outputs of one batch row per t: derived constants of the model, read-only once stored. */
    private final java.util.concurrent.ConcurrentHashMap<Integer, Modulations> modulationCache = new java.util.concurrent.ConcurrentHashMap<>();
    /** The solver uses 10 time values; anything beyond this many distinct keys is computed without caching. */
    private static final int MODULATION_CACHE_MAX = 64;

    /** One batch row's adaLN outputs: per block {@code [1, 6 dim]}, the final layer's {@code [1, 2 dim]}. */
    private record Modulations(Buf[] blocks, Buf fin) {}

    private DiT(WeightStore ws, String p, FlowConfig cfg, Backend backend, Precision precision) {
        this.backend = backend;
        this.precision = precision;
        dim = cfg.ditDim();
        heads = cfg.ditHeads();
        dimHead = cfg.ditDimHead();
        ffInner = Math.multiplyExact(dim, cfg.ditFfMult());
        melDim = cfg.melDim();
        muDim = cfg.muDim();
        spkDim = cfg.spkDim();
        staticChunkSize = cfg.staticChunkSize();
        if (dim <= 0 || heads <= 0 || dimHead <= 0 || cfg.ditDepth() <= 0 || melDim <= 0 || staticChunkSize <= 0) {
            throw new IllegalArgumentException("bad DiT sizes in " + cfg);
        }
        int inner = heads * dimHead;

        // TimestepEmbedding: the sinusoid width (freq_embed_dim, 256 in the code) is read from the weight
        timeMlp0Weight = ws.takeAnyShape(p + "time_embed.time_mlp.0.weight");
        if (timeMlp0Weight.rank() != 2 || timeMlp0Weight.dim(0) != dim || timeMlp0Weight.dim(1) % 2 != 0 || timeMlp0Weight.dim(1) < 4) {
            throw new ModelFormatException(ws.file(), p + "time_embed.time_mlp.0.weight is " + timeMlp0Weight + ", expected [" + dim + ", even freq_embed_dim]");
        }
        freqEmbedDim = timeMlp0Weight.dim(1);
        timeMlp0Bias = ws.take(p + "time_embed.time_mlp.0.bias", dim);
        timeMlp2Weight = ws.take(p + "time_embed.time_mlp.2.weight", dim, dim);
        timeMlp2Bias = ws.take(p + "time_embed.time_mlp.2.bias", dim);

        inputEmbedProjWeight = ws.take(p + "input_embed.proj.weight", dim, inputEmbedChannels());
        inputEmbedProjBias = ws.take(p + "input_embed.proj.bias", dim);
        // CausalConvPositionEmbedding(dim, kernel_size=31, groups=16): both read from the weight shape
        convPosEmbedConv1Weight = ws.takeAnyShape(p + "input_embed.conv_pos_embed.conv1.0.weight");
        if (convPosEmbedConv1Weight.rank() != 3 || convPosEmbedConv1Weight.dim(0) != dim
                || dim % convPosEmbedConv1Weight.dim(1) != 0 || convPosEmbedConv1Weight.dim(2) % 2 == 0) {
            throw new ModelFormatException(ws.file(), p + "input_embed.conv_pos_embed.conv1.0.weight is "
                    + convPosEmbedConv1Weight + ", expected [" + dim + ", dim/groups, odd kernel]");
        }
        convGroups = dim / convPosEmbedConv1Weight.dim(1);
        convKernel = convPosEmbedConv1Weight.dim(2);
        convPosEmbedConv1Bias = ws.take(p + "input_embed.conv_pos_embed.conv1.0.bias", dim);
        convPosEmbedConv2Weight = ws.take(p + "input_embed.conv_pos_embed.conv2.0.weight", dim, dim / convGroups, convKernel);
        convPosEmbedConv2Bias = ws.take(p + "input_embed.conv_pos_embed.conv2.0.bias", dim);

        invFreq = ws.take(p + "rotary_embed.inv_freq", dimHead / 2);
        rotaryDim = 2 * invFreq.dim(0);

        transformerBlocks = new DitBlock[cfg.ditDepth()];
        for (int b = 0; b < transformerBlocks.length; b++) {
            transformerBlocks[b] = DitBlock.load(ws, p + "transformer_blocks." + b + ".", dim, inner, ffInner);
        }
        if (ws.has(p + "transformer_blocks." + transformerBlocks.length + ".attn_norm.linear.weight")) {
            throw new ModelFormatException(ws.file(), "flow.pt has more DiT blocks than estimator.depth = " + transformerBlocks.length);
        }
        normOutLinearWeight = ws.take(p + "norm_out.linear.weight", 2L * dim, dim);
        normOutLinearBias = ws.take(p + "norm_out.linear.bias", 2L * dim);
        projOutWeight = ws.take(p + "proj_out.weight", melDim, dim);
        projOutBias = ws.take(p + "proj_out.bias", melDim);
    }

    /** Loads the estimator from {@code prefix} (e.g. {@code "decoder.estimator."}) of flow.pt. */
    public static DiT load(WeightStore ws, String prefix, FlowConfig cfg, Backend backend, Precision precision) {
        return new DiT(ws, prefix, cfg, backend, precision);
    }

    /** Width of the input projection: {@code cat[x (mel), cond (mel), mu, spks]}. */
    int inputEmbedChannels() { return 2 * melDim + muDim + spkDim; }

    public int melDim() { return melDim; }

    public int muDim() { return muDim; }

    public int spkDim() { return spkDim; }

    public int dim() { return dim; }

    public int depth() { return transformerBlocks.length; }

    /** MACs per output value of one conv position-embedding layer: {@code (dim / groups) * kernel}. */
    public long convMacsPerChannel() { return (long) (dim / convGroups) * convKernel; }

    /** A workspace for calls of {@code batch} rows x {@code frames} frames (it grows for larger calls). */
    public DitWorkspace newWorkspace(int batch, int frames) { return new DitWorkspace(this, batch, frames); }

    /**
     * {@code DiT.forward(x, mask, mu, t, spks, cond, streaming)} for {@code batch = spks.rows()} rows of
     * {@code frames = x.rows() / batch} frames. Inputs time-major: {@code x}, {@code cond} {@code [B*T, mel]},
     * {@code mu} {@code [B*T, muDim]}, {@code spks} {@code [B, spkDim]}, {@code t} {@code [B]}; frames
     * {@code >= validFrames} are padding (the official mask). Writes the velocity {@code out [B*T, mel]}.
     */
    public void forward(DitWorkspace ws, Buf x, Buf mu, Buf cond, Buf spks, float[] t, int validFrames, boolean streaming,
                        Buf out) {
        int batch = spks.rows(), frames = x.rows() / batch;
        if (t.length != batch || x.rows() != batch * frames || mu.rows() != x.rows() || cond.rows() != x.rows() || out.rows() != x.rows()) {
            throw new IllegalArgumentException("DiT inputs do not form a batch of " + batch + ": x " + x.shape() + ", mu "
                    + mu.shape() + ", cond " + cond.shape() + ", out " + out.shape() + ", " + t.length + " t values");
        }
        if (validFrames < 1 || validFrames > frames) throw new IllegalArgumentException("validFrames " + validFrames + " not in [1, " + frames + "]");
        ws.ensure(batch, frames);
        modulations(ws, t);
        // dit.py: add_optional_chunk_mask(..., static_chunk_size, num_decoding_left_chunks=-1) when streaming
        AttentionMask mask = streaming ? AttentionMask.chunk(staticChunkSize, validFrames) : AttentionMask.full(validFrames);
        // batch rows never mix in the DiT: the backend may run them as independent parts
        backend.rowRanges(batch, (b0, b1) -> {
            inputEmbedding(ws, b0, b1, x, mu, cond, spks, frames, 0);
            for (int i = 0; i < transformerBlocks.length; i++) {
                transformerBlocks[i].forward(this, ws, b0, b1, ws.blockModulation[i].rows(b0, b1), mask, validFrames, null, null, 0);
            }
            finalLayer(ws, b0, b1, out);
        });
    }

    /** Frames of cached solver state the causal position convolutions of a new frame read: {@code 2 (kernel - 1)}. */
    int convContextFrames() { return 2 * (convKernel - 1); }

    /**
     * One chunk-masked DiT call ({@code streaming=True}) for the frames {@code [c0, total)} of a call whose frames
     * {@code [0, c0)} are in {@code cache} for Euler step {@code step}; writes their keys and values there. Inputs cover the
     * window {@code [w0, total)}, {@code w0 = max(0, c0 - convContextFrames())}, batch row b at rows {@code [b W, (b+1) W)}:
     * {@code x}, {@code cond} {@code [2W, mel]}, {@code mu} {@code [2W, muDim]}; {@code out [2n, mel]} gets the
     * velocity of the {@code n = total - c0} new frames. Equal to rows {@code [c0, total)} of {@link #forward} over all
     * frames (the same operations on the same values; checked by {@code DitCacheTest}).
     */
    public void forwardCached(DitWorkspace ws, DitCache cache, int step, Buf x, Buf mu, Buf cond, Buf spks, float[] t,
                              int w0, int c0, int total, Buf out) {
        int batch = spks.rows(), win = total - w0, n = total - c0;
        if (batch < 1 || batch > cache.rows || t.length != batch || w0 < 0 || w0 > c0 || c0 >= total || c0 % staticChunkSize != 0
                || x.rows() != batch * win || mu.rows() != x.rows() || cond.rows() != x.rows() || out.rows() != batch * n) {
            throw new IllegalArgumentException("cached DiT call: window [" + w0 + ", " + total + ") from " + c0 + ", x " + x.shape()
                    + ", mu " + mu.shape() + ", cond " + cond.shape() + ", out " + out.shape());
        }
        ws.ensure(batch, win);                      // room for the window ...
        ws.ensure(batch, n);                        // ... while the blocks see the new frames only
        modulations(ws, t);
        AttentionMask mask = AttentionMask.chunk(staticChunkSize, total, c0);
        // the window's embedding uses the block buffers in its own layout: every row's before any row's blocks
        backend.rowRanges(batch, (b0, b1) -> inputEmbedding(ws, b0, b1, x, mu, cond, spks, win, c0 - w0));
        backend.rowRanges(batch, (b0, b1) -> {
            for (int i = 0; i < transformerBlocks.length; i++) {
                transformerBlocks[i].forward(this, ws, b0, b1, ws.blockModulation[i].rows(b0, b1), mask, n,
                        cache.keys[step][i], cache.values[step][i], c0);
            }
            finalLayer(ws, b0, b1, out);
        });
    }

    /** AdaLayerNormZero_Final (chunk order scale, shift) and proj_out of batch rows {@code [b0, b1)}. */
    private void finalLayer(DitWorkspace ws, int b0, int b1, Buf out) {
        int frames = ws.frames;
        Buf h = ws.rows(ws.h, b0, b1), norm = ws.rows(ws.norm, b0, b1);
        backend.layerNorm(norm, h, null, null, DitBlock.LN_EPS);
        backend.modulate(norm, ws.finalModulation.rows(b0, b1), dim, 0);
        backend.linear(out.rows(b0 * frames, b1 * frames), norm, projOutWeight, projOutBias);      // proj_out
    }

    /**
     * Every adaLN output ({@code attn_norm.linear} of each block and {@code norm_out.linear}, of SiLU(temb)) depends on
     * t alone, and the solver's t values are the same ten on every call, so each row's set is computed once per time
     * value (22 x 25 MB of weights read per DiT call otherwise) and kept in {@link #modulationCache}.
     */
    private void modulations(DitWorkspace ws, float[] t) {
        int batch = ws.batch;
        Modulations[] cached = new Modulations[batch];
        boolean all = true;
        for (int b = 0; b < batch; b++) all &= (cached[b] = modulationCache.get(Float.floatToIntBits(t[b]))) != null;
        if (all) {
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < transformerBlocks.length; i++) backend.copy(ws.blockModulation[i].row(b), cached[b].blocks[i]);
                backend.copy(ws.finalModulation.row(b), cached[b].fin);
            }
            return;
        }
        timeEmbedding(ws, t);
        Buf temb = ws.siluTemb.rows(0, batch);
        for (int i = 0; i < transformerBlocks.length; i++) {                   // every weight read once for all rows
            backend.linear(ws.blockModulation[i].rows(0, batch), temb, transformerBlocks[i].attnNormLinearWeight,
                    transformerBlocks[i].attnNormLinearBias);
        }
        backend.linear(ws.finalModulation.rows(0, batch), temb, normOutLinearWeight, normOutLinearBias);
        for (int b = 0; b < batch && modulationCache.size() < MODULATION_CACHE_MAX; b++) {
            Buf[] blocks = new Buf[transformerBlocks.length];
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = backend.alloc(1, 6 * dim);
                backend.copy(blocks[i], ws.blockModulation[i].row(b));
            }
            Buf fin = backend.alloc(1, 2 * dim);
            backend.copy(fin, ws.finalModulation.row(b));
            modulationCache.putIfAbsent(Float.floatToIntBits(t[b]), new Modulations(blocks, fin));
        }
    }

    /** SiLU(Linear(SiLU(Linear(sinusoid(1000 t))))): the SiLU every adaLN applies first is folded in here. */
    private void timeEmbedding(DitWorkspace ws, float[] t) {
        int batch = ws.batch;
        Buf sinusoid = ws.sinusoid.rows(0, batch), hidden = ws.timeHidden.rows(0, batch), temb = ws.siluTemb.rows(0, batch);
        backend.sinusPositionEmbedding(sinusoid, t, 1000f);                          // time_embed.time_embed (scale 1000)
        backend.linear(hidden, sinusoid, timeMlp0Weight, timeMlp0Bias);              // time_mlp.0
        backend.silu(hidden);                                                        // time_mlp.1
        backend.linear(temb, hidden, timeMlp2Weight, timeMlp2Bias);                  // time_mlp.2
        backend.silu(temb);                                                          // adaLN's SiLU, folded
    }

    /**
     * InputEmbedding: proj(cat[x, cond, mu, spks]) + CausalConvPositionEmbedding (left pad k-1, conv, Mish, twice), over
     * a window of {@code win} frames per batch row (inputs at rows {@code [b win, (b+1) win)}); rows {@code [skip, win)}
     * of each batch row go to the residual stream {@code ws.h} (the current call's layout). With {@code skip > 0} the
     * first frames only feed the causal convolutions of later ones (cached frames before a chunk call).
     */
    private void inputEmbedding(DitWorkspace ws, int b0, int b1, Buf x, Buf mu, Buf cond, Buf spks, int win, int skip) {
        int batch = ws.batch;
        Buf inCat = ws.inCat.view(batch * win, ws.inCat.cols()).rows(b0 * win, b1 * win);
        Buf hAll = (skip == 0 ? ws.h : ws.proj).view(batch * win, dim);
        Buf scratch = ws.norm.view(batch * win, dim);
        backend.setCols(inCat, 0, x.rows(b0 * win, b1 * win));
        backend.setCols(inCat, melDim, cond.rows(b0 * win, b1 * win));
        backend.setCols(inCat, 2 * melDim, mu.rows(b0 * win, b1 * win));
        for (int b = b0; b < b1; b++) {                                               // spks repeated over the frames
            backend.setCols(inCat.rows((b - b0) * win, (b - b0 + 1) * win), 2 * melDim + muDim, spks.row(b));
        }
        backend.linear(hAll.rows(b0 * win, b1 * win), inCat, inputEmbedProjWeight, inputEmbedProjBias);   // input_embed.proj
        // a window with the whole context (skip = 2 (k - 1)): each convolution without padding gives exactly the outputs
        // the next step reads (conv1 those of the last k - 1 context frames and the new ones, conv2 the new ones), the
        // same sums as the padded causal convolutions over the whole window compute for them, for 28% less work
        int ctx = convKernel - 1;
        boolean valid = skip == 2 * ctx;
        ConvSpec spec = ConvSpec.of(1, valid ? 0 : ctx, 0, 1, convGroups);
        int out1 = valid ? win - ctx : win, out2 = valid ? win - 2 * ctx : win, from = win - out2;
        for (int b = b0; b < b1; b++) {
            Buf hb = hAll.rows(b * win, (b + 1) * win);
            Buf a = ws.convA.view(batch * dim, win).rows(b * dim, (b + 1) * dim), c = ws.convB.view(batch * dim, win).rows(b * dim, (b + 1) * dim);
            Buf c1 = c.view(dim, out1), a2 = a.view(dim, out2);                  // within this row's part of the buffers
            Buf back = scratch.rows(b * win, b * win + out2);                        // free until the first block
            backend.transpose(a, hb);
            backend.conv1d(c1, a, convPosEmbedConv1Weight, convPosEmbedConv1Bias, spec);   // conv_pos_embed.conv1
            backend.mish(c1);
            backend.conv1d(a2, c1, convPosEmbedConv2Weight, convPosEmbedConv2Bias, spec);  // conv_pos_embed.conv2
            backend.mish(a2);
            backend.transpose(back, a2);
            if (skip > 0) {                                        // x = conv_pos_embed(x) + x, for the new frames only
                Buf hNew = ws.rows(ws.h, b, b + 1);
                backend.add(hNew, back.rows(skip - from, out2), hb.rows(skip, win));
            } else {
                backend.add(hb, back, hb);
            }
        }
    }
}
