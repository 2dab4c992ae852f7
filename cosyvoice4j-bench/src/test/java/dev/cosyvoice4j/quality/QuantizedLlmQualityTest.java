package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmPrompt;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Q8_0 / Q4_0 LLM weights against float32, through {@link Engine#load} on {@link SmallRandomModel} (all 15 Linear
 * matrices quantised), with error bounds derived from the block rounding rule.
 *
 * <p>Derivation. A Q8_0 block stores {@code q = round(w / d)}, {@code d = amax/127}, so each weight is off by
 * {@code |e| <= d/2}; Q4_0 uses {@code d = amax/8} (16 levels). Treating e as uniform on [-d/2, d/2]
 * (variance d²/12), a Linear {@code y = Wx} gets an output error {@code sum_i e_i x_i} whose rms relative to the
 * output's is {@code rho = sqrt(sum_blocks 32 d²/12 / sum w²)}, computed below from the float32 weights (about
 * 0.5% for Q8_0 and 8% for Q4_0 on Gaussian weights, where E[amax of 32] ~ 2.1 sigma). Each of the N = 15
 * quantised matrices injects such an independent error into the signal it produces; residual connections and
 * RMSNorm keep relative sizes, so to first order the logits' relative rms error is at most {@code rho sqrt(N)}.
 * The tests allow twice that (higher-order terms, attention softmax gain), and {@code 6 x} the rms bound for the
 * largest single logit error (the maximum of ~2e5 roughly Gaussian errors is ~4.5 sigma).
 *
 * <p>Top-1 agreement. With logits of rms {@code s} over V ids, the gap between the two largest is roughly
 * exponential with mean {@code m = s / sqrt(2 ln V)}; a step flips when the difference of their two errors (rms
 * {@code sqrt(2) e} for a logit error rms e) exceeds the gap, with probability about
 * {@code E|N(0, 2e²)| / m = 1.128 e / m}. The Q8_0 test requires an agreement of at least
 * {@code 1 - 2 x 1.128 e / m} with the measured e (itself bounded above); for Q4_0 that estimate is vacuous, and
 * the test only guards a floor of 50% (random weights have nearly flat logits, so flips are far likelier than with
 * a trained model).
 */
class QuantizedLlmQualityTest {
    static final int STEPS = 32;
    static final int QUANTISED_MATRICES = 2 * 7 + 1;
    static final Pattern LINEAR = Pattern.compile(".*\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight|llm_decoder\\.weight");

    static LmInput input;
    static int[] tokens;
    static float[][] fp32;

    @BeforeAll
    static void reference() {
        Engine e = SmallRandomModel.engine("fp32");
        CosyVoice3LM lm = e.parts().llm();
        SplittableRandom r = new SplittableRandom(7);
        int[] promptSpeech = r.ints(40, 0, lm.speechTokenSize()).toArray();
        tokens = r.ints(STEPS, 0, lm.speechTokenSize()).toArray();
        var tok = e.parts().tokenizer();
        input = lm.lmInput(LmPrompt.zeroShot(tok.encode(SmallRandomModel.PROMPT_TEXT), tok.encode("Good morning, how are you today?"), promptSpeech));
        fp32 = Probes.teacherForced(lm, input, tokens).logits();
    }

    /** {@code rho} of the derivation for a block scale {@code d = amax / levels}, the largest over the quantised matrices. */
    static double rho(double levels) throws Exception {
        double worst = 0;
        int matrices = 0;
        try (WeightStore w = WeightStore.openPt(SmallRandomModel.dir().resolve("llm.pt"))) {
            for (String name : w.names()) {
                if (!LINEAR.matcher(name).matches()) continue;
                matrices++;
                float[] x = w.takeAnyShape(name).toFloatArray();
                double err = 0, sq = 0;
                for (int b = 0; b < x.length; b += 32) {
                    double amax = 0;
                    for (int i = b; i < b + 32; i++) {
                        amax = Math.max(amax, Math.abs(x[i]));
                        sq += (double) x[i] * x[i];
                    }
                    double d = amax / levels;
                    err += 32 * d * d / 12;
                }
                worst = Math.max(worst, Math.sqrt(err / sq));
            }
        }
        assertEquals(QUANTISED_MATRICES, matrices, "quantised Linear matrices in llm.pt");
        return worst;
    }

    static LogitComparison compare(String mode) {
        return LogitComparison.of(Probes.teacherForced(SmallRandomModel.engine(mode).parts().llm(), input, tokens).logits(), fp32);
    }

    @Test
    void everyLinearIsQuantised() {
        long f32 = SmallRandomModel.engine("fp32").parts().llm().decodeStepWeightBytes();
        long q8 = SmallRandomModel.engine("q8_0").parts().llm().decodeStepWeightBytes();
        long q4 = SmallRandomModel.engine("q4_0").parts().llm().decodeStepWeightBytes();
        // 34 / 128 and 18 / 128 bytes per weight, plus the float32 norm weights and q/k/v biases
        assertTrue(q8 < 0.28 * f32, "q8_0 streams " + q8 + " of " + f32 + " bytes");
        assertTrue(q4 < 0.15 * f32, "q4_0 streams " + q4 + " of " + f32 + " bytes");
    }

    @Test
    void q8LogitsWithinDerivedBound() throws Exception {
        double rho = rho(127);
        assertTrue(rho > 0.003 && rho < 0.007, "Q8_0 relative weight rounding " + rho);
        double bound = 2 * rho * Math.sqrt(QUANTISED_MATRICES);
        LogitComparison c = compare("q8_0");
        System.out.printf("q8_0: rho %.4g, bound %.4g, rel rms %.4g, max %.4g (x rms %.4g), top1 %.3f top5 %.3f top25 %.3f%n",
                rho, bound, c.relativeRms(), c.maxAbs(), c.refRms(), c.top1Agreement(), c.topKOverlap()[0], c.topKOverlap()[2]);
        assertTrue(c.relativeRms() <= bound, "rms logit error / rms logit " + c.relativeRms() + " > " + bound);
        assertTrue(c.maxAbs() <= 6 * bound * c.refRms(), "max logit error " + c.maxAbs() + " > " + 6 * bound * c.refRms());
        assertTrue(c.relativeRms() > 0, "quantisation must change something");
        double gap = c.refRms() / Math.sqrt(2 * Math.log(fp32[0].length));
        double minAgreement = 1 - 2 * 1.128 * c.rmsErr() / gap;
        assertTrue(minAgreement > 0.8, "the derived top-1 floor " + minAgreement + " should say something");
        assertTrue(c.top1Agreement() >= minAgreement, "top-1 agreement " + c.top1Agreement() + " < " + minAgreement);
        assertTrue(c.topKOverlap()[2] >= minAgreement, "top-25 overlap " + c.topKOverlap()[2] + " < " + minAgreement);
    }

    @Test
    void q4LogitsWithinLooserBound() throws Exception {
        double rho = rho(8);
        assertTrue(rho > 0.05 && rho < 0.11, "Q4_0 relative weight rounding " + rho);
        double bound = 2 * rho * Math.sqrt(QUANTISED_MATRICES);
        LogitComparison c = compare("q4_0");
        System.out.printf("q4_0: rho %.4g, bound %.4g, rel rms %.4g, max %.4g (x rms %.4g), top1 %.3f top5 %.3f top25 %.3f%n",
                rho, bound, c.relativeRms(), c.maxAbs(), c.refRms(), c.top1Agreement(), c.topKOverlap()[0], c.topKOverlap()[2]);
        assertTrue(c.relativeRms() <= bound, "rms logit error / rms logit " + c.relativeRms() + " > " + bound);
        assertTrue(c.maxAbs() <= 6 * bound * c.refRms(), "max logit error " + c.maxAbs() + " > " + 6 * bound * c.refRms());
        assertTrue(c.top1Agreement() >= 0.5, "top-1 agreement " + c.top1Agreement());
        assertTrue(c.relativeRms() > 8 * compare("q8_0").relativeRms(), "Q4_0 rounds 16x coarser than Q8_0");
    }
}
