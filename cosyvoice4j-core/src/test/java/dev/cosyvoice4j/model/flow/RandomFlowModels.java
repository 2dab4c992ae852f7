package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.synthetic.SyntheticLayout;
import dev.cosyvoice4j.synthetic.SyntheticPresets;
import dev.cosyvoice4j.synthetic.TensorSpec;
import dev.cosyvoice4j.synthetic.WeightGenerator;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** In-memory flow.pt state dicts with seeded random weights for any {@link FlowConfig} (tests and the bench). */
final class RandomFlowModels {
    private RandomFlowModels() {}

    /** A flow config of the official yaml with the given DiT / PreLookahead sizes. */
    static FlowConfig config(int preLookaheadChannels, int dim, int depth, int heads, int dimHead, int ffMult) {
        FlowConfig o = SyntheticPresets.funCosyVoice3().flow();
        return new FlowConfig(o.inputSize(), o.outputSize(), o.spkEmbedDim(), o.vocabSize(), o.tokenMelRatio(),
                o.preLookaheadLen(), preLookaheadChannels, o.decoderInChannels(), o.spkEmbOutDim(), o.sigmaMin(),
                o.tScheduler(), o.inferenceCfgRate(), dim, depth, heads, dimHead, ffMult, o.melDim(), o.muDim(),
                o.spkDim(), o.outChannels(), o.staticChunkSize(), o.numDecodingLeftChunks());
    }

    static WeightStore weights(FlowConfig flow, long seed) {
        ModelConfig base = SyntheticPresets.tiny();
        ModelConfig c = new ModelConfig(base.sampleRate(), base.tokenFrameRate(), base.tokenMelRatio(), base.chunkSize(),
                base.llm(), flow, base.hift(), base.qwen2());
        WeightGenerator gen = new WeightGenerator(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorSpec s : SyntheticLayout.flow(c)) tensors.put(s.name(), Tensor.of(gen.values(s), s.shape()));
        return new WeightStore(Path.of("random-flow.pt"), tensors, null);
    }

    /** A float32 flow model on {@code backend}: the same weights for the same seed on every backend. */
    static FlowModel model(FlowConfig flow, long seed, Backend backend) {
        return FlowModel.load(weights(flow, seed), flow, backend);
    }
}
