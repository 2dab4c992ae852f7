package dev.cosyvoice4j.model.qwen2;

import dev.cosyvoice4j.tensor.Tensor;

/**
 * The weights of one HF {@code Qwen2DecoderLayer} (transformers 4.51 {@code modeling_qwen2.py}): RMSNorm before
 * attention and MLP, q/k/v projections with bias, o_proj and the gated MLP without. Immutable views.
 */
public record Qwen2LayerWeights(
        Tensor inputLayernorm,          // input_layernorm.weight [H]
        Tensor qProj, Tensor qProjBias, // self_attn.q_proj [heads*headDim, H] (+bias)
        Tensor kProj, Tensor kProjBias, // self_attn.k_proj [kvHeads*headDim, H] (+bias)
        Tensor vProj, Tensor vProjBias, // self_attn.v_proj [kvHeads*headDim, H] (+bias)
        Tensor oProj,                   // self_attn.o_proj [H, heads*headDim], no bias
        Tensor postAttentionLayernorm,  // post_attention_layernorm.weight [H]
        Tensor gateProj,                // mlp.gate_proj [ffn, H]
        Tensor upProj,                  // mlp.up_proj [ffn, H]
        Tensor downProj) {              // mlp.down_proj [H, ffn]

    /** Bytes of weight data one forward row streams through this layer (the decode memory traffic). */
    public long byteSize() {
        long n = 0;
        for (Tensor t : new Tensor[] {inputLayernorm, qProj, qProjBias, kProj, kProjBias, vProj, vProjBias, oProj,
                postAttentionLayernorm, gateProj, upProj, downProj}) {
            n += t.dtype().storageBytes(t.numel());
        }
        return n;
    }
}
