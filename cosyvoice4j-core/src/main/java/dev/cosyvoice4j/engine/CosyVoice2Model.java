package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.ModelDir;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.flow.FlowTimings;
import dev.cosyvoice4j.model.flow.cv2.CausalMaskedDiffWithXvec;
import dev.cosyvoice4j.model.flow.cv2.Cv2FlowSession;
import dev.cosyvoice4j.model.hift.HiftGenerator;
import dev.cosyvoice4j.model.hift.HiftSession;

import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * The token-to-audio networks of a CosyVoice2-0.5B directory ({@code CosyVoice2Model}, cosyvoice/cli/model.py:245-394,
 * without its LLM, which the engine shares with CosyVoice3): the {@code CausalMaskedDiffWithXvec} flow and the
 * non-causal {@code HiFTGenerator}, immutable and shared by every session; {@link Stages} holds one session's memory
 * and opens each utterance's {@link CosyVoice2Token2Wav}. The flow's Linear matrices are prepared in the engine's
 * flow precision (bf16 on oneDNN, as the CosyVoice3 DiT); everything else runs in float32.
 */
final class CosyVoice2Model {
    private final CausalMaskedDiffWithXvec flow;
    private final HiftGenerator hift;
    private final int tokenMelRatio;

    CosyVoice2Model(CausalMaskedDiffWithXvec flow, HiftGenerator hift, int tokenMelRatio) {
        this.flow = flow;
        this.hift = hift;
        this.tokenMelRatio = tokenMelRatio;
    }

    /**
     * Loads {@code flow.pt} (strict), its Linear matrices prepared by the backend in {@code precision};
     * {@code owned} registers the mapping to close with the engine.
     */
    static CausalMaskedDiffWithXvec loadFlow(ModelDir dir, Backend backend, Precision precision,
                                             Function<WeightStore, WeightStore> owned) {
        WeightStore store = owned.apply(WeightStore.openPt(dir.flowPt()));
        WeightStore prepared = store.transformed((name, t) -> CausalMaskedDiffWithXvec.isLinearWeight(name, t)
                ? backend.prepare(t, WeightKind.LINEAR, precision, store::releaseResident) : t);
        return CausalMaskedDiffWithXvec.load(prepared, Cv2FlowConfig.load(dir.root()), backend);
    }

    /** Loads {@code hift.pt} (strict). */
    static HiftGenerator loadHift(ModelDir dir, ModelConfig config, Backend backend, Function<WeightStore, WeightStore> owned) {
        return HiftGenerator.load(owned.apply(WeightStore.openPt(dir.hiftPt())), config.hift(), backend);
    }

    CausalMaskedDiffWithXvec flow() { return flow; }

    HiftGenerator hift() { return hift; }

    /** One session's flow and vocoder memory (made on first use, reused by the session's requests). */
    Stages newStages(ExecutorService workers) { return new Stages(workers); }

    /** Per-session stages: the flow and HiFT on the session's memory. Not thread-safe (one request at a time). */
    final class Stages {
        private final ExecutorService workers;
        private final Cv2FlowSession flowSession = flow.newSession();
        private final HiftSession hiftSession = hift.newSession();

        private Stages(ExecutorService workers) { this.workers = workers; }

        UtteranceSynthesizer synthesizer() {
            FlowStage flowStage = flowStage();
            CosyVoice2Token2Wav.Vocoder vocoder = vocoder(HiftGenerator.defaultNoise());
            return new UtteranceSynthesizer((voice, speed, timings) ->
                    new CosyVoice2Token2Wav(flowStage, vocoder, voice, tokenMelRatio, speed, timings), false, workers);
        }

        /** {@link FlowStage} over {@link CausalMaskedDiffWithXvec#inference}, recording stage timings. */
        FlowStage flowStage() {
            int bins = flow.config().outputSize();
            return (tokens, prompt, streaming, finalize, timings) -> {
                long t0 = System.nanoTime();
                FlowTimings ft = new FlowTimings();
                float[] mel = flow.inference(flowSession, tokens, prompt.promptTokens(), prompt.promptMel(),
                        prompt.promptFrames(), prompt.embedding(), streaming, finalize, ft);
                flowSession.releaseScratch();              // dead until the next call; the vocoder runs in between
                timings.flowNanos.add(System.nanoTime() - t0);
                timings.flowCalls.increment();
                timings.flowSteps.add(ft.ditCalls());
                timings.flowFrames.add(ft.frames());
                return new Mel(mel, bins, mel.length / bins);
            };
        }

        /** {@link CosyVoice2Token2Wav.Vocoder} over {@link HiftGenerator#inference}, recording stage timings. */
        CosyVoice2Token2Wav.Vocoder vocoder(NsfNoise noise) {
            return (mel, cacheSource, timings) -> {
                long t0 = System.nanoTime();
                HiftGenerator.Result r = hift.inference(hiftSession, mel.data(), mel.frames(), cacheSource, noise);
                hiftSession.releaseScratch();
                timings.vocoderNanos.add(System.nanoTime() - t0);
                timings.vocoderCalls.increment();
                return new CosyVoice2Token2Wav.Speech(r.speech(), r.source());
            };
        }
    }
}
