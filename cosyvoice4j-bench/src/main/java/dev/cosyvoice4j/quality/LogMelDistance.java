package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.frontend.audio.FeatureMatrix;
import dev.cosyvoice4j.frontend.audio.MatchaMel;
import dev.cosyvoice4j.frontend.audio.MelSpec;

/**
 * A phase-blind waveform distance: the root mean square difference, in dB, of the two waveforms' log-mel
 * spectrograms ({@link MatchaMel}, the flow's own mel: 80 bins, 20 ms hop, magnitudes floored at 1e-5). Sample
 * by sample comparisons punish a small pitch change as much as noise, because the vocoder's sine source
 * integrates F0 into a phase; this measures what is heard.
 */
public final class LogMelDistance {
    private LogMelDistance() {}

    /** {@code rms(20 log10(|M_a| / |M_b|))} over all frames and bins of two 24 kHz waveforms of the same length. */
    public static double rmsDb(float[] wav24k, float[] ref24k) {
        if (wav24k.length != ref24k.length) {
            throw new IllegalArgumentException("lengths differ: " + wav24k.length + " vs " + ref24k.length);
        }
        if (wav24k.length < MelSpec.COSYVOICE3.hopSize()) return 0;
        FeatureMatrix a = MatchaMel.compute(wav24k), b = MatchaMel.compute(ref24k);
        return ErrorStats.rmsDiff(a.values(), b.values()) * 20 / StrictMath.log(10);
    }
}
