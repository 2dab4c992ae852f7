package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.config.FlowConfig;
import dev.cosyvoice4j.config.HiftConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.ModelFamily;
import dev.cosyvoice4j.config.Qwen2Config;

import java.util.ArrayList;
import java.util.List;

/**
 * The state_dict key lists of {@code llm.pt}, {@code flow.pt} and {@code hift.pt}, in the order
 * {@code module.state_dict()} yields them, with every shape derived from the model config. The official
 * module constructors are the source: CosyVoice3LM + HF Qwen2ForCausalLM (llm), CausalMaskedDiffWithDiT +
 * PreLookaheadLayer + DiT (flow), CausalHiFTGenerator + CausalConvRNNF0Predictor (hift); sizes that are
 * literals there (256-dim sinusoid, 16 conv-position groups, kernel 31, conv_post kernel 7, five condnet
 * convs, 200 extra LM decoder rows) are literals here. {@code SyntheticLayoutTest} checks that the tiny config
 * reproduces the golden fixture files key for key and shape for shape, and that the real config gives the
 * real parameter counts.
 */
public final class SyntheticLayout {
    /** CosyVoice3LM: speech_embedding / llm_decoder have speech_token_size + 200 rows (stop tokens). */
    static final int LM_EXTRA_SPEECH_ROWS = 200;
    /** CosyVoice2's Qwen2LM: + 3 rows (eos, task_id, fill). */
    static final int QWEN2LM_EXTRA_SPEECH_ROWS = 3;
    /** CosyVoice2's non-causal HiFT: conv_pre Conv1d(k=7, padding=3). */
    static final int COSYVOICE2_CONV_PRE_KERNEL = 7;
    /** DiT TimestepEmbedding: SinusPositionEmbedding(256). */
    static final int TIME_FREQ_DIM = 256;
    /** DiT CausalConvPositionEmbedding: kernel 31, groups 16. */
    static final int CONV_POS_KERNEL = 31, CONV_POS_GROUPS = 16;
    /** PreLookaheadLayer.conv2 kernel. */
    static final int PRE_LOOKAHEAD_CONV2_KERNEL = 3;
    /** CausalHiFTGenerator.conv_post kernel. */
    static final int CONV_POST_KERNEL = 7;
    /** CausalConvRNNF0Predictor: five convs at condnet.0,2,4,6,8 (ELUs between); first kernel 4, others 3. */
    static final int F0_CONVS = 5, F0_FIRST_KERNEL = 4, F0_KERNEL = 3;

    private static final Init BIAS = new Init.Normal(0, 0.05);
    private static final Init NORM = new Init.Normal(1, 0.1);
    private static final Init SNAKE_ALPHA = new Init.Uniform(0.5, 1.5);

    private SyntheticLayout() {}

    // ---- llm.pt ------------------------------------------------------------------------------------------

    /** {@code llm.pt}: Qwen2 under {@code llm.model.}, then {@code llm_decoder}, {@code speech_embedding}. */
    public static List<TensorSpec> llm(ModelConfig c) {
        Qwen2Config q = c.qwen2();
        long h = q.hiddenSize(), qDim = (long) q.numAttentionHeads() * q.headDim(), kvDim = (long) q.numKeyValueHeads() * q.headDim();
        long f = q.intermediateSize();
        List<TensorSpec> s = new ArrayList<>();
        String m = "llm.model.model.";
        s.add(TensorSpec.param(m + "embed_tokens.weight", new Init.Normal(0, 0.5), q.vocabSize(), h));
        for (int l = 0; l < q.numHiddenLayers(); l++) {
            String p = m + "layers." + l + ".";
            linear(s, p + "self_attn.q_proj", qDim, h, true);
            linear(s, p + "self_attn.k_proj", kvDim, h, true);
            linear(s, p + "self_attn.v_proj", kvDim, h, true);
            linear(s, p + "self_attn.o_proj", h, qDim, false);
            linear(s, p + "mlp.gate_proj", f, h, false);
            linear(s, p + "mlp.up_proj", f, h, false);
            linear(s, p + "mlp.down_proj", h, f, false);
            s.add(TensorSpec.param(p + "input_layernorm.weight", NORM, h));
            s.add(TensorSpec.param(p + "post_attention_layernorm.weight", NORM, h));
        }
        s.add(TensorSpec.param(m + "norm.weight", NORM, h));
        if (q.tieWordEmbeddings()) {
            s.add(TensorSpec.param("llm.model.lm_head.weight", new Init.Tied(m + "embed_tokens.weight"), q.vocabSize(), h));
        } else {
            linear(s, "llm.model.lm_head", q.vocabSize(), h, false);
        }
        boolean cv2 = c.family() == ModelFamily.COSYVOICE2;                 // Qwen2LM: llm_embedding first, decoder bias
        if (cv2) s.addFirst(TensorSpec.param("llm_embedding.weight", new Init.Normal(0, 1), 2, c.llm().llmInputSize()));
        long speechRows = c.llm().speechTokenSize() + (cv2 ? QWEN2LM_EXTRA_SPEECH_ROWS : LM_EXTRA_SPEECH_ROWS);
        linear(s, "llm_decoder", speechRows, c.llm().llmOutputSize(), cv2);
        s.add(TensorSpec.param("speech_embedding.weight", new Init.Normal(0, 1), speechRows, c.llm().llmInputSize()));
        return s;
    }

    // ---- flow.pt -----------------------------------------------------------------------------------------

    /** {@code flow.pt}: token embedding, speaker affine, PreLookaheadLayer, then the DiT estimator. */
    public static List<TensorSpec> flow(ModelConfig c) {
        FlowConfig fc = c.flow();
        List<TensorSpec> s = new ArrayList<>();
        s.add(TensorSpec.param("input_embedding.weight", new Init.Normal(0, 1), fc.vocabSize(), fc.inputSize()));
        linear(s, "spk_embed_affine_layer", fc.outputSize(), fc.spkEmbedDim(), true);
        conv(s, "pre_lookahead_layer.conv1", fc.preLookaheadChannels(), fc.inputSize(), fc.preLookaheadLen() + 1);
        conv(s, "pre_lookahead_layer.conv2", fc.inputSize(), fc.preLookaheadChannels(), PRE_LOOKAHEAD_CONV2_KERNEL);

        String e = "decoder.estimator.";
        long dim = fc.ditDim(), inner = (long) fc.ditHeads() * fc.ditDimHead(), ff = dim * fc.ditFfMult();
        linear(s, e + "time_embed.time_mlp.0", dim, TIME_FREQ_DIM, true);
        linear(s, e + "time_embed.time_mlp.2", dim, dim, true);
        linear(s, e + "input_embed.proj", dim, 2L * fc.melDim() + fc.muDim() + fc.spkDim(), true);
        if (dim % CONV_POS_GROUPS != 0) throw new IllegalArgumentException("DiT dim " + dim + " is not divisible by " + CONV_POS_GROUPS + " conv groups");
        conv(s, e + "input_embed.conv_pos_embed.conv1.0", dim, dim / CONV_POS_GROUPS, CONV_POS_KERNEL);
        conv(s, e + "input_embed.conv_pos_embed.conv2.0", dim, dim / CONV_POS_GROUPS, CONV_POS_KERNEL);
        s.add(TensorSpec.buffer(e + "rotary_embed.inv_freq", new Init.Values(rotaryInvFreq(fc.ditDimHead())), fc.ditDimHead() / 2));
        for (int b = 0; b < fc.ditDepth(); b++) {
            String p = e + "transformer_blocks." + b + ".";
            linear(s, p + "attn_norm.linear", 6 * dim, dim, true);
            linear(s, p + "attn.to_q", inner, dim, true);
            linear(s, p + "attn.to_k", inner, dim, true);
            linear(s, p + "attn.to_v", inner, dim, true);
            linear(s, p + "attn.to_out.0", dim, inner, true);
            linear(s, p + "ff.ff.0.0", ff, dim, true);
            linear(s, p + "ff.ff.2", dim, ff, true);
        }
        linear(s, e + "norm_out.linear", 2 * dim, dim, true);
        linear(s, e + "proj_out", fc.outChannels(), dim, true);
        return s;
    }

    /** x-transformers RotaryEmbedding: {@code 1 / 10000^(2i/d)}, computed as torch does in float32. */
    static float[] rotaryInvFreq(int dimHead) {
        float[] v = new float[dimHead / 2];
        for (int i = 0; i < v.length; i++) {
            float exponent = (float) (2 * i) / dimHead;
            v[i] = (float) (1.0 / StrictMath.pow(10000.0, exponent));
        }
        return v;
    }

    // ---- hift.pt -----------------------------------------------------------------------------------------

    /** {@code hift.pt}: NSF source linear, conv_pre, ups, source downs/resblocks, resblocks, conv_post, f0 predictor. */
    public static List<TensorSpec> hift(ModelConfig c) {
        HiftConfig hc = c.hift();
        List<TensorSpec> s = new ArrayList<>();
        long base = hc.baseChannels(), stftCh = hc.istftNFft() + 2L;
        linear(s, "m_source.l_linear", 1, hc.nbHarmonics() + 1L, true);
        boolean cv2 = c.family() == ModelFamily.COSYVOICE2;
        weightNormConv(s, "conv_pre", base, hc.inChannels(), cv2 ? COSYVOICE2_CONV_PRE_KERNEL : hc.convPreLookRight() + 1L,
                BIAS, 0.6, 1.4);
        List<Integer> rates = hc.upsampleRates();
        int nUp = rates.size();
        for (int i = 0; i < nUp; i++) {
            if (cv2) {   // ConvTranspose1d: weight [in, out, k], weight norm over dim 0 (g [in, 1, 1])
                weightNormConv(s, "ups." + i, base >> i, base >> (i + 1), hc.upsampleKernelSizes().get(i), BIAS, 0.6, 1.4,
                        base >> (i + 1));
            } else {
                weightNormConv(s, "ups." + i, base >> (i + 1), base >> i, hc.upsampleKernelSizes().get(i), BIAS, 0.6, 1.4);
            }
        }
        // downsample_rates = [1] + upsample_rates[::-1][:-1]; cumulative product, used in reverse
        long[] cum = new long[nUp];
        for (int i = 0; i < nUp; i++) cum[i] = (i == 0 ? 1 : cum[i - 1] * rates.get(nUp - i));
        for (int i = 0; i < nUp; i++) {
            long u = cum[nUp - 1 - i];
            conv(s, "source_downs." + i, base >> (i + 1), stftCh, u == 1 ? 1 : 2 * u);
        }
        for (int i = 0; i < nUp; i++) {
            resBlock(s, "source_resblocks." + i, base >> (i + 1), hc.sourceResblockKernelSizes().get(i),
                    hc.sourceResblockDilationSizes().get(i).size());
        }
        int nk = hc.resblockKernelSizes().size();
        for (int i = 0; i < nUp; i++) {
            for (int j = 0; j < nk; j++) {
                resBlock(s, "resblocks." + (i * nk + j), base >> (i + 1), hc.resblockKernelSizes().get(j),
                        hc.resblockDilationSizes().get(j).size());
            }
        }
        // conv_post: small gain and magnitude bias -1 (as the fixtures) keep exp(magnitude) and the waveform sane
        long magnitudeBins = hc.istftNFft() / 2 + 1;
        weightNormConv(s, "conv_post", stftCh, base >> nUp, CONV_POST_KERNEL,
                new Init.Piecewise(magnitudeBins, new Init.Constant(-1), BIAS), 0.035, 0.035);
        long cond = hc.f0CondChannels();
        for (int k = 0; k < F0_CONVS; k++) {
            weightNormConv(s, "f0_predictor.condnet." + (2 * k), cond, k == 0 ? hc.f0InChannels() : cond,
                    k == 0 && !cv2 ? F0_FIRST_KERNEL : F0_KERNEL, BIAS, 0.6, 1.4);
        }
        // classifier scaled like the fixtures (weights ~ 80/sqrt(fan_in), bias -200): f0 = |.| mostly voiced
        s.add(TensorSpec.param("f0_predictor.classifier.weight", new Init.Normal(0, 80 / Math.sqrt(cond)), hc.f0NumClass(), cond));
        s.add(TensorSpec.param("f0_predictor.classifier.bias", new Init.Constant(-200), hc.f0NumClass()));
        return s;
    }

    private static void resBlock(List<TensorSpec> s, String p, long ch, long kernel, int nDilations) {
        for (String convs : new String[]{"convs1", "convs2"}) {
            for (int j = 0; j < nDilations; j++) weightNormConv(s, p + "." + convs + "." + j, ch, ch, kernel, BIAS, 0.6, 1.4);
        }
        for (String act : new String[]{"activations1", "activations2"}) {
            for (int j = 0; j < nDilations; j++) s.add(TensorSpec.param(p + "." + act + "." + j + ".alpha", SNAKE_ALPHA, ch));
        }
    }

    /**
     * torch.nn.utils.parametrizations.weight_norm keys: bias first (it stays a plain parameter), then
     * {@code original0} = g [out, 1, 1] = ||v[o]|| * U(gainLo, gainHi) and {@code original1} = v [out, in, k].
     */
    private static void weightNormConv(List<TensorSpec> s, String p, long out, long in, long k, Init bias,
                                       double gainLo, double gainHi) {
        weightNormConv(s, p, out, in, k, bias, gainLo, gainHi, out);
    }

    /** The same with a bias of {@code biasLength} (a ConvTranspose1d's out channels, its weight being [in, out, k]). */
    private static void weightNormConv(List<TensorSpec> s, String p, long out, long in, long k, Init bias,
                                       double gainLo, double gainHi, long biasLength) {
        TensorSpec v = TensorSpec.param(p + ".parametrizations.weight.original1", fanIn(in * k), out, in, k);
        s.add(TensorSpec.param(p + ".bias", bias, biasLength));
        s.add(TensorSpec.param(p + ".parametrizations.weight.original0", new Init.WeightNormGain(v, gainLo, gainHi), out, 1, 1));
        s.add(v);
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

    /** PyTorch {@code sum(p.numel() for p in module.parameters())}: buffers excluded, tied weights once. */
    public static long parameterCount(List<TensorSpec> specs) {
        long n = 0;
        for (TensorSpec t : specs) if (!t.buffer() && !t.tied()) n += t.numel();
        return n;
    }

    /** Bytes of float32 data actually stored (tied entries share storage). */
    public static long storedBytes(List<TensorSpec> specs) {
        long n = 0;
        for (TensorSpec t : specs) if (!t.tied()) n += t.numel() * 4;
        return n;
    }
}
