package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.model.flow.FlowTimings;

/**
 * {@code CausalConditionalCFM} of CosyVoice2 (cosyvoice/flow/flow_matching.py:196-227 @ ace7c47, {@code solve_euler}
 * l. 71-124) around the U-Net {@link CausalConditionalDecoder}: the same fixed noise, time grid and classifier-free
 * guidance as CosyVoice3 ({@link dev.cosyvoice4j.model.flow.CausalConditionalCfm#noise},
 * {@link dev.cosyvoice4j.model.flow.CausalConditionalCfm#tSpan}); the CFG rows are separate estimator inputs
 * {@code [x | mu | spks | cond]} (row 1 with mu, spks, cond zeroed). All tensors channel-major {@code [mel, T]}.
 * Golden: {@code flow/offline/cfm}, {@code flow/stream_nonfinal/cfm}.
 *
 * <p>Immutable apart from the lazily uploaded noise buffer.
 */
public final class CausalConditionalCfm {
    /** Observes the solver state (tests, probes). */
    public interface StepListener {
        /** {@code x} ({@code [mel, T]}, channel-major) as it enters Euler step {@code step} (1-based); do not keep it. */
        void beforeStep(int step, float[] x);
    }

    private final CausalConditionalDecoder estimator;
    private final double inferenceCfgRate;
    private final boolean cosineScheduler;
    /** {@code rand_noise} {@code [mel, NOISE_FRAMES]} on the backend, uploaded at the first solve. */
    private volatile Buf noiseBuf;

    CausalConditionalCfm(CausalConditionalDecoder estimator, double inferenceCfgRate, String tScheduler) {
        this.estimator = estimator;
        this.inferenceCfgRate = inferenceCfgRate;
        this.cosineScheduler = "cosine".equals(tScheduler);
    }

    public CausalConditionalDecoder estimator() { return estimator; }

    /** {@code t_span} of an {@code n}-step solve. */
    public float[] tSpan(int nTimesteps) {
        return dev.cosyvoice4j.model.flow.CausalConditionalCfm.tSpan(nTimesteps, cosineScheduler);
    }

    /** The one-value holder the estimator's timestep embedding reads {@code t} from (per session). */
    static float[] timeHolder() { return new float[1]; }

    private Buf noise(Backend backend, int mel) {
        Buf all = noiseBuf;
        if (all == null) {
            synchronized (this) {
                if ((all = noiseBuf) == null) {
                    noiseBuf = all = backend.upload(dev.cosyvoice4j.model.flow.CausalConditionalCfm.noise(mel), mel,
                            dev.cosyvoice4j.model.flow.CausalConditionalCfm.NOISE_FRAMES);
                }
            }
        }
        return all;
    }

    /**
     * Solves from {@code z = rand_noise[:, :, :T]}: {@code mu}, {@code cond} {@code [mel, T]}, {@code spks [1, mel]}.
     * Returns {@code x [mel, T]} (a view of the session's memory) after {@code nTimesteps} Euler steps.
     */
    public Buf solve(Cv2FlowSession s, Buf mu, Buf cond, Buf spks, int nTimesteps, boolean streaming,
                     FlowTimings timingsOrNull, StepListener listenerOrNull) {
        Backend b = s.backend;
        int mel = estimator.outChannels, frames = mu.cols();
        if (mu.rows() != mel || cond.rows() != mel || cond.cols() != frames || spks.rows() != 1 || spks.cols() != mel
                || estimator.inChannels != 4 * mel) {
            throw new IllegalArgumentException("CFM inputs do not match: mu " + mu.shape() + ", cond " + cond.shape()
                    + ", spks " + spks.shape() + " for an estimator of " + estimator.inChannels + " input channels");
        }
        if (frames > dev.cosyvoice4j.model.flow.CausalConditionalCfm.NOISE_FRAMES) {
            throw new IllegalArgumentException("flow input of " + frames + " frames exceeds the "
                    + dev.cosyvoice4j.model.flow.CausalConditionalCfm.NOISE_FRAMES + "-frame (300 s) noise buffer of CausalConditionalCFM");
        }
        s.ensure(0, frames);
        Buf x = s.x.view(mel, frames);
        b.copyCols(x, noise(b, mel), 0);                                       // z = rand_noise[:, :, :T]
        float[] tSpan = tSpan(nTimesteps);

        // CFG rows: [x | mu | spks | cond] and [x | 0 | 0 | 0]
        Buf in0 = s.estimatorIn[0].view(4 * mel, frames), in1 = s.estimatorIn[1].view(4 * mel, frames);
        b.copy(in0.rows(mel, 2 * mel), mu);
        Buf spksT = s.spksT.view(frames, mel);
        b.setCols(spksT, 0, spks);                                             // repeat(spks, "b c -> b c t")
        b.transpose(in0.rows(2 * mel, 3 * mel), spksT);
        b.copy(in0.rows(3 * mel, 4 * mel), cond);
        b.fill(in1.rows(mel, 4 * mel), 0f);
        Buf[] inputs = {in0, in1};
        Buf[] v = {s.velocity[0].view(mel, frames), s.velocity[1].view(mel, frames)};

        float cfgCond = (float) (1.0 + inferenceCfgRate), cfgUncond = (float) inferenceCfgRate;
        float t = tSpan[0], dt = tSpan[1] - tSpan[0];
        for (int step = 1; step <= nTimesteps; step++) {
            if (listenerOrNull != null) listenerOrNull.beforeStep(step, b.read(x));
            b.copy(in0.rows(0, mel), x);
            b.copy(in1.rows(0, mel), x);
            long t0 = System.nanoTime();
            estimator.forward(s.time, s.unet, inputs, t, streaming, v);
            if (timingsOrNull != null) timingsOrNull.addDitCall(System.nanoTime() - t0);
            b.cfgEulerStep(x, v[0], v[1], dt, cfgCond, cfgUncond);           // x += dt * ((1 + cfg) v - cfg v_uncond)
            t = t + dt;
            if (step < nTimesteps) dt = tSpan[step + 1] - t;                   // as solve_euler: from the accumulated t
        }
        return x;
    }
}
