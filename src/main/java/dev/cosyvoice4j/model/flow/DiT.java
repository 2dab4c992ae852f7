package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The flow-matching estimator {@code DiT} (cosyvoice/flow/DiT/dit.py @ ace7c47, with modules.py's
 * TimestepEmbedding, InputEmbedding + CausalConvPositionEmbedding, DiTBlock, AdaLayerNormZero_Final), weights
 * {@code decoder.estimator.*} of flow.pt. Activations are time-major {@code [batch * frames, channels]} so every
 * projection is one {@link Kernels#linear} over all rows of the CFG batch. Golden: {@code flow/offline/dit_call}
 * (full attention) and {@code flow/stream_nonfinal/dit_call} (chunk mask).
 *
 * <p>Immutable weights; per-call scratch lives in a {@link DitWorkspace}. The only other state is a bounded, thread-safe
 * cache of the adaLN outputs per time value (constants derived from the weights, see {@code modulations}).
 */
public final class DiT {
    final int dim, heads, dimHead, ffInner, melDim, muDim, spkDim, freqEmbedDim;
    final int convKernel, convGroups, rotaryDim, staticChunkSize;
    final Tensor timeMlp0Weight, timeMlp0Bias, timeMlp2Weight, timeMlp2Bias;
    final Tensor inputEmbedProjWeight, inputEmbedProjBias;
    final Tensor convPosEmbedConv1Weight, convPosEmbedConv1Bias, convPosEmbedConv2Weight, convPosEmbedConv2Bias;
    /** {@code rotary_embed.inv_freq} (persistent buffer of x-transformers' RotaryEmbedding(dim_head)). */
    final float[] invFreq;
    final DitBlock[] transformerBlocks;
    /** adaLN outputs of one batch row per (kernels, t): derived constants of the model, read-only once stored. */
    private final java.util.concurrent.ConcurrentHashMap<ModulationKey, Modulations> modulationCache = new java.util.concurrent.ConcurrentHashMap<>();
    /** The solver uses 10 time values; anything beyond this many distinct keys is computed without caching. */
    private static final int MODULATION_CACHE_MAX = 64;

    private record ModulationKey(Kernels kernels, int tBits) {}

    private record Modulations(float[][] blocks, float[] fin) {}
    final Tensor normOutLinearWeight, normOutLinearBias, projOutWeight, projOutBias;

    private DiT(WeightStore ws, String p, FlowConfig cfg) {
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

        invFreq = ws.take(p + "rotary_embed.inv_freq", dimHead / 2).toFloatArray();
        rotaryDim = 2 * invFreq.length;

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
    public static DiT load(WeightStore ws, String prefix, FlowConfig cfg) {
        return new DiT(ws, prefix, cfg);
    }

    /** Width of the input projection: {@code cat[x (mel), cond (mel), mu, spks]}. */
    int inputEmbedChannels() { return 2 * melDim + muDim + spkDim; }

    public int melDim() { return melDim; }

    public int muDim() { return muDim; }

    public int spkDim() { return spkDim; }

    public int dim() { return dim; }

    public int depth() { return transformerBlocks.length; }

    /** A workspace for calls of {@code batch} rows x {@code frames} frames. */
    public DitWorkspace newWorkspace(int batch, int frames) { return new DitWorkspace(this, batch, frames); }

    /**
     * {@code DiT.forward(x, mask, mu, t, spks, cond, streaming)} for {@code ws.batch()} rows of {@code ws.frames()}
     * frames. Inputs time-major: {@code x}, {@code cond} {@code [B*T, mel]}, {@code mu} {@code [B*T, muDim]},
     * {@code spks} {@code [B, spkDim]}, {@code t} {@code [B]}; frames {@code >= validFrames} are padding (the
     * official mask). Writes the velocity {@code out [B*T, mel]}.
     */
    public void forward(Kernels kern, DitWorkspace ws, float[] x, float[] mu, float[] cond, float[] spks, float[] t,
                        int validFrames, boolean streaming, float[] out) {
        int batch = ws.batch, frames = ws.frames, rows = batch * frames;
        if (validFrames < 1 || validFrames > frames) throw new IllegalArgumentException("validFrames " + validFrames + " not in [1, " + frames + "]");
        modulations(kern, ws, t);
        if (batch > 1 && kern.taskThreads() > 1) {
            // batch rows never mix in the DiT: run each row whole on its own thread (see Kernels.parallelTasks)
            kern.parallelTasks(batch, b -> forwardRow(kern, ws, b, x, mu, cond, spks, validFrames, streaming, out));
            return;
        }
        blocks(kern, ws, x, mu, cond, spks, validFrames, streaming, out);
    }

    /** Input embedding, the transformer blocks and the output head, with the modulations already in {@code ws}. */
    private void blocks(Kernels kern, DitWorkspace ws, float[] x, float[] mu, float[] cond, float[] spks, int validFrames,
                        boolean streaming, float[] out) {
        int batch = ws.batch, frames = ws.frames, rows = batch * frames;
        ws.ensureActivations();
        inputEmbedding(kern, ws, x, mu, cond, spks);
        // dit.py: add_optional_chunk_mask(..., static_chunk_size, num_decoding_left_chunks=-1) when streaming
        AttentionMask mask = streaming ? AttentionMask.chunk(staticChunkSize, validFrames) : AttentionMask.full(validFrames);
        for (int i = 0; i < transformerBlocks.length; i++) {
            transformerBlocks[i].forward(kern, this, ws, ws.blockModulation[i], mask, validFrames);
        }
        // AdaLayerNormZero_Final: chunk order (scale, shift)
        float[] mod = ws.finalModulation;
        kern.layerNorm(ws.norm, ws.h, rows, dim, null, null, DitBlock.LN_EPS);
        modulate(ws.norm, batch, frames, dim, mod, 2 * dim, dim, 0);
        kern.linear(out, ws.norm, rows, projOutWeight, projOutBias);
    }

    /**
     * Every adaLN output ({@code attn_norm.linear} of each block and {@code norm_out.linear}, of SiLU(temb)) depends on
     * t alone, and the solver's t values are the same ten on every call, so each row's set is computed once per time
     * value and kernels (22 x 25 MB of weights read per DiT call otherwise) and kept in {@link #modulationCache}.
     */
    private void modulations(Kernels kern, DitWorkspace ws, float[] t) {
        int batch = ws.batch, six = 6 * dim, two = 2 * dim;
        Modulations[] cached = new Modulations[batch];
        boolean all = true;
        for (int b = 0; b < batch; b++) all &= (cached[b] = modulationCache.get(new ModulationKey(kern, Float.floatToIntBits(t[b])))) != null;
        if (!all) {
            timeEmbedding(kern, ws, t);
            // every weight read once for all rows
            for (int i = 0; i < transformerBlocks.length; i++) {
                kern.linear(ws.blockModulation[i], ws.siluTemb, batch, transformerBlocks[i].attnNormLinearWeight, transformerBlocks[i].attnNormLinearBias);
            }
            kern.linear(ws.finalModulation, ws.siluTemb, batch, normOutLinearWeight, normOutLinearBias);
            for (int b = 0; b < batch && modulationCache.size() < MODULATION_CACHE_MAX; b++) {
                float[][] blocks = new float[transformerBlocks.length][];
                for (int i = 0; i < blocks.length; i++) blocks[i] = java.util.Arrays.copyOfRange(ws.blockModulation[i], b * six, (b + 1) * six);
                modulationCache.putIfAbsent(new ModulationKey(kern, Float.floatToIntBits(t[b])),
                        new Modulations(blocks, java.util.Arrays.copyOfRange(ws.finalModulation, b * two, (b + 1) * two)));
            }
            return;
        }
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < transformerBlocks.length; i++) System.arraycopy(cached[b].blocks[i], 0, ws.blockModulation[i], b * six, six);
            System.arraycopy(cached[b].fin, 0, ws.finalModulation, b * two, two);
        }
    }

    /** Batch row {@code b} of {@link #forward} through its own batch-1 workspace (inputs and output copied). */
    private void forwardRow(Kernels kern, DitWorkspace ws, int b, float[] x, float[] mu, float[] cond, float[] spks,
                            int validFrames, boolean streaming, float[] out) {
        DitWorkspace.Row row = ws.row(this, b);
        int frames = ws.frames;
        System.arraycopy(x, b * frames * melDim, row.x, 0, frames * melDim);
        System.arraycopy(cond, b * frames * melDim, row.cond, 0, frames * melDim);
        System.arraycopy(mu, b * frames * muDim, row.mu, 0, frames * muDim);
        System.arraycopy(spks, b * spkDim, row.spks, 0, spkDim);
        for (int i = 0; i < transformerBlocks.length; i++) {
            System.arraycopy(ws.blockModulation[i], b * 6 * dim, row.ws.blockModulation[i], 0, 6 * dim);
        }
        System.arraycopy(ws.finalModulation, b * 2 * dim, row.ws.finalModulation, 0, 2 * dim);
        blocks(kern, row.ws, row.x, row.mu, row.cond, row.spks, validFrames, streaming, row.out);
        System.arraycopy(row.out, 0, out, b * frames * melDim, frames * melDim);
    }

    /** SiLU(Linear(SiLU(Linear(sinusoid(1000 t))))): the SiLU every adaLN applies first is folded in here. */
    private void timeEmbedding(Kernels kern, DitWorkspace ws, float[] t) {
        int half = freqEmbedDim / 2;
        float step = (float) -(StrictMath.log(10000) / (half - 1));
        for (int b = 0; b < ws.batch; b++) {
            float scaled = 1000f * t[b];
            for (int i = 0; i < half; i++) {
                float a = scaled * (float) StrictMath.exp(i * step);
                ws.sinusoid[b * freqEmbedDim + i] = (float) StrictMath.sin(a);
                ws.sinusoid[b * freqEmbedDim + half + i] = (float) StrictMath.cos(a);
            }
        }
        kern.linear(ws.timeHidden, ws.sinusoid, ws.batch, timeMlp0Weight, timeMlp0Bias);
        kern.silu(ws.timeHidden, 0, ws.batch * dim);
        kern.linear(ws.siluTemb, ws.timeHidden, ws.batch, timeMlp2Weight, timeMlp2Bias);
        kern.silu(ws.siluTemb, 0, ws.batch * dim);
    }

    /** InputEmbedding: proj(cat[x, cond, mu, spks]) + CausalConvPositionEmbedding (left pad k-1, conv, Mish, twice). */
    private void inputEmbedding(Kernels kern, DitWorkspace ws, float[] x, float[] mu, float[] cond, float[] spks) {
        int frames = ws.frames, inC = inputEmbedChannels();
        for (int b = 0; b < ws.batch; b++) {
            for (int t = 0; t < frames; t++) {
                int r = b * frames + t, o = r * inC;
                System.arraycopy(x, r * melDim, ws.inCat, o, melDim);
                System.arraycopy(cond, r * melDim, ws.inCat, o + melDim, melDim);
                System.arraycopy(mu, r * muDim, ws.inCat, o + 2 * melDim, muDim);
                System.arraycopy(spks, b * spkDim, ws.inCat, o + 2 * melDim + muDim, spkDim);
            }
        }
        kern.linear(ws.h, ws.inCat, ws.batch * frames, inputEmbedProjWeight, inputEmbedProjBias);
        ConvSpec causal = ConvSpec.of(1, convKernel - 1, 0, 1, convGroups);
        for (int b = 0; b < ws.batch; b++) {
            int base = b * frames * dim;
            for (int t = 0; t < frames; t++) {
                for (int c = 0; c < dim; c++) ws.convA[c * frames + t] = ws.h[base + t * dim + c];
            }
            kern.conv1d(ws.convB, ws.convA, dim, frames, convPosEmbedConv1Weight, convPosEmbedConv1Bias, causal);
            kern.mish(ws.convB, 0, dim * frames);
            kern.conv1d(ws.convA, ws.convB, dim, frames, convPosEmbedConv2Weight, convPosEmbedConv2Bias, causal);
            kern.mish(ws.convA, 0, dim * frames);
            // x = conv_pos_embed(x) + x
            for (int t = 0; t < frames; t++) {
                for (int c = 0; c < dim; c++) ws.h[base + t * dim + c] = ws.convA[c * frames + t] + ws.h[base + t * dim + c];
            }
        }
    }

    /**
     * In place {@code y = y * (1 + scale) + shift} per batch row, with {@code scale}/{@code shift} read from
     * {@code mod[b * stride + scaleOff + c]} / {@code mod[b * stride + shiftOff + c]}.
     */
    static void modulate(float[] y, int batch, int frames, int dim, float[] mod, int stride, int shiftOff, int scaleOff) {
        float[] onePlusScale = new float[dim];
        for (int b = 0; b < batch; b++) {
            int sh = b * stride + shiftOff, sc = b * stride + scaleOff;
            for (int c = 0; c < dim; c++) onePlusScale[c] = 1f + mod[sc + c];
            for (int t = 0; t < frames; t++) {
                int o = (b * frames + t) * dim;
                for (int c = 0; c < dim; c++) y[o + c] = y[o + c] * onePlusScale[c] + mod[sh + c];
            }
        }
    }
}
