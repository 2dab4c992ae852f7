package dev.cosyvoice4j.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Fills {@link ModelConfig} from cosyvoice3.yaml / cosyvoice2.yaml ({@link CosyVoiceYaml}) and the Qwen2 config.json (Jackson). */
final class ModelConfigLoader {
    /** The classes this engine implements, by yaml path (HyperPyYAML tags of the official cosyvoice3.yaml). */
    static final Map<String, String> EXPECTED_TAGS = Map.of(
            "llm", "!new:cosyvoice.llm.llm.CosyVoice3LM",
            "llm.llm", "!new:cosyvoice.llm.llm.Qwen2Encoder",
            "llm.sampling", "!name:cosyvoice.utils.common.ras_sampling",
            "flow", "!new:cosyvoice.flow.flow.CausalMaskedDiffWithDiT",
            "flow.pre_lookahead_layer", "!new:cosyvoice.transformer.upsample_encoder.PreLookaheadLayer",
            "flow.decoder", "!new:cosyvoice.flow.flow_matching.CausalConditionalCFM",
            "flow.decoder.estimator", "!new:cosyvoice.flow.DiT.dit.DiT",
            "hift", "!new:cosyvoice.hifigan.generator.CausalHiFTGenerator",
            "hift.f0_predictor", "!new:cosyvoice.hifigan.f0_predictor.CausalConvRNNF0Predictor");
    /** The same for the official cosyvoice2.yaml ({@code get_model_type}: Qwen2LM + CausalMaskedDiffWithXvec + HiFTGenerator). */
    static final Map<String, String> EXPECTED_TAGS_COSYVOICE2 = Map.of(
            "llm", "!new:cosyvoice.llm.llm.Qwen2LM",
            "llm.llm", "!new:cosyvoice.llm.llm.Qwen2Encoder",
            "llm.sampling", "!name:cosyvoice.utils.common.ras_sampling",
            "flow", "!new:cosyvoice.flow.flow.CausalMaskedDiffWithXvec",
            "flow.encoder", "!new:cosyvoice.transformer.upsample_encoder.UpsampleConformerEncoder",
            "flow.decoder", "!new:cosyvoice.flow.flow_matching.CausalConditionalCFM",
            "flow.decoder.estimator", "!new:cosyvoice.flow.decoder.CausalConditionalDecoder",
            "hift", "!new:cosyvoice.hifigan.generator.HiFTGenerator",
            "hift.f0_predictor", "!new:cosyvoice.hifigan.f0_predictor.ConvRNNF0Predictor");

    private ModelConfigLoader() {}

    static ModelConfig load(Path modelDir) {
        ModelFamily family = Files.isDirectory(modelDir) ? ModelFamily.detect(modelDir) : ModelFamily.COSYVOICE3;
        boolean cv2 = family == ModelFamily.COSYVOICE2;
        Path yamlFile = modelDir.resolve(family.yamlFile());
        Path json = modelDir.resolve(ModelDir.BLANK_EN).resolve("config.json");
        for (Path p : new Path[]{yamlFile, json}) {
            if (!Files.isRegularFile(p)) throw new ModelFormatException(p, "missing (needed to configure the model)");
        }
        CosyVoiceYaml y = CosyVoiceYaml.read(yamlFile);
        for (var e : new java.util.TreeMap<>(cv2 ? EXPECTED_TAGS_COSYVOICE2 : EXPECTED_TAGS).entrySet()) {
            String actual = y.tag(e.getKey());
            if (!e.getValue().equals(actual)) {
                throw new ModelFormatException(yamlFile, e.getKey() + " is " + (actual == null ? "untagged" : actual)
                        + ", expected " + e.getValue() + " (the classes of " + family.displayName() + ")");
            }
        }
        Qwen2Config qwen2 = qwen2(json);
        LlmConfig llm = new LlmConfig(y.getInt("llm.llm_input_size"), y.getInt("llm.llm_output_size"),
                y.getInt("llm.speech_token_size"), y.getDouble("llm.sampling.top_p"), y.getInt("llm.sampling.top_k"),
                y.getInt("llm.sampling.win_size"), y.getDouble("llm.sampling.tau_r"));
        if (llm.llmInputSize() != qwen2.hiddenSize() || llm.llmOutputSize() != qwen2.hiddenSize()) {
            throw new ModelFormatException(yamlFile, "llm_input_size/llm_output_size " + llm.llmInputSize() + "/"
                    + llm.llmOutputSize() + " do not match the Qwen2 hidden_size " + qwen2.hiddenSize() + " of " + json);
        }
        String est = "flow.decoder.estimator.";
        String cfm = "flow.decoder.cfm_params.content.";
        FlowConfig flow = cv2 ? null : new FlowConfig(
                y.getInt("flow.input_size"), y.getInt("flow.output_size"), y.getInt("flow.spk_embed_dim"),
                y.getInt("flow.vocab_size"), y.getInt("flow.token_mel_ratio"), y.getInt("flow.pre_lookahead_len"),
                y.getInt("flow.pre_lookahead_layer.channels"), y.getInt("flow.decoder.in_channels"),
                y.getInt("flow.decoder.spk_emb_dim"), y.getDouble(cfm + "sigma_min"), y.getString(cfm + "t_scheduler"),
                y.getDouble(cfm + "inference_cfg_rate"), y.getInt(est + "dim"), y.getInt(est + "depth"),
                y.getInt(est + "heads"), y.getInt(est + "dim_head"), y.getInt(est + "ff_mult"), y.getInt(est + "mel_dim"),
                y.getInt(est + "mu_dim"), y.getInt(est + "spk_dim"), y.getInt(est + "out_channels"),
                y.getInt(est + "static_chunk_size"), y.getInt(est + "num_decoding_left_chunks"));
        String f0 = "hift.f0_predictor.";
        HiftConfig hift = new HiftConfig(
                y.getInt("hift.in_channels"), y.getInt("hift.base_channels"), y.getInt("hift.nb_harmonics"),
                y.getInt("hift.sampling_rate"), y.getDouble("hift.nsf_alpha"), y.getDouble("hift.nsf_sigma"),
                y.getDouble("hift.nsf_voiced_threshold"), y.getIntList("hift.upsample_rates"),
                y.getIntList("hift.upsample_kernel_sizes"), y.getInt("hift.istft_params.n_fft"),
                y.getInt("hift.istft_params.hop_len"), y.getIntList("hift.resblock_kernel_sizes"),
                y.getIntListList("hift.resblock_dilation_sizes"), y.getIntList("hift.source_resblock_kernel_sizes"),
                y.getIntListList("hift.source_resblock_dilation_sizes"), y.getDouble("hift.lrelu_slope"),
                y.getDouble("hift.audio_limit"), cv2 ? 0 : y.getInt("hift.conv_pre_look_right"), y.getInt(f0 + "num_class"),
                y.getInt(f0 + "in_channels"), y.getInt(f0 + "cond_channels"));
        if (hift.upsampleRates().size() != hift.upsampleKernelSizes().size()) {
            throw new ModelFormatException(yamlFile, "hift.upsample_rates and hift.upsample_kernel_sizes differ in length");
        }
        if (hift.sourceResblockKernelSizes().size() != hift.upsampleRates().size()
                || hift.sourceResblockDilationSizes().size() != hift.upsampleRates().size()) {
            throw new ModelFormatException(yamlFile, "hift.source_resblock_* must have one entry per upsample rate");
        }
        if (hift.resblockKernelSizes().size() != hift.resblockDilationSizes().size()) {
            throw new ModelFormatException(yamlFile, "hift.resblock_kernel_sizes and hift.resblock_dilation_sizes differ in length");
        }
        return new ModelConfig(y.getInt("sample_rate"), y.getInt("token_frame_rate"), y.getInt("token_mel_ratio"),
                y.getInt("chunk_size"), llm, flow, hift, qwen2, family);
    }

    /**
     * HF Qwen2Config from config.json; defaults as in transformers' Qwen2Config. Read with Jackson's streaming parser:
     * ObjectMapper's first use costs ~300 ms of class loading and set-up, most of a cold model load.
     */
    static Qwen2Config qwen2(Path json) {
        Map<String, Object> c = topLevelFields(json);
        Object typeValue = c.getOrDefault("model_type", "qwen2");
        String type = typeValue instanceof String t ? t : String.valueOf(typeValue);
        if (!type.equals("qwen2")) throw new ModelFormatException(json, "model_type is '" + type + "', expected 'qwen2'");
        if (c.get("rope_scaling") != null && c.get("rope_scaling") != NULL) {
            throw new ModelFormatException(json, "rope_scaling is not supported");
        }
        int hidden = requiredInt(json, c, "hidden_size");
        int heads = requiredInt(json, c, "num_attention_heads");
        int kvHeads = c.containsKey("num_key_value_heads") ? requiredInt(json, c, "num_key_value_heads") : heads;
        boolean hasHeadDim = c.get("head_dim") != null && c.get("head_dim") != NULL;
        int headDim = hasHeadDim ? requiredInt(json, c, "head_dim") : hidden / heads;
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new ModelFormatException(json, "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (!hasHeadDim && hidden % heads != 0) {
            throw new ModelFormatException(json, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        return new Qwen2Config(hidden, requiredInt(json, c, "num_hidden_layers"), heads, kvHeads, headDim,
                requiredInt(json, c, "intermediate_size"), optionalInt(c, "vocab_size", 151936),
                optionalDouble(c, "rms_norm_eps", 1e-6), optionalDouble(c, "rope_theta", 10000.0),
                c.get("tie_word_embeddings") instanceof Boolean b && b);
    }

    /** Marks a JSON null; nested objects and arrays are recorded as {@link #STRUCTURE}. */
    private static final Object NULL = new Object(), STRUCTURE = new Object();

    /** The top-level fields of a JSON object: numbers (Long/BigInteger/Double), strings, booleans, markers. */
    private static Map<String, Object> topLevelFields(Path json) {
        Map<String, Object> fields = new java.util.HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ModelFormatException(json, "not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                Object v = switch (t) {
                    case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Object) p.getLongValue();
                    case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                    case VALUE_STRING -> p.getText();
                    case VALUE_TRUE -> Boolean.TRUE;
                    case VALUE_FALSE -> Boolean.FALSE;
                    case VALUE_NULL -> NULL;
                    default -> {
                        p.skipChildren();
                        yield STRUCTURE;
                    }
                };
                fields.put(name, v);
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new ModelFormatException(json, "not a single JSON object");
            }
        } catch (IOException e) {
            throw new ModelFormatException(json, "cannot parse: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        return fields;
    }

    private static int requiredInt(Path json, Map<String, Object> c, String key) {
        Object n = c.get(key);
        if (!(n instanceof Long l) || l <= 0 || l > Integer.MAX_VALUE) {
            throw new ModelFormatException(json, n == null ? "missing key " + key
                    : key + " must be a positive integer, got " + describe(n));
        }
        return (int) (long) l;
    }

    private static int optionalInt(Map<String, Object> c, String key, int fallback) {
        return c.get(key) instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (int) (long) l : fallback;
    }

    private static double optionalDouble(Map<String, Object> c, String key, double fallback) {
        return c.get(key) instanceof Number n ? n.doubleValue() : fallback;
    }

    private static String describe(Object v) {
        return v == NULL ? "null" : v == STRUCTURE ? "an object or array" : v instanceof String s ? '"' + s + '"' : String.valueOf(v);
    }
}
