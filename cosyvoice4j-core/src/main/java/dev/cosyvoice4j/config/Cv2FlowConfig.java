package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code flow: !new:cosyvoice.flow.flow.CausalMaskedDiffWithXvec} of cosyvoice2.yaml: the token embedding, the
 * {@code UpsampleConformerEncoder}, the {@code CausalConditionalCFM} and its U-Net estimator
 * {@code CausalConditionalDecoder}. Read by {@link #read(CosyVoiceYaml, Path)}, which also checks that the yaml
 * selects the classes and options this port implements.
 */
public record Cv2FlowConfig(
        int inputSize,                 // input_size (512: token embedding width)
        int outputSize,                // output_size (80 mel bins)
        int spkEmbedDim,               // spk_embed_dim (192)
        int vocabSize,                 // vocab_size (6561)
        int tokenMelRatio,             // token_mel_ratio (2)
        int preLookaheadLen,           // pre_lookahead_len (3)
        int encoderInputSize,          // encoder.input_size (512)
        int encoderOutputSize,         // encoder.output_size (512)
        int encoderAttentionHeads,     // encoder.attention_heads (8)
        int encoderLinearUnits,        // encoder.linear_units (2048)
        int encoderNumBlocks,          // encoder.num_blocks (6)
        int encoderStaticChunkSize,    // encoder.static_chunk_size (chunk_size = 25 tokens)
        int decoderInChannels,         // decoder.in_channels (240)
        int spkEmbOutDim,              // decoder.spk_emb_dim (80)
        double sigmaMin,               // cfm_params.sigma_min
        String tScheduler,             // cfm_params.t_scheduler ("cosine")
        double inferenceCfgRate,       // cfm_params.inference_cfg_rate (0.7)
        int estimatorInChannels,       // estimator.in_channels (320 = x, mu, spks, cond)
        int estimatorOutChannels,      // estimator.out_channels (80)
        List<Integer> channels,        // estimator.channels ([256])
        int attentionHeadDim,          // estimator.attention_head_dim (64)
        int nBlocks,                   // estimator.n_blocks (4)
        int numMidBlocks,              // estimator.num_mid_blocks (12)
        int numHeads,                  // estimator.num_heads (8)
        String actFn,                  // estimator.act_fn ("gelu")
        int estimatorStaticChunkSize,  // estimator.static_chunk_size (chunk_size * token_mel_ratio = 50)
        int numDecodingLeftChunks) {   // estimator.num_decoding_left_chunks (-1 = all)

    public Cv2FlowConfig {
        channels = List.copyOf(channels);
    }

    /** The classes this port implements, by yaml path (HyperPyYAML tags of the official cosyvoice2.yaml). */
    static final Map<String, String> EXPECTED_TAGS = Map.of(
            "flow", "!new:cosyvoice.flow.flow.CausalMaskedDiffWithXvec",
            "flow.encoder", "!new:cosyvoice.transformer.upsample_encoder.UpsampleConformerEncoder",
            "flow.decoder", "!new:cosyvoice.flow.flow_matching.CausalConditionalCFM",
            "flow.decoder.estimator", "!new:cosyvoice.flow.decoder.CausalConditionalDecoder");

    /** The fixed encoder options the port implements (the official cosyvoice2.yaml values). */
    static final Map<String, String> EXPECTED_ENCODER_OPTIONS = Map.of(
            "input_layer", "linear", "pos_enc_layer_type", "rel_pos_espnet", "selfattention_layer_type", "rel_selfattn",
            "normalize_before", "True", "use_cnn_module", "False", "macaron_style", "False");

    /** The flow section of a parsed cosyvoice2.yaml; {@code yamlFile} names the file in errors. */
    public static Cv2FlowConfig read(CosyVoiceYaml y, Path yamlFile) {
        for (var e : new TreeMap<>(EXPECTED_TAGS).entrySet()) {
            String actual = y.has(e.getKey()) ? y.tag(e.getKey()) : null;
            if (!e.getValue().equals(actual)) {
                throw new ModelFormatException(yamlFile, e.getKey() + " is " + (actual == null ? "missing or untagged" : actual)
                        + ", expected " + e.getValue() + " (a CosyVoice2 flow)");
            }
        }
        String enc = "flow.encoder.", est = "flow.decoder.estimator.", cfm = "flow.decoder.cfm_params.content.";
        for (var e : new TreeMap<>(EXPECTED_ENCODER_OPTIONS).entrySet()) {
            String path = enc + e.getKey();
            String actual = y.has(path) ? y.getString(path) : null;
            if (!e.getValue().equals(actual)) {
                throw new ModelFormatException(yamlFile, path + " is " + actual + ", only " + e.getValue() + " is supported");
            }
        }
        String solver = y.has(cfm + "solver") ? y.getString(cfm + "solver") : "euler";
        if (!"euler".equals(solver)) throw new ModelFormatException(yamlFile, cfm + "solver is '" + solver + "', only euler is supported");
        Cv2FlowConfig c = new Cv2FlowConfig(
                y.getInt("flow.input_size"), y.getInt("flow.output_size"), y.getInt("flow.spk_embed_dim"),
                y.getInt("flow.vocab_size"), y.getInt("flow.token_mel_ratio"), y.getInt("flow.pre_lookahead_len"),
                y.getInt(enc + "input_size"), y.getInt(enc + "output_size"), y.getInt(enc + "attention_heads"),
                y.getInt(enc + "linear_units"), y.getInt(enc + "num_blocks"), y.getInt(enc + "static_chunk_size"),
                y.getInt("flow.decoder.in_channels"), y.getInt("flow.decoder.spk_emb_dim"),
                y.getDouble(cfm + "sigma_min"), y.getString(cfm + "t_scheduler"), y.getDouble(cfm + "inference_cfg_rate"),
                y.getInt(est + "in_channels"), y.getInt(est + "out_channels"), y.getIntList(est + "channels"),
                y.getInt(est + "attention_head_dim"), y.getInt(est + "n_blocks"), y.getInt(est + "num_mid_blocks"),
                y.getInt(est + "num_heads"), y.getString(est + "act_fn"), y.getInt(est + "static_chunk_size"),
                y.getInt(est + "num_decoding_left_chunks"));
        c.validate(yamlFile);
        return c;
    }

    /** Reads {@code <modelDir>/cosyvoice2.yaml}. */
    public static Cv2FlowConfig load(Path modelDir) {
        Path yaml = modelDir.resolve("cosyvoice2.yaml");
        return read(CosyVoiceYaml.read(yaml), yaml);
    }

    private void validate(Path yamlFile) {
        String bad = null;
        if (encoderInputSize != inputSize) bad = "encoder.input_size " + encoderInputSize + " != input_size " + inputSize;
        else if (encoderOutputSize % encoderAttentionHeads != 0) bad = "encoder.output_size is not a multiple of attention_heads";
        else if (estimatorInChannels != 4 * outputSize) bad = "estimator.in_channels " + estimatorInChannels + " != 4 x output_size (x, mu, spks, cond)";
        else if (estimatorOutChannels != outputSize || spkEmbOutDim != outputSize) bad = "estimator.out_channels / decoder.spk_emb_dim must equal output_size";
        else if (channels.size() != 1) bad = "estimator.channels " + channels + ": only one U-Net stage (the official [256]) is supported";
        else if (!"gelu".equals(actFn)) bad = "estimator.act_fn '" + actFn + "': only gelu is supported";
        else if (tokenMelRatio < 1 || preLookaheadLen < 1) bad = "token_mel_ratio and pre_lookahead_len must be >= 1";
        else if (numDecodingLeftChunks >= 0) bad = "num_decoding_left_chunks " + numDecodingLeftChunks + ": only -1 (all left chunks) is supported";
        if (bad != null) throw new ModelFormatException(yamlFile, "unsupported CosyVoice2 flow config: " + bad);
    }
}
