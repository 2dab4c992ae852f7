package dev.cosyvoice4j.model.qwen2;

import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The weights of HF {@code Qwen2Model} ({@code model.embed_tokens}, {@code model.layers.N.*}, {@code model.norm}).
 * Every shape is checked against the {@link Qwen2Config} when loading; the tied {@code lm_head} is not part of
 * this record (CosyVoice never uses the Qwen LM head; the caller decides what to do with that key).
 */
public record Qwen2Weights(Tensor embedTokens, List<Qwen2LayerWeights> layers, Tensor norm) {

    public Qwen2Weights {
        layers = List.copyOf(layers);
    }

    /**
     * Takes the Qwen2 body from {@code store} under {@code prefix} (e.g. {@code "llm.model.model."}), checking
     * each tensor's shape against {@code config}.
     */
    public static Qwen2Weights load(WeightStore store, String prefix, Qwen2Config config) {
        long h = config.hiddenSize(), q = (long) config.numAttentionHeads() * config.headDim();
        long kv = (long) config.numKeyValueHeads() * config.headDim(), ffn = config.intermediateSize();
        Tensor embed = store.take(prefix + "embed_tokens.weight", config.vocabSize(), h);
        List<Qwen2LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = prefix + "layers." + i + ".";
            layers.add(new Qwen2LayerWeights(
                    store.take(p + "input_layernorm.weight", h),
                    store.take(p + "self_attn.q_proj.weight", q, h), store.take(p + "self_attn.q_proj.bias", q),
                    store.take(p + "self_attn.k_proj.weight", kv, h), store.take(p + "self_attn.k_proj.bias", kv),
                    store.take(p + "self_attn.v_proj.weight", kv, h), store.take(p + "self_attn.v_proj.bias", kv),
                    store.take(p + "self_attn.o_proj.weight", h, q),
                    store.take(p + "post_attention_layernorm.weight", h),
                    store.take(p + "mlp.gate_proj.weight", ffn, h),
                    store.take(p + "mlp.up_proj.weight", ffn, h),
                    store.take(p + "mlp.down_proj.weight", h, ffn)));
        }
        Tensor norm = store.take(prefix + "norm.weight", h);
        return new Qwen2Weights(embed, layers, norm);
    }

    /** Bytes of the decoder-layer and final-norm weights (what one decode step streams; excludes the embedding). */
    public long layerByteSize() {
        long n = norm.dtype().storageBytes(norm.numel());
        for (Qwen2LayerWeights l : layers) n += l.byteSize();
        return n;
    }
}
