package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.config.Cv2FlowConfig;

import dev.cosyvoice4j.io.PtWriter;
import dev.cosyvoice4j.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The state_dict key list of a CosyVoice2 {@code flow.pt} ({@code CausalMaskedDiffWithXvec} +
 * {@code UpsampleConformerEncoder} + {@code CausalConditionalDecoder}), in the order {@code module.state_dict()} yields
 * them, every shape derived from a {@link Cv2FlowConfig}. Literals of the official constructors are literals here:
 * the 4 {@code up_encoders} (upsample_encoder.py:226-239), the {@code PreLookaheadLayer} conv2 kernel 3, the
 * {@code Upsample1D} kernel {@code 2 * stride + 1}, the causal k=3 convs and the 4x time embedding / FFN widths of the
 * U-Net. Values follow {@link SyntheticLayout}'s recipe ({@link Init}). {@code Cv2SyntheticLayoutTest} checks the
 * tiny config against the fixture flow.pt key for key and shape for shape.
 */
public final class Cv2SyntheticLayout {
    /** {@code UpsampleConformerEncoder}: 4 up_encoders, hard-coded. */
    static final int UP_ENCODERS = 4;
    static final int PRE_LOOKAHEAD_CONV2_KERNEL = 3, CAUSAL_KERNEL = 3;
    /** Matcha FeedForward mult and the U-Net's time_embed_dim = 4 * channels[0]. */
    static final int FF_MULT = 4, TIME_EMBED_MULT = 4;

    private static final Init BIAS = new Init.Normal(0, 0.05);
    private static final Init NORM = new Init.Normal(1, 0.1);

    private Cv2SyntheticLayout() {}

    /**
     * The real CosyVoice2-0.5B flow config (examples/libritts/cosyvoice2/conf/cosyvoice2.yaml and the model
     * directory's cosyvoice2.yaml).
     */
    public static Cv2FlowConfig cosyVoice2Flow() {
        return new Cv2FlowConfig(512, 80, 192, 6561, 2, 3, 512, 512, 8, 2048, 6, 25, 240, 80, 1e-6, "cosine", 0.7,
                320, 80, List.of(256), 64, 4, 12, 8, "gelu", 50, -1);
    }

    /** {@code flow.pt} of a CosyVoice2 model. */
    public static List<TensorSpec> flow(Cv2FlowConfig c) {
        List<TensorSpec> s = new ArrayList<>();
        long d = c.encoderOutputSize(), in = c.inputSize(), mel = c.outputSize();
        s.add(TensorSpec.param("input_embedding.weight", new Init.Normal(0, 1), c.vocabSize(), in));
        linear(s, "spk_embed_affine_layer", mel, c.spkEmbedDim(), true);
        String e = "encoder.";
        linearNoSubsampling(s, e + "embed", d, c.encoderInputSize());
        layerNorm(s, e + "after_norm", d);
        conv(s, e + "pre_lookahead_layer.conv1", d, d, c.preLookaheadLen() + 1);
        conv(s, e + "pre_lookahead_layer.conv2", d, d, PRE_LOOKAHEAD_CONV2_KERNEL);
        for (int i = 0; i < c.encoderNumBlocks(); i++) conformerLayer(s, e + "encoders." + i, c);
        conv(s, e + "up_layer.conv", d, d, 2L * c.tokenMelRatio() + 1);
        linearNoSubsampling(s, e + "up_embed", d, d);
        for (int i = 0; i < UP_ENCODERS; i++) conformerLayer(s, e + "up_encoders." + i, c);
        linear(s, "encoder_proj", mel, d, true);

        String u = "decoder.estimator.";
        long ch = c.channels().getFirst(), time = TIME_EMBED_MULT * ch;
        linear(s, u + "time_mlp.linear_1", time, c.estimatorInChannels(), true);
        linear(s, u + "time_mlp.linear_2", time, time, true);
        resnet(s, u + "down_blocks.0.0", c.estimatorInChannels(), ch, time);
        for (int b = 0; b < c.nBlocks(); b++) transformerBlock(s, u + "down_blocks.0.1." + b, ch, c);
        conv(s, u + "down_blocks.0.2", ch, ch, CAUSAL_KERNEL);
        for (int m = 0; m < c.numMidBlocks(); m++) {
            resnet(s, u + "mid_blocks." + m + ".0", ch, ch, time);
            for (int b = 0; b < c.nBlocks(); b++) transformerBlock(s, u + "mid_blocks." + m + ".1." + b, ch, c);
        }
        resnet(s, u + "up_blocks.0.0", 2 * ch, ch, time);
        for (int b = 0; b < c.nBlocks(); b++) transformerBlock(s, u + "up_blocks.0.1." + b, ch, c);
        conv(s, u + "up_blocks.0.2", ch, ch, CAUSAL_KERNEL);
        causalBlock(s, u + "final_block", ch, ch);
        conv(s, u + "final_proj", c.estimatorOutChannels(), ch, 1);
        return s;
    }

    /**
     * Writes a random-weight {@code flow.pt} for {@code c} to {@code file} (values from {@link WeightGenerator} with
     * {@code seed}; {@code make-synthetic --family cosyvoice2} wires this next to the yaml and the other checkpoints).
     */
    public static void writeFlow(Path file, Cv2FlowConfig c, long seed) throws IOException {
        WeightGenerator gen = new WeightGenerator(seed);
        List<PtWriter.Entry> entries = new ArrayList<>();
        for (TensorSpec t : flow(c)) entries.add(new PtWriter.Entry(t.name(), DType.F32, t.shape(), gen.source(t), null));
        PtWriter.write(file, entries);
    }

    private static void linearNoSubsampling(List<TensorSpec> s, String p, long out, long in) {
        linear(s, p + ".out.0", out, in, true);
        layerNorm(s, p + ".out.1", out);
    }

    private static void conformerLayer(List<TensorSpec> s, String p, Cv2FlowConfig c) {
        long d = c.encoderOutputSize(), heads = c.encoderAttentionHeads(), units = c.encoderLinearUnits();
        s.add(TensorSpec.param(p + ".self_attn.pos_bias_u", BIAS, heads, d / heads));
        s.add(TensorSpec.param(p + ".self_attn.pos_bias_v", BIAS, heads, d / heads));
        for (String l : new String[] {"linear_q", "linear_k", "linear_v", "linear_out"}) linear(s, p + ".self_attn." + l, d, d, true);
        linear(s, p + ".self_attn.linear_pos", d, d, false);
        linear(s, p + ".feed_forward.w_1", units, d, true);
        linear(s, p + ".feed_forward.w_2", d, units, true);
        layerNorm(s, p + ".norm_ff", d);
        layerNorm(s, p + ".norm_mha", d);
    }

    private static void resnet(List<TensorSpec> s, String p, long dim, long out, long time) {
        linear(s, p + ".mlp.1", out, time, true);
        causalBlock(s, p + ".block1", dim, out);
        causalBlock(s, p + ".block2", out, out);
        conv(s, p + ".res_conv", out, dim, 1);
    }

    private static void causalBlock(List<TensorSpec> s, String p, long dim, long out) {
        conv(s, p + ".block.0", out, dim, CAUSAL_KERNEL);
        layerNorm(s, p + ".block.2", out);
    }

    private static void transformerBlock(List<TensorSpec> s, String p, long dim, Cv2FlowConfig c) {
        long inner = (long) c.numHeads() * c.attentionHeadDim(), ff = FF_MULT * dim;
        layerNorm(s, p + ".norm1", dim);
        linear(s, p + ".attn1.to_q", inner, dim, false);
        linear(s, p + ".attn1.to_k", inner, dim, false);
        linear(s, p + ".attn1.to_v", inner, dim, false);
        linear(s, p + ".attn1.to_out.0", dim, inner, true);
        layerNorm(s, p + ".norm3", dim);
        linear(s, p + ".ff.net.0.proj", ff, dim, true);
        linear(s, p + ".ff.net.2", dim, ff, true);
    }

    private static void layerNorm(List<TensorSpec> s, String p, long n) {
        s.add(TensorSpec.param(p + ".weight", NORM, n));
        s.add(TensorSpec.param(p + ".bias", BIAS, n));
    }

    private static void linear(List<TensorSpec> s, String p, long out, long in, boolean bias) {
        s.add(TensorSpec.param(p + ".weight", fanIn(in), out, in));
        if (bias) s.add(TensorSpec.param(p + ".bias", BIAS, out));
    }

    private static void conv(List<TensorSpec> s, String p, long out, long in, long k) {
        s.add(TensorSpec.param(p + ".weight", fanIn(in * k), out, in, k));
        s.add(TensorSpec.param(p + ".bias", BIAS, out));
    }

    private static Init fanIn(long fan) { return new Init.Normal(0, 1 / Math.sqrt(fan)); }
}
