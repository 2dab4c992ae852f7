package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;

/**
 * Per-request memory of a {@link FlowModel}: the encoding's buffers, the CFM solver's state and CFG batch, sized to
 * the longest call so far (it grows; the prompt plus a streaming chunk, or a whole segment) and reused by every later
 * call of the request; and the {@link DitWorkspace}, shared by the 10 solver steps of a call and released after it
 * ({@link #releaseScratch()}: its ~76 MB at full size would otherwise stay resident through the vocoder). Not thread-safe:
 * one request at a time. A view handed out (a {@link FlowEncoding}, the solver's output) is valid until the next call.
 */
public final class FlowSession {
    final Backend backend;
    final DitWorkspace dit;
    private final int inputSize, melDim, spkEmbedDim, preLookaheadChannels;
    private int tokenCapacity, frameCapacity;
    // encode: token embeddings incl. look-ahead [tokens, inputSize], PreLookaheadLayer scratch, speaker projection
    Buf embeddings, padded, paddedT, hidden, conv2Out, conv2OutT, h, mu, cond, embedding, spks;
    // solve: x [T, mel], the CFG batch [2T, ...], the velocity [2T, mel], spks of the batch [2, mel]
    Buf x, xIn, muIn, condIn, spksIn, velocity;
    /** Channel-major copy of the solver output for the mel returned to the host [mel, T]. */
    Buf melOut;

    FlowSession(Backend backend, DiT dit, int inputSize, int melDim, int spkEmbedDim, int preLookaheadChannels) {
        this.backend = backend;
        this.dit = dit.newWorkspace(2, 1);
        this.inputSize = inputSize;
        this.melDim = melDim;
        this.spkEmbedDim = spkEmbedDim;
        this.preLookaheadChannels = preLookaheadChannels;
        this.embedding = backend.alloc(1, spkEmbedDim);
        this.spks = backend.alloc(1, melDim);
        this.spksIn = backend.alloc(2, melDim);
    }

    /** Grows the buffers for {@code tokens} tokens (look-ahead included) and {@code frames} frames. */
    void ensure(int tokens, int frames) {
        if (tokens > tokenCapacity) {
            int n = tokens;
            embeddings = backend.alloc(n, inputSize);
            padded = backend.alloc(n, inputSize);
            paddedT = backend.alloc(inputSize, n);
            hidden = backend.alloc(preLookaheadChannels, n);
            conv2Out = backend.alloc(inputSize, n);
            conv2OutT = backend.alloc(n, inputSize);
            h = backend.alloc(n, inputSize);
            tokenCapacity = n;
        }
        if (frames > frameCapacity) {
            int n = frames;
            mu = backend.alloc(n, inputSize);
            cond = backend.alloc(n, melDim);
            x = backend.alloc(n, melDim);
            xIn = backend.alloc(2 * n, melDim);
            muIn = backend.alloc(2 * n, inputSize);
            condIn = backend.alloc(2 * n, melDim);
            velocity = backend.alloc(2 * n, melDim);
            melOut = backend.alloc(1, melDim * n);
            frameCapacity = n;
        }
    }

    /** Frees the DiT's activation buffers after a flow call (they are rebuilt by the next one; see DitWorkspace.release). */
    public void releaseScratch() { dit.release(); }

    /** The DiT's workspace. */
    public DitWorkspace ditWorkspace() { return dit; }

    public Backend backend() { return backend; }
}
