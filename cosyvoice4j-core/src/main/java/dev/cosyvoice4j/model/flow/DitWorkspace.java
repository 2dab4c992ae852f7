package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;

/**
 * Backend buffers of {@link DiT} calls, time-major ({@code [batch * frames, channels]}, row {@code b * frames + t}),
 * sized exactly to the call (no reserve: peak memory matters more than a reallocation) and shared by the 10 solver
 * steps of a flow call, then released ({@link #release()}). Each
 * call takes prefix views of the shape it needs; a batch row is a view of those, so the CFG rows can run as
 * independent parts without copies. Per request (never a field of the model).
 */
public final class DitWorkspace {
    private final DiT dit;
    private final Backend backend;
    private int batchCapacity, frameCapacity;
    int batch, frames;
    /** Residual stream [R, dim]. */
    Buf h;
    /** Input concat [R, 2 * mel + mu + spk]. */
    Buf inCat;
    /** Normalised/modulated activations and linear outputs [R, dim]. */
    Buf norm, proj;
    /** q, k, v and the attention output [R, heads * dimHead]. */
    Buf q, k, v, attn;
    /** Feed-forward hidden [R, dim * ffMult]. */
    Buf ff;
    /** Channel-major conv position embedding buffers, one [dim, frames] block per batch row. */
    Buf convA, convB;
    /** Per batch row: sinusoid [B, freqDim], time MLP hidden and SiLU(temb) [B, dim]. */
    Buf sinusoid, timeHidden, siluTemb;
    /** adaLN modulations: per block [B, 6 dim], and the final layer's [B, 2 dim]. */
    Buf[] blockModulation;
    Buf finalModulation;

    DitWorkspace(DiT dit, int batch, int frames) {
        this.dit = dit;
        this.backend = dit.backend;
        ensure(batch, frames);
    }

    /** Makes room for a call of {@code batch} rows of {@code frames} frames and sets the call's shape. */
    void ensure(int batch, int frames) {
        if (batch < 1 || frames < 1) throw new IllegalArgumentException("DiT call needs batch >= 1 and frames >= 1, got " + batch + " x " + frames);
        if (batch > batchCapacity) {
            batchCapacity = batch;
            sinusoid = backend.alloc(batch, dit.freqEmbedDim);
            timeHidden = backend.alloc(batch, dit.dim);
            siluTemb = backend.alloc(batch, dit.dim);
            blockModulation = new Buf[dit.depth()];
            for (int i = 0; i < blockModulation.length; i++) blockModulation[i] = backend.alloc(batch, 6 * dit.dim);
            finalModulation = backend.alloc(batch, 2 * dit.dim);
            frameCapacity = 0;                                   // activations are sized by batch x frames
        }
        if (frames > frameCapacity) {
            int rows = Math.multiplyExact(batchCapacity, frames), dim = dit.dim, inner = dit.heads * dit.dimHead;
            Math.multiplyExact(rows, dit.ffInner);               // the largest buffer must be addressable: fail here
            h = backend.alloc(rows, dim);
            inCat = backend.alloc(rows, dit.inputEmbedChannels());
            norm = backend.alloc(rows, dim);
            proj = backend.alloc(rows, dim);
            q = backend.alloc(rows, inner);
            k = backend.alloc(rows, inner);
            v = backend.alloc(rows, inner);
            attn = backend.alloc(rows, inner);
            ff = backend.alloc(rows, dit.ffInner);
            convA = backend.alloc(rows, dim);
            convB = backend.alloc(rows, dim);
            frameCapacity = frames;                               // exact: a 1.5x reserve cost ~50 MB of peak RSS
        }
        this.batch = batch;
        this.frames = frames;
    }

    /**
     * Drops every buffer (the next call allocates again). Between flow calls the activations are dead, and keeping
     * them alive through the vocoder and the next LLM steps raised the peak resident set (~40-70 MB at full size).
     */
    void release() {
        batchCapacity = frameCapacity = 0;
        h = inCat = norm = proj = q = k = v = attn = ff = convA = convB = sinusoid = timeHidden = siluTemb = finalModulation = null;
        blockModulation = null;
    }

    /** Rows {@code [b0 * frames, b1 * frames)} of a batched activation buffer, for the current call's shape. */
    Buf rows(Buf buf, int b0, int b1) {
        return buf.view(batch * frames, buf.cols()).rows(b0 * frames, b1 * frames);
    }

    /** Batch row b's {@code [dim, frames]} channel-major block of a conv buffer. */
    Buf channelMajor(Buf buf, int b) {
        return buf.view(batch * dit.dim, frames).rows(b * dit.dim, (b + 1) * dit.dim);
    }

    public int batch() { return batch; }

    public int frames() { return frames; }
}
