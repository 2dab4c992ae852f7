package dev.cosyvoice4j.bench;

import java.util.Map;

/**
 * A deterministic stand-in for the engine: "spends" fixed times on a fake clock (or only reports them on a
 * real one) in the shape of CosyVoice3's pipeline: frontend, prefill, one decode event per token, then per
 * token2wav chunk a flow call of 10 ODE steps and a HiFT call; streaming delivers a chunk per hop
 * (first hop 25 tokens, then 50), non-streaming one chunk at the end. 480 samples per mel frame, 2 frames per token.
 */
public final class SimulatedTarget implements BenchTarget {
    static final double FRONTEND_MS = 90, PREFILL_MS = 500, DECODE_MS = 20, STEP_MS = 30, HIFT_MS_PER_TOKEN = 2, LOAD_MS = 1500;
    static final int SAMPLES_PER_TOKEN = 960;

    private final FakeClock clock; // null: report durations only, do not advance anything
    int loads, runs;

    SimulatedTarget(FakeClock clock) { this.clock = clock; }

    private void spend(double ms) { if (clock != null) clock.advanceMs(ms); }

    private static long ns(double ms) { return Math.round(ms * 1e6); }

    @Override
    public LoadInfo load() {
        loads++;
        spend(LOAD_MS);
        return new LoadInfo(24000, "simulated", "fp32", Map.of("params_llm", "506148480", "note", "simulated"));
    }

    @Override
    public void run(BenchCase c, TraceRecorder rec) {
        runs++;
        int tokens = c.speechTokens() > 0 ? c.speechTokens() : 70;
        spend(FRONTEND_MS);
        rec.stage(Stage.FRONTEND, ns(FRONTEND_MS));
        spend(PREFILL_MS);
        rec.stage(Stage.LLM_PREFILL, ns(PREFILL_MS));
        rec.count("prefill_positions", 127);
        int done = 0, hop = 25;
        int emitted = 0;
        for (int t = 1; t <= tokens; t++) {
            spend(DECODE_MS);
            rec.stage(Stage.LLM_DECODE, ns(DECODE_MS));
            boolean chunkReady = c.stream() ? t - done >= hop || t == tokens : t == tokens;
            if (chunkReady) {
                for (int s = 0; s < 10; s++) {
                    spend(STEP_MS);
                    rec.stage(Stage.FLOW_STEP, ns(STEP_MS));
                }
                rec.stage(Stage.FLOW, ns(10 * STEP_MS));
                spend(HIFT_MS_PER_TOKEN * t);
                rec.stage(Stage.HIFT, ns(HIFT_MS_PER_TOKEN * t));
                rec.chunk((t - emitted) * SAMPLES_PER_TOKEN);
                emitted = t;
                done = t;
                hop = 50;
            }
        }
        rec.count("speech_tokens", tokens);
    }

    /** ServiceLoader entry "simulated" (real clock: durations are reported, not spent). */
    public static final class Provider implements BenchTargetProvider {
        @Override public String name() { return "simulated"; }

        @Override public BenchTarget create(BenchSetup setup) { return new SimulatedTarget(null); }
    }
}
