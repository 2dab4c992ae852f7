package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    private static final Map<Integer, float[]> NOISE = new ConcurrentHashMap<>();

    /** Observes the solver state (tests, probes). */
    public interface StepListener {
        /** {@code x} ([T, mel], time-major) as it enters Euler step {@code step} (1-based); do not keep it. */
        void beforeStep(int step, float[] x);
    }

    private final DiT estimator;
    private final double inferenceCfgRate;
    private final boolean cosineScheduler;

    public CausalConditionalCfm(DiT estimator, double inferenceCfgRate, String tScheduler) {
        this.estimator = estimator;
        this.inferenceCfgRate = inferenceCfgRate;
        this.cosineScheduler = "cosine".equals(tScheduler);
    }

    public DiT estimator() { return estimator; }

    /**
     * The official noise buffer {@code torch.manual_seed(0); torch.randn(1, channels, 15000)}, channel-major
     * {@code [channels, NOISE_FRAMES]}; generated once per JVM (about 1.2 M values) and shared, read-only.
     */
    public static float[] noise(int channels) {
        return NOISE.computeIfAbsent(channels, c -> TorchRandn.randn(NOISE_SEED, Math.multiplyExact(c, NOISE_FRAMES)));
    }

    /** {@code z = rand_noise[:, :, :frames]} transposed to time-major {@code [frames, channels]} (temperature 1). */
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

    /**
     * Solves the ODE from the fixed noise: {@code mu}, {@code cond} {@code [frames, mel]}, {@code spks [spkDim]}.
     * Returns {@code x [frames, mel]} (time-major) after {@code nTimesteps} Euler steps.
     */
    public float[] solve(Kernels kern, float[] mu, float[] cond, float[] spks, int frames, int nTimesteps, boolean streaming,
                         FlowTimings timingsOrNull, StepListener listenerOrNull) {
        int mel = estimator.melDim, muDim = estimator.muDim, spkDim = estimator.spkDim;
        if (mu.length != frames * muDim || cond.length != frames * mel || spks.length != spkDim) {
            throw new IllegalArgumentException("CFM inputs do not match " + frames + " frames: mu " + mu.length
                    + ", cond " + cond.length + ", spks " + spks.length);
        }
        float[] x = initialNoise(mel, frames);
        float[] tSpan = tSpan(nTimesteps);

        // CFG batch: row 0 conditioned, row 1 with mu/spks/cond left at zero
        int n = frames * mel;
        float[] xIn = new float[2 * n], muIn = new float[2 * frames * muDim], condIn = new float[2 * n];
        float[] spksIn = new float[2 * spkDim], tIn = new float[2], v = new float[2 * n];
        System.arraycopy(mu, 0, muIn, 0, mu.length);
        System.arraycopy(cond, 0, condIn, 0, n);
        System.arraycopy(spks, 0, spksIn, 0, spkDim);
        DitWorkspace ws = estimator.newWorkspace(2, frames);

        float cfgCond = (float) (1.0 + inferenceCfgRate), cfgUncond = (float) inferenceCfgRate;
        float t = tSpan[0], dt = tSpan[1] - tSpan[0];
        for (int step = 1; step <= nTimesteps; step++) {
            if (listenerOrNull != null) listenerOrNull.beforeStep(step, x);
            System.arraycopy(x, 0, xIn, 0, n);
            System.arraycopy(x, 0, xIn, n, n);
            tIn[0] = t;
            tIn[1] = t;
            long t0 = System.nanoTime();
            estimator.forward(kern, ws, xIn, muIn, condIn, spksIn, tIn, frames, streaming, v);
            if (timingsOrNull != null) timingsOrNull.addDitCall(System.nanoTime() - t0);
            for (int i = 0; i < n; i++) x[i] = x[i] + dt * (cfgCond * v[i] - cfgUncond * v[n + i]);
            t = t + dt;
            if (step < nTimesteps) dt = tSpan[step + 1] - t; // dt from the accumulated t, as solve_euler does
        }
        return x;
    }
}
