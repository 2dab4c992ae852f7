package dev.cosyvoice4j.config;

/**
 * {@code flow: !new:cosyvoice.flow.flow.CausalMaskedDiffWithDiT} of cosyvoice3.yaml: the token embedding,
 * PreLookaheadLayer, CausalConditionalCFM and DiT estimator sizes.
 */
public record FlowConfig(
        int inputSize,               // input_size (80)
        int outputSize,              // output_size (80, mel bins)
        int spkEmbedDim,             // spk_embed_dim (192)
        int vocabSize,               // vocab_size (6561)
        int tokenMelRatio,           // token_mel_ratio (2)
        int preLookaheadLen,         // pre_lookahead_len (3)
        int preLookaheadChannels,    // pre_lookahead_layer.channels
        int decoderInChannels,       // decoder.in_channels (240)
        int spkEmbOutDim,            // decoder.spk_emb_dim (80)
        double sigmaMin,             // cfm_params.sigma_min
        String tScheduler,           // cfm_params.t_scheduler ("cosine")
        double inferenceCfgRate,     // cfm_params.inference_cfg_rate (0.7)
        int ditDim,                  // estimator.dim
        int ditDepth,                // estimator.depth
        int ditHeads,                // estimator.heads
        int ditDimHead,              // estimator.dim_head
        int ditFfMult,               // estimator.ff_mult
        int melDim,                  // estimator.mel_dim
        int muDim,                   // estimator.mu_dim
        int spkDim,                  // estimator.spk_dim
        int outChannels,             // estimator.out_channels
        int staticChunkSize,         // estimator.static_chunk_size (chunk_size * token_mel_ratio = 50)
        int numDecodingLeftChunks) { // estimator.num_decoding_left_chunks (-1 = all)
}
