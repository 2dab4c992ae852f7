package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;


/**
 * {@code CausalConditionalCFM} (cosyvoice/flow/flow_matching.py @ ace7c47, {@code forward} + {@code solve_euler}):
 * fixed noise {@code z = rand_noise[:, :, :T]}, cosine time grid, Euler steps with classifier-free guidance
 * (batch of 2: row 1 has mu, spks and cond zeroed; {@code v = (1 + cfg) v_cond - cfg v_uncond}).
 * Golden: {@code flow/offline/cfm}, {@code flow/stream_nonfinal/cfm}.
 *
 * <p>Immutable. All tensors time-major ({@code [T, mel]}).
 */
public final class CausalConditionalCfm {
    /** {@code rand_noise = torch.randn([1, 80, 50 * 300])}: 300 s of 50 Hz frames; longer inputs are impossible. */
    public static final int NOISE_FRAMES = 50 * 300;
    private static final long NOISE_SEED = 0; // set_all_random_seed(0) right before the draw

    /** Observes the solver state (tests, probes). */
    public interface StepListener {
        /** {@code x} ([T, mel], time-major) as it enters Euler step {@code step} (1-based); do not keep it. */
        void beforeStep(int step, float[] x);
    }

    /**
     * Memory for the unconditional row's first step ({@link UncondFirstStep}): 64 MB hold ~720 frames (14 s) of a
     * full-size bf16 DiT, ~360 in float32; later frames are computed per call as before.
     */
    static final long UNCOND_FIRST_STEP_BYTES = 64L << 20;

    private final DiT estimator;
    private final double inferenceCfgRate;
    private final UncondFirstStep uncondFirstStep;
    private final boolean cosineScheduler;
    /** {@code rand_noise} on the backend, {@code [mel, NOISE_FRAMES]} (4.8 MB; uploaded at the first solve). */
    private volatile Buf noiseBuf;

    public CausalConditionalCfm(DiT estimator, double inferenceCfgRate, String tScheduler) {
        this.estimator = estimator;
        this.inferenceCfgRate = inferenceCfgRate;
        this.cosineScheduler = "cosine".equals(tScheduler);
        this.uncondFirstStep = new UncondFirstStep(estimator, UNCOND_FIRST_STEP_BYTES);
    }

    /** Frames and bytes of the unconditional first step kept for streaming calls ({@link UncondFirstStep}). */
    public int uncondFirstStepFrames() { return uncondFirstStep.frames(); }

    public long uncondFirstStepBytes() { return uncondFirstStep.bytes(); }

    public DiT estimator() { return estimator; }

    /**
     * The official noise buffer {@code torch.manual_seed(0); torch.randn(1, channels, 15000)}, channel-major
     * {@code [channels, NOISE_FRAMES]} (about 1.2 M values, generated on each call: a model keeps its backend copy,
     * {@link #solve} uploads it once).
     */
    public static float[] noise(int channels) {
        return TorchRandn.randn(NOISE_SEED, Math.multiplyExact(channels, NOISE_FRAMES));
    }

    /**
     * {@code z = rand_noise[:, :, :frames]} transposed to time-major {@code [frames, channels]} on the host (temperature
     * 1): what the golden cases record. The solver takes the same values on the backend ({@link #initialNoise(FlowSession, Buf)}).
     */
    public static float[] initialNoise(int channels, int frames) {
        if (frames > NOISE_FRAMES) {
            throw new IllegalArgumentException("flow input of " + frames + " frames exceeds the " + NOISE_FRAMES
                    + "-frame (300 s) noise buffer of CausalConditionalCFM");
        }
        float[] buf = noise(channels), z = new float[frames * channels];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < frames; t++) z[t * channels + c] = buf[c * NOISE_FRAMES + t];
        }
        return z;
    }

    /**
     * {@code t_span = linspace(0, 1, n + 1)} (float32, torch's two-sided formula), then {@code 1 - cos(t * 0.5 * pi)}
     * for the cosine scheduler.
     */
    public static float[] tSpan(int nTimesteps, boolean cosine) {
        if (nTimesteps < 1) throw new IllegalArgumentException("n_timesteps must be >= 1, got " + nTimesteps);
        int steps = nTimesteps + 1, halfway = steps / 2;
        float step = 1f / nTimesteps;
        float[] ts = new float[steps];
        for (int i = 0; i < steps; i++) ts[i] = i < halfway ? step * i : 1f - step * (steps - i - 1);
        if (cosine) {
            for (int i = 0; i < steps; i++) ts[i] = 1f - (float) StrictMath.cos(ts[i] * 0.5f * (float) Math.PI);
        }
        return ts;
    }

    public float[] tSpan(int nTimesteps) { return tSpan(nTimesteps, cosineScheduler); }

    /** {@code x = rand_noise[:, :, :T]^T} into {@code x [T, mel]}, on the backend. */
    private void initialNoise(FlowSession s, Buf x) { initialNoise(s, x, 0); }

    /** {@code x = rand_noise[:, :, from:from+T]^T} into {@code x [T, mel]}: the noise is indexed by frame position. */
    private void initialNoise(FlowSession s, Buf x, int from) {
        int frames = x.rows(), mel = x.cols();
        if ((long) from + frames > NOISE_FRAMES) {
            throw new IllegalArgumentException("flow input of " + frames + " frames exceeds the " + NOISE_FRAMES
                    + "-frame (300 s) noise buffer of CausalConditionalCFM");
        }
        Buf all = noiseBuf;
        if (all == null) {
            synchronized (this) {
                if ((all = noiseBuf) == null) noiseBuf = all = s.backend.upload(noise(mel), mel, NOISE_FRAMES);
            }
        }
        Buf zcm = s.melOut.view(mel, frames);                                  // free until the mel goes out
        s.backend.copyCols(zcm, all, from);
        s.backend.transpose(x, zcm);
    }

    /**
     * Solves the ODE from the fixed noise: {@code mu [T, muDim]}, {@code cond [T, mel]}, {@code spks [1, spkDim]}
     * (backend buffers). Returns {@code x [T, mel]} (time-major; a view of the session's memory) after
     * {@code nTimesteps} Euler steps.
     */
    public Buf solve(FlowSession s, Buf mu, Buf cond, Buf spks, int nTimesteps, boolean streaming,
                     FlowTimings timingsOrNull, StepListener listenerOrNull) {
        Backend backend = s.backend;
        int frames = mu.rows(), mel = estimator.melDim;
        if (mu.cols() != estimator.muDim || cond.rows() != frames || cond.cols() != mel || spks.rows() != 1 || spks.cols() != estimator.spkDim) {
            throw new IllegalArgumentException("CFM inputs do not match: mu " + mu.shape() + ", cond " + cond.shape()
                    + ", spks " + spks.shape());
        }
        s.ensure(0, frames);
        Buf x = s.x.rows(0, frames);
        initialNoise(s, x);                                                   // z = rand_noise[:, :, :T]
        float[] tSpan = tSpan(nTimesteps);

        // CFG batch: row 0 conditioned, row 1 with mu/spks/cond zeroed
        Buf xIn = s.xIn.rows(0, 2 * frames), muIn = s.muIn.rows(0, 2 * frames), condIn = s.condIn.rows(0, 2 * frames);
        Buf v = s.velocity.rows(0, 2 * frames), spksIn = s.spksIn;
        cfgBatch(backend, muIn, condIn, spksIn, mu, cond, spks);
        float[] tIn = new float[2];

        float cfgCond = (float) (1.0 + inferenceCfgRate), cfgUncond = (float) inferenceCfgRate;
        float t = tSpan[0], dt = tSpan[1] - tSpan[0];
        for (int step = 1; step <= nTimesteps; step++) {
            if (listenerOrNull != null) listenerOrNull.beforeStep(step, backend.read(x));
            backend.copy(xIn.rows(0, frames), x);
            backend.copy(xIn.rows(frames, 2 * frames), x);
            tIn[0] = t;
            tIn[1] = t;
            long t0 = System.nanoTime();
            estimator.forward(s.dit, xIn, muIn, condIn, spksIn, tIn, frames, streaming, v);
            if (timingsOrNull != null) timingsOrNull.addDitCall(System.nanoTime() - t0);
            // v = (1 + cfg) v_cond - cfg v_uncond; x = x + dt * v
            backend.cfgEulerStep(x, v.rows(0, frames), v.rows(frames, 2 * frames), dt, cfgCond, cfgUncond);
            t = t + dt;
            if (step < nTimesteps) dt = tSpan[step + 1] - t; // dt from the accumulated t, as solve_euler does
        }
        return x;
    }

    /**
     * {@link #solve} with the chunk mask ({@code streaming=True}) for a call whose first {@code cache.frames()} frames are
     * cached: only the frames after them are computed, their DiT keys and values and solver states are added to
     * {@code cache}. Returns {@code x [T, mel]} of all frames (a view of the cache's memory, valid until its next change).
     * The caller records which complete chunks stay valid ({@link DitCache#record}).
     */
    public Buf solveCached(FlowSession s, DitCache cache, Buf mu, Buf cond, Buf spks, int nTimesteps, FlowTimings timingsOrNull) {
        Backend backend = s.backend;
        int total = mu.rows(), mel = estimator.melDim, c0 = cache.frames(), n = total - c0;
        if (nTimesteps != cache.steps || n < 1 || cond.rows() != total || mu.cols() != estimator.muDim || cond.cols() != mel
                || spks.rows() != 1 || spks.cols() != estimator.spkDim) {
            throw new IllegalArgumentException("cached CFM call: " + total + " frames with " + c0 + " cached, " + nTimesteps
                    + " steps (cache has " + cache.steps + "), mu " + mu.shape() + ", cond " + cond.shape() + ", spks " + spks.shape());
        }
        int w0 = Math.max(0, c0 - estimator.convContextFrames()), win = total - w0, skip = c0 - w0;
        float[] tSpan = tSpan(nTimesteps);
        cache.ensureCapacity(total);
        s.ensure(0, total);
        Buf v = s.velocity.rows(0, 2 * n);
        // step 1's unconditional row (t = tSpan[0], 0 for every schedule) from the model's constant: before the CFG
        // batch is written, since computing frames not held yet uses the session's buffers
        boolean uncondKept = uncondFirstStep.covers(total);
        if (uncondKept) {
            uncondFirstStep.copyInto(cache, c0, total, v.rows(n, 2 * n), s.velocity.rows(0, 2 * total),
                    (one, from, to, out) -> uncondWindow(s, one, from, to, out));
            s.dit.ensure(2, win);                     // the CFG batch's size, so that step 1's single row allocates nothing
        }
        Buf x = s.x.rows(0, n);
        initialNoise(s, x, c0);

        // CFG batch over the window: row 0 conditioned, row 1 with mu/spks/cond zeroed
        Buf xIn = s.xIn.rows(0, 2 * win), muIn = s.muIn.rows(0, 2 * win), condIn = s.condIn.rows(0, 2 * win);
        Buf spksIn = s.spksIn;
        cfgBatch(backend, muIn, condIn, spksIn, mu.rows(w0, total), cond.rows(w0, total), spks);
        float[] tIn = new float[2];

        float cfgCond = (float) (1.0 + inferenceCfgRate), cfgUncond = (float) inferenceCfgRate;
        float t = tSpan[0], dt = tSpan[1] - tSpan[0];
        for (int step = 1; step <= nTimesteps; step++) {
            Buf history = cache.xHistory[step - 1];
            backend.copy(history.rows(c0, total), x);
            for (int b = 0; b < 2; b++) backend.copy(xIn.rows(b * win, (b + 1) * win), history.rows(w0, total));
            tIn[0] = t;
            tIn[1] = t;
            long t0 = System.nanoTime();
            if (step == 1 && uncondKept) {            // the conditional row alone: v's unconditional half is set
                estimator.forwardCached(s.dit, cache, 0, xIn.rows(0, win), muIn.rows(0, win), condIn.rows(0, win),
                        spksIn.rows(0, 1), new float[] {t}, w0, c0, total, v.rows(0, n));
            } else {
                estimator.forwardCached(s.dit, cache, step - 1, xIn, muIn, condIn, spksIn, tIn, w0, c0, total, v);
            }
            if (timingsOrNull != null) timingsOrNull.addDitCall(System.nanoTime() - t0);
            backend.cfgEulerStep(x, v.rows(0, n), v.rows(n, 2 * n), dt, cfgCond, cfgUncond);
            t = t + dt;
            if (step < nTimesteps) dt = tSpan[step + 1] - t;
        }
        Buf out = cache.xHistory[nTimesteps];
        backend.copy(out.rows(c0, total), x);
        if (timingsOrNull != null) {
            timingsOrNull.addCachedFrames(c0, n);
            if (uncondKept) timingsOrNull.addUncondFirstStepFrames(n);
        }
        return out.rows(0, total);
    }

    /**
     * The unconditional row's step 1 for frames {@code [c0, total)} of the model's one-row cache (its {@code [0, c0)}
     * held): noise from the window's first frame, {@code mu}, {@code cond}, {@code spks} zero, t = 0. Uses the session's
     * CFG-batch buffers.
     */
    private void uncondWindow(FlowSession s, DitCache one, int c0, int total, Buf out) {
        int w0 = Math.max(0, c0 - estimator.convContextFrames()), win = total - w0;
        Buf x = s.xIn.rows(0, win), mu = s.muIn.rows(0, win), cond = s.condIn.rows(0, win), spks = s.spksIn.rows(1, 2);
        initialNoise(s, x, w0);
        s.backend.fill(mu, 0f);
        s.backend.fill(cond, 0f);
        s.backend.fill(spks, 0f);
        estimator.forwardCached(s.dit, one, 0, x, mu, cond, spks, new float[] {0f}, w0, c0, total, out);
    }

    /** The CFG batch's inputs: row 0 conditioned ({@code mu}, {@code cond}, {@code spks}), row 1 zeroed. */
    private static void cfgBatch(Backend backend, Buf muIn, Buf condIn, Buf spksIn, Buf mu, Buf cond, Buf spks) {
        int rows = mu.rows();
        backend.copy(muIn.rows(0, rows), mu);
        backend.fill(muIn.rows(rows, 2 * rows), 0f);
        backend.copy(condIn.rows(0, rows), cond);
        backend.fill(condIn.rows(rows, 2 * rows), 0f);
        backend.copy(spksIn.row(0), spks);
        backend.fill(spksIn.row(1), 0f);
    }
}
