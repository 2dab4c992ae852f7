package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.model.flow.PreLookaheadLayer;

/**
 * Per-request memory of a {@link CausalMaskedDiffWithXvec}: the encoder's activations, the positional table, the
 * solver state, the CFG rows' estimator inputs/outputs and their {@link UnetWorkspace}s, all grown to the longest call
 * so far and reused by the request's later calls. Not thread-safe: one request at a time. Views handed out (an
 * encoding, the solver output) are valid until the next call.
 */
public final class Cv2FlowSession {
    final Backend backend;
    private final CausalMaskedDiffWithXvec model;
    private int tokenCapacity, encoderCapacity, frameCapacity, posCapacity;
    // encoder
    Buf embeddings, encX, encContext, encH, encNorm, encQ, encK, encV, encAtt, encPos, encFf, encUpIn, encUpOut, encOut;
    PreLookaheadLayer.Scratch preLookahead;
    private Buf posTable;
    // flow + solver (channel-major [mel, T] unless noted)
    Buf embedding, spks, muT, mu, condT, cond, x, spksT, melOut;
    final Buf[] estimatorIn = new Buf[2], velocity = new Buf[2];
    final UnetWorkspace[] unet = new UnetWorkspace[2];
    final CausalConditionalDecoder.TimeState time;

    Cv2FlowSession(CausalMaskedDiffWithXvec model, float[] tHolder) {
        this.model = model;
        this.backend = model.backend();
        embedding = backend.alloc(1, model.config().spkEmbedDim());
        spks = backend.alloc(1, model.config().outputSize());
        CausalConditionalDecoder est = model.estimator();
        for (int r = 0; r < 2; r++) unet[r] = est.newWorkspace(0);
        time = new CausalConditionalDecoder.TimeState(est, tHolder);
    }

    /** Grows the buffers for {@code tokens} tokens (look-ahead included) and {@code frames} frames. */
    void ensure(int tokens, int frames) {
        UpsampleConformerEncoder enc = model.encoder();
        int d = enc.size, mel = model.config().outputSize(), la = model.config().preLookaheadLen();
        if (tokens > tokenCapacity) {
            embeddings = backend.alloc(tokens, model.config().inputSize());
            encContext = backend.alloc(la, d);
            preLookahead = PreLookaheadLayer.Scratch.alloc(backend, enc.preLookaheadLayer, tokens);
            tokenCapacity = tokens;
        }
        int t2 = Math.max(frames, tokens * enc.upStride);
        if (tokens > 0 && t2 > encoderCapacity) {
            int n = t2;
            encX = backend.alloc(1, n * d);
            encH = backend.alloc(1, n * d);
            encNorm = backend.alloc(1, n * d);
            encQ = backend.alloc(1, n * d);
            encK = backend.alloc(1, n * d);
            encV = backend.alloc(1, n * d);
            encAtt = backend.alloc(1, n * d);
            encPos = backend.alloc(1, (2 * n - 1) * d);
            encFf = backend.alloc(1, n * model.config().encoderLinearUnits());
            encUpIn = backend.alloc(1, n * d);
            encUpOut = backend.alloc(1, n * d);
            encOut = backend.alloc(1, n * d);
            encoderCapacity = n;
        }
        if (t2 > frameCapacity) {
            int n = t2;
            muT = backend.alloc(1, n * mel);
            mu = backend.alloc(1, n * mel);
            condT = backend.alloc(1, n * mel);
            cond = backend.alloc(1, n * mel);
            x = backend.alloc(1, n * mel);
            spksT = backend.alloc(1, n * mel);
            melOut = backend.alloc(1, n * mel);
            int in = model.estimator().inChannels;
            for (int r = 0; r < 2; r++) {
                estimatorIn[r] = backend.alloc(1, n * in);
                velocity[r] = backend.alloc(1, n * mel);
            }
            frameCapacity = n;
        }
        for (UnetWorkspace w : unet) w.ensure(t2);
    }

    /**
     * Frees the encoder's and the U-Net's activation buffers and the positional table after a flow call (rebuilt by the
     * next one): ~80 MB at the real sizes for 20 s of audio that would otherwise stay resident through the vocoder.
     * The encoding and solver buffers (mu, cond, x, the returned mel's staging) stay.
     */
    public void releaseScratch() {
        encX = encH = encNorm = encQ = encK = encV = encAtt = encPos = encFf = encUpIn = encUpOut = encOut = null;
        encoderCapacity = 0;
        posTable = null;
        posCapacity = 0;
        for (UnetWorkspace w : unet) w.release();
    }

    /** {@code pos_emb} of a length-{@code t} sequence {@code [2t - 1, d]} (relative positions t-1 ... -(t-1)). */
    Buf posEmb(int t) {
        int d = model.encoder().size;
        if (t > posCapacity) {
            int cap = Math.max(t, encoderCapacity);
            posTable = backend.upload(EspnetRelPositionalEncoding.table(cap, d), 2 * cap - 1, d);
            posCapacity = cap;
        }
        int first = EspnetRelPositionalEncoding.firstRow(posCapacity, t);
        return posTable.rows(first, first + 2 * t - 1);
    }

    public Backend backend() { return backend; }
}
