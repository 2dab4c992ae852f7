package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.model.flow.DitCache;
import dev.cosyvoice4j.model.flow.DitPrefix;
import dev.cosyvoice4j.model.flow.FlowModel;
import dev.cosyvoice4j.model.flow.FlowSession;
import dev.cosyvoice4j.model.flow.FlowTimings;
import dev.cosyvoice4j.model.hift.CausalHiftGenerator;
import dev.cosyvoice4j.model.hift.HiftSession;
import dev.cosyvoice4j.model.hift.HiftStreamState;

/** Adapters from the loaded networks to the engine's stage interfaces, recording stage timings. */
final class ModelStages {
    private ModelStages() {}

    /** {@link FlowStage} over {@link FlowModel#inference}, on one request's flow memory (no streaming caches). */
    static FlowStage flow(FlowModel flow, FlowSession session) {
        return flow(flow, session, null, null, StreamingOptions.recompute());
    }

    /**
     * {@link FlowStage} over {@link FlowModel#inference}, on one request's flow memory. With {@code options.ditCache()},
     * non-final streaming calls go through a cache borrowed from {@code caches} for the utterance
     * ({@link FlowModel#inferenceCached}: only new frames computed), starting from a saved voice's prompt state kept in
     * {@code voices}; the final call recomputes everything with full attention as the official code does, unless
     * {@code options.causalFinalChunk()}. The cache goes back to the pool at the end of the utterance.
     */
    static FlowStage flow(FlowModel flow, FlowSession session, DitCachePool caches, VoiceFlowCache voices, StreamingOptions options) {
        return new FlowStage() {
            private DitCache cache;

            @Override
            public Mel inference(int[] tokens, VoicePrompt prompt, boolean streaming, boolean finalize, StageTimings timings) {
                long t0 = System.nanoTime();
                FlowTimings ft = new FlowTimings();
                boolean wanted = caches != null && options.ditCache()
                        && (streaming && !finalize || finalize && options.causalFinalChunk() && cache != null && cache.frames() > 0);
                if (wanted && cache == null) cache = caches.borrow();
                boolean cached = wanted && withinBudget(flow, cache, tokens, prompt, options);
                float[] mel;
                try {
                    if (cached) {
                        DitPrefix prefix = cache.frames() == 0 ? voicePrefix(flow, session, cache, voices, prompt) : null;
                        mel = flow.inferenceCached(session, cache, prefix, tokens, prompt.promptTokens(), prompt.promptMel(),
                                prompt.promptFrames(), prompt.embedding(), finalize, ft);
                        timings.flowCacheBytes.accumulateAndGet(cache.bytes(), Math::max);
                    } else {
                        mel = flow.inference(session, tokens, prompt.promptTokens(), prompt.promptMel(), prompt.promptFrames(),
                                prompt.embedding(), streaming, finalize, ft);
                    }
                } finally {
                    session.releaseScratch();               // the 10 solver steps shared it; the next call rebuilds it
                    if (finalize) endUtterance();
                }
                record(flow, ft, timings, t0);
                int bins = flow.config().outputSize();
                return new Mel(mel, bins, mel.length / bins);
            }

            @Override
            public void endUtterance() {
                if (cache != null) caches.giveBack(cache);
                cache = null;
            }
        };
    }

    private static void record(FlowModel flow, FlowTimings ft, StageTimings timings, long t0) {
        timings.flowNanos.add(System.nanoTime() - t0);
        timings.flowCalls.increment();
        timings.flowSteps.add(ft.ditCalls());
        timings.flowFrames.add(ft.frames());
        timings.flowCachedFrames.add(ft.cachedFrames());
        timings.flowComputedFrames.add(ft.computedFrames());
        timings.flowUncondFirstStepFrames.add(ft.uncondFirstStepFrames());
        long conv = flow.estimator().convMacsPerChannel();
        timings.flowFlop.add(ft.ditCalls() * ditFlop(flow.config(), (int) ft.computedFrames(), ft.frames(), conv)
                - ditFlop(flow.config(), (int) ft.uncondFirstStepFrames(), ft.frames(), conv) / 2);   // one row of one step
    }

    /**
     * Whether a cached call fits the request's budget; otherwise the cache is dropped and the call (and the rest of the
     * utterance) recomputes as the official code does.
     */
    private static boolean withinBudget(FlowModel flow, DitCache cache, int[] tokens, VoicePrompt prompt, StreamingOptions options) {
        cache.limitGrowth(options.requestCacheBytes());
        int frames = (prompt.promptTokens().length + tokens.length) * flow.config().tokenMelRatio();
        if (cache.fits(frames, options.requestCacheBytes())) return true;
        cache.clear();                                             // and its memory
        return false;
    }

    /** A saved voice's prompt state: kept, or computed now and kept (null for unsaved voices or without a store). */
    private static DitPrefix voicePrefix(FlowModel flow, FlowSession session, DitCache scratch, VoiceFlowCache voices,
                                         VoicePrompt prompt) {
        if (voices == null || prompt.savedAs() == null) return null;
        DitPrefix p = voices.get(prompt.savedAs(), prompt);
        if (p == null) {
            p = flow.promptPrefix(session, scratch, prompt.promptTokens(), prompt.promptMel(), prompt.promptFrames(), prompt.embedding());
            voices.put(prompt.savedAs(), p);
        }
        return p;
    }

    /**
     * Floating-point operations of one DiT call over {@code frames} frames with the CFG batch of 2: the linear layers
     * (input projection, q/k/v/out, feed-forward, output), the two grouped position convolutions and attention
     * (QK^T and PV) of {@code frames} computed frames over {@code keys} keys. Element-wise work is left out (it is not
     * matrix arithmetic); 255.7 GFLOP at full size, 314 frames.
     */
    static long ditFlop(dev.cosyvoice4j.config.FlowConfig c, int frames, long convMacsPerChannel) {
        return ditFlop(c, frames, frames, convMacsPerChannel);
    }

    static long ditFlop(dev.cosyvoice4j.config.FlowConfig c, int frames, int keys, long convMacsPerChannel) {
        long rows = 2L * frames, dim = c.ditDim(), inner = (long) c.ditHeads() * c.ditDimHead();
        long in = c.melDim() + c.melDim() + c.muDim() + c.spkDim();
        long perBlock = 2 * rows * (4 * dim * inner + 2 * dim * dim * c.ditFfMult()) + 2 * 2 * 2L * frames * keys * inner;
        long conv = 2 * 2 * rows * dim * convMacsPerChannel;
        return 2 * rows * (in * dim + dim * c.outChannels()) + conv + c.ditDepth() * perBlock;
    }

    /**
     * {@link #vocoder} that also streams statefully: {@link VocoderStage#openStream} gives each utterance a
     * {@link HiftStreamState} (new mel frames in, the recompute-and-slice samples out, bounded work per call).
     */
    static VocoderStage streamingVocoder(CausalHiftGenerator hift, HiftSession session, NsfNoise noise) {
        VocoderStage recompute = vocoder(hift, session, noise);
        return new VocoderStage() {
            @Override
            public float[] inference(Mel mel, boolean finalize, StageTimings timings) {
                return recompute.inference(mel, finalize, timings);
            }

            @Override
            public VocoderStream openStream() {
                HiftStreamState state = hift.newStream(noise);
                return (mel, finalize, timings) -> {
                    long t0 = System.nanoTime();
                    float[] wav = state.next(mel.data(), mel.frames(), finalize);
                    timings.vocoderNanos.add(System.nanoTime() - t0);
                    timings.vocoderCalls.increment();
                    return wav;
                };
            }
        };
    }

    /** {@link VocoderStage} over {@link CausalHiftGenerator#inference}, on one request's vocoder memory. */
    static VocoderStage vocoder(CausalHiftGenerator hift, HiftSession session, NsfNoise noise) {
        return (mel, finalize, timings) -> {
            long t0 = System.nanoTime();
            int minFrames = finalize ? 1 : hift.heldBackFrames() + 1;
            float[] wav = mel.frames() < minFrames ? new float[0]
                    : hift.inference(session, mel.data(), mel.frames(), finalize, noise).speech();
            session.releaseScratch();
            timings.vocoderNanos.add(System.nanoTime() - t0);
            timings.vocoderCalls.increment();
            return wav;
        };
    }
}
