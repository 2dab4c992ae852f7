package dev.cosyvoice4j.config;

/** The Qwen2 decoder sizes, from {@code CosyVoice-BlankEN/config.json} (HF Qwen2Config key names in comments). */
public record Qwen2Config(
        int hiddenSize,          // hidden_size
        int numHiddenLayers,     // num_hidden_layers
        int numAttentionHeads,   // num_attention_heads
        int numKeyValueHeads,    // num_key_value_heads
        int headDim,             // head_dim, default hidden_size / num_attention_heads
        int intermediateSize,    // intermediate_size
        int vocabSize,           // vocab_size
        double rmsNormEps,       // rms_norm_eps
        double ropeTheta,        // rope_theta
        boolean tieWordEmbeddings) { // tie_word_embeddings
}
