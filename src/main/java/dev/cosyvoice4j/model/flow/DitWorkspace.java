package dev.cosyvoice4j.model.flow;

/**
 * Scratch buffers of one {@link DiT} call for {@code batch} rows of {@code frames} frames, all time-major
 * ({@code [batch * frames, channels]}, row {@code b * frames + t}). Per request (never a field of the model);
 * reused by the 10 solver steps of one flow call.
 */
public final class DitWorkspace {
    final int batch, frames;
    private final DiT dit;
    // The activations below are allocated by ensureActivations() on the first batched pass: when the rows run on
    // separate threads (DiT.forwardRow) only the row workspaces' ones exist.
    /** Residual stream [R, dim]. */
    float[] h;
    /** Input concat [R, 2 * mel + mu + spk]. */
    float[] inCat;
    /** Normalised/modulated activations and linear outputs [R, dim]. */
    float[] norm, proj;
    /** q, k, v and the attention output [R, heads * dimHead]. */
    float[] q, k, v, attn;
    /** One batch row of q/k/v/attention [frames, heads * dimHead] (RoPE and attention restart per row). */
    float[] qRow, kRow, vRow, attnRow;
    /** Feed-forward hidden [R, dim * ffMult]. */
    float[] ff;
    /** Channel-major conv position embedding buffers [dim, frames]. */
    float[] convA, convB;
    /** Per batch row: sinusoid [B, freqDim], time MLP hidden and SiLU(temb) [B, dim]. */
    final float[] sinusoid, timeHidden, siluTemb;
    /** adaLN modulations: per block [B, 6 dim], and the final layer's [B, 2 dim]. */
    final float[][] blockModulation;
    final float[] finalModulation;

    DitWorkspace(DiT dit, int batch, int frames) {
        if (batch < 1 || frames < 1) throw new IllegalArgumentException("DiT workspace needs batch >= 1 and frames >= 1, got " + batch + " x " + frames);
        this.batch = batch;
        this.frames = frames;
        this.dit = dit;
        int rows = Math.multiplyExact(batch, frames), dim = dit.dim;
        Math.multiplyExact(rows, dit.ffInner);   // the largest buffer must be addressable: fail here, not mid-call
        sinusoid = new float[batch * dit.freqEmbedDim];
        timeHidden = new float[batch * dim];
        siluTemb = new float[batch * dim];
        blockModulation = new float[dit.depth()][batch * 6 * dim];
        finalModulation = new float[batch * 2 * dim];
        rowSpaces = new Row[batch];
    }

    /** Allocates the activation buffers if this workspace has none yet. */
    void ensureActivations() {
        if (h != null) return;
        int rows = batch * frames, dim = dit.dim, inner = dit.heads * dit.dimHead;
        h = new float[rows * dim];
        inCat = new float[rows * dit.inputEmbedChannels()];
        norm = new float[rows * dim];
        proj = new float[rows * dim];
        q = new float[rows * inner];
        k = new float[rows * inner];
        v = new float[rows * inner];
        attn = new float[rows * inner];
        qRow = new float[frames * inner];
        kRow = new float[frames * inner];
        vRow = new float[frames * inner];
        attnRow = new float[frames * inner];
        ff = new float[rows * dit.ffInner];
        convA = new float[dim * frames];
        convB = new float[dim * frames];
    }

    /** Per batch row: a batch-1 workspace and that row's inputs and output, made on first use. */
    private final Row[] rowSpaces;

    static final class Row {
        final DitWorkspace ws;
        final float[] x, cond, mu, spks, out;

        Row(DiT dit, int frames) {
            ws = new DitWorkspace(dit, 1, frames);
            x = new float[frames * dit.melDim];
            cond = new float[frames * dit.melDim];
            mu = new float[frames * dit.muDim];
            spks = new float[dit.spkDim];
            out = new float[frames * dit.melDim];
        }
    }

    /** Row {@code b}'s workspace; each row is touched by one task at a time. */
    Row row(DiT dit, int b) {
        synchronized (rowSpaces) {
            if (rowSpaces[b] == null) rowSpaces[b] = new Row(dit, frames);
            return rowSpaces[b];
        }
    }

    public int batch() { return batch; }

    public int frames() { return frames; }
}
