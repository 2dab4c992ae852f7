package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.backend.onednn.OneDnnTestSupport;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.VoicePrompt;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The flow with bf16 matmuls (oneDNN) against float32 on {@link SmallRandomModel}: one offline flow call on the
 * fixture prompt and 24 random tokens (222 frames, CFG batch of 2: every DiT Linear goes to oneDNN).
 *
 * <p>Derivation. oneDNN's bf16 matmul rounds both operands to bfloat16 (8 significant bits: relative rounding
 * {@code u = 2^-9}) and accumulates in float32. Each product is then off by a relative {@code <= 2u}, and a dot
 * product of random-sign terms by a relative rms of about {@code u sqrt(2/3)} = 0.16%. Along the DiT's longest
 * chain of Linears (input embedding, per block q/k/v/out and the two FFN layers plus adaLN, final projection:
 * about 11 at depth 2) these independent errors add in quadrature to {@code 0.16% sqrt(11)} = 0.53% of the
 * velocity; the Euler solve averages the 10 velocity errors into the mel, which cannot make it larger in relative
 * terms. The test allows 1% relative rms (cosine >= 1 - 1%²/2 = 0.99995; required: 0.9999) and a max error
 * of 6 x that rms.
 */
class Bf16FlowQualityTest {
    @Test
    void bf16MelWithinDerivedBound() {
        Engine f32 = SmallRandomModel.engine("fp32"), bf16 = SmallRandomModel.engine("bf16");
        requireOneDnn(bf16);
        VoicePrompt prompt = f32.analyzeVoice(SmallRandomModel.PROMPT_WAV, SmallRandomModel.PROMPT_TEXT).flowPrompt();
        int[] tokens = new SplittableRandom(3).ints(24, 0, f32.config().flow().vocabSize()).toArray();
        Probes.FlowRun ref = Probes.flow(f32.parts(), tokens, prompt), run = Probes.flow(bf16.parts(), tokens, prompt);
        SignalComparison c = SignalComparison.of(run.mel(), ref.mel());
        System.out.printf(Locale.ROOT, "bf16 flow: rel rms %.4g, max %.4g (rms %.4g), cosine 1 - %.3g%n",
                c.relativeRms(), c.maxAbs(), c.refRms(), 1 - c.cosine());
        assertTrue(c.relativeRms() > 0, "bf16 must change something (is oneDNN really used?)");
        assertTrue(c.relativeRms() <= 0.01, "mel rms error / rms " + c.relativeRms() + " > 1%");
        assertTrue(c.maxAbs() <= 6 * 0.01 * c.refRms(), "mel max error " + c.maxAbs() + " > " + 6 * 0.01 * c.refRms());
        assertTrue(c.cosine() >= 0.9999, "mel cosine " + c.cosine() + " < 0.9999");
    }

    /** The bf16 flow needs oneDNN; same rule as the oneDNN tests ({@link OneDnnTestSupport#required()}). */
    static void requireOneDnn(Engine bf16) {
        if (bf16.parts().flowReduced()) return;
        if (OneDnnTestSupport.required()) {
            fail("oneDNN did not load, so the bf16 flow ran in float32 (" + bf16.kernelsDescription() + ")");
        }
        assumeTrue(false, "oneDNN is not available on this platform: bf16 flow test skipped");
    }
}
