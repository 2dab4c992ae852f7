package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.model.flow.FlowModel;
import dev.cosyvoice4j.model.flow.FlowTimings;
import dev.cosyvoice4j.model.hift.CausalHiftGenerator;
import dev.cosyvoice4j.model.hift.SourceNoise;

/** Adapters from the loaded networks to the engine's stage interfaces, recording stage timings. */
final class ModelStages {
    private ModelStages() {}

    /** {@link FlowStage} over {@link FlowModel#inference}. */
    static FlowStage flow(FlowModel flow, Kernels kernels) {
        int bins = flow.config().outputSize();
        return (tokens, prompt, streaming, finalize, timings) -> {
            long t0 = System.nanoTime();
            FlowTimings ft = new FlowTimings();
            float[] mel = flow.inference(tokens, prompt.promptTokens(), prompt.promptMel(), prompt.promptFrames(),
                    prompt.embedding(), streaming, finalize, kernels, ft);
            timings.flowNanos.add(System.nanoTime() - t0);
            timings.flowCalls.increment();
            timings.flowSteps.add(ft.ditCalls());
            timings.flowFrames.add(ft.frames());
            return new Mel(mel, bins, mel.length / bins);
        };
    }

    /** {@link VocoderStage} over {@link CausalHiftGenerator#inference}. */
    static VocoderStage vocoder(CausalHiftGenerator hift, SourceNoise noise, Kernels kernels) {
        return (mel, finalize, timings) -> {
            long t0 = System.nanoTime();
            int minFrames = finalize ? 1 : hift.heldBackFrames() + 1;
            float[] wav = mel.frames() < minFrames ? new float[0]
                    : hift.inference(mel.data(), mel.frames(), finalize, noise, kernels).speech();
            timings.vocoderNanos.add(System.nanoTime() - t0);
            timings.vocoderCalls.increment();
            return wav;
        };
    }
}
