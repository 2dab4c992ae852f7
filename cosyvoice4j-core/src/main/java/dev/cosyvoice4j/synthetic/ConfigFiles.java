package dev.cosyvoice4j.synthetic;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text files of a synthetic model directory, made from the fixture model's files with only the sizes
 * replaced: {@code cosyvoice3.yaml}, {@code CosyVoice-BlankEN/config.json} and the HF weight stub
 * {@code CosyVoice-BlankEN/model.safetensors}.
 */
public final class ConfigFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigFiles() {}

    /**
     * The template yaml with the size entries replaced (each must occur exactly once) and its leading comment
     * block replaced by {@code header} (the official yaml's own comments, from "# set random seed", stay).
     */
    public static String yaml(String template, Path templateFile, ModelConfig c, List<String> header) {
        return yaml(template, templateFile, c, null, header);
    }

    /** The same for a CosyVoice2 cosyvoice2.yaml template ({@code cv2Flow} the flow sizes; null for CosyVoice3). */
    public static String yaml(String template, Path templateFile, ModelConfig c, Cv2FlowConfig cv2Flow, List<String> header) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        if (cv2Flow != null) return yaml(template, templateFile, cosyVoice2Sizes(c, cv2Flow), cv2Flow.channels(), header);
        sizes.put("llm_input_size", c.llm().llmInputSize());
        sizes.put("llm_output_size", c.llm().llmOutputSize());
        sizes.put("channels", c.flow().preLookaheadChannels());
        sizes.put("dim", c.flow().ditDim());
        sizes.put("depth", c.flow().ditDepth());
        sizes.put("heads", c.flow().ditHeads());
        sizes.put("dim_head", c.flow().ditDimHead());
        sizes.put("ff_mult", c.flow().ditFfMult());
        sizes.put("base_channels", c.hift().baseChannels());
        sizes.put("cond_channels", c.hift().f0CondChannels());
        return yaml(template, templateFile, sizes, null, header);
    }

    private static Map<String, Integer> cosyVoice2Sizes(ModelConfig c, Cv2FlowConfig f) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("llm_input_size", c.llm().llmInputSize());
        sizes.put("llm_output_size", c.llm().llmOutputSize());
        sizes.put("attention_heads", f.encoderAttentionHeads());
        sizes.put("linear_units", f.encoderLinearUnits());
        sizes.put("num_blocks", f.encoderNumBlocks());
        sizes.put("attention_head_dim", f.attentionHeadDim());
        sizes.put("n_blocks", f.nBlocks());
        sizes.put("num_mid_blocks", f.numMidBlocks());
        sizes.put("num_heads", f.numHeads());
        sizes.put("base_channels", c.hift().baseChannels());
        sizes.put("cond_channels", c.hift().f0CondChannels());
        return sizes;
    }

    private static String yaml(String template, Path templateFile, Map<String, Integer> sizes, List<Integer> estimatorChannels,
                               List<String> header) {
        String out = template;
        if (estimatorChannels != null) {                     // estimator "channels: [256]" (a list in cosyvoice2.yaml)
            Pattern p = Pattern.compile("(?m)^(\\s*channels:[ \\t]*)\\[[0-9, ]*\\]");
            if (!p.matcher(out).find()) throw new ModelFormatException(templateFile, "expected a 'channels: [..]' line");
            out = p.matcher(out).replaceFirst("$1" + estimatorChannels.toString().replace(" ", " "));
        }
        for (Map.Entry<String, Integer> e : sizes.entrySet()) {
            Pattern p = Pattern.compile("(?m)^(\\s*" + Pattern.quote(e.getKey()) + ":[ \\t]*)\\d+([ \\t]*(#.*)?)$");
            Matcher m = p.matcher(out);
            int count = 0;
            while (m.find()) count++;
            if (count != 1) {
                throw new ModelFormatException(templateFile, "expected exactly one '" + e.getKey() + ": <integer>' line, found " + count);
            }
            out = p.matcher(out).replaceFirst("$1" + e.getValue() + "$2");
        }
        List<String> lines = new ArrayList<>(out.lines().toList());
        int keep = 0;
        while (keep < lines.size() && lines.get(keep).startsWith("#") && !lines.get(keep).startsWith("# set random seed")) keep++;
        List<String> result = new ArrayList<>(header.stream().map(h -> "# " + h).toList());
        result.addAll(lines.subList(keep, lines.size()));
        return String.join("\n", result) + "\n";
    }

    /** The template config.json (an HF Qwen2 config) with the Qwen2 sizes of {@code q}. */
    public static String qwen2ConfigJson(String template, Path templateFile, Qwen2Config q) {
        ObjectNode n;
        try {
            n = (ObjectNode) JSON.readTree(template);
        } catch (IOException | ClassCastException e) {
            throw new ModelFormatException(templateFile, "not a JSON object: " + e.getMessage());
        }
        n.put("hidden_size", q.hiddenSize());
        n.put("intermediate_size", q.intermediateSize());
        n.put("num_attention_heads", q.numAttentionHeads());
        n.put("num_hidden_layers", q.numHiddenLayers());
        n.put("num_key_value_heads", q.numKeyValueHeads());
        if (n.has("max_window_layers")) n.put("max_window_layers", q.numHiddenLayers());
        n.put("vocab_size", q.vocabSize());
        n.put("rms_norm_eps", q.rmsNormEps());
        n.put("rope_theta", q.ropeTheta());
        n.put("tie_word_embeddings", q.tieWordEmbeddings());
        if (q.headDim() != q.hiddenSize() / q.numAttentionHeads()) n.put("head_dim", q.headDim());
        else n.remove("head_dim");
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        pp.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        try {
            return JSON.writer(pp).writeValueAsString(n) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A safetensors file holding only {@code model.norm.weight} ([hidden] bf16 ones), so that HF
     * {@code from_pretrained} accepts the folder; CosyVoice overwrites every Qwen2 weight from llm.pt.
     */
    public static void writeSafetensorsStub(Path file, int hidden) throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"cosyvoice4j make-synthetic stub: only model.norm.weight\"},"
                + "\"model.norm.weight\":{\"dtype\":\"BF16\",\"shape\":[" + hidden + "],\"data_offsets\":[0," + 2L * hidden + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + 2 * hidden).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) b.put((byte) ' ');
        for (int i = 0; i < hidden; i++) b.putShort((short) 0x3F80); // bf16 1.0
        Files.write(file, b.array());
    }
}
