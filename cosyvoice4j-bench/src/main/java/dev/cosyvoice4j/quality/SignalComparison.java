package dev.cosyvoice4j.quality;

/**
 * A mel or waveform of a mode against the float32 one.
 *
 * @param maxAbs  {@code max |x - x_fp32|}
 * @param rmsErr  root mean square of the difference
 * @param refRms  root mean square of the float32 signal
 * @param refPeak {@code max |x_fp32|}
 * @param cosine  cosine similarity of the flattened signals
 * @param logMelDb waveforms only: {@link LogMelDistance#rmsDb} (NaN for a mel)
 */
public record SignalComparison(double maxAbs, double rmsErr, double refRms, double refPeak, double cosine, double logMelDb) {
    /** A mel (or any tensor) against its reference. */
    public static SignalComparison of(float[] x, float[] ref) {
        double peak = 0;
        for (float v : ref) peak = Math.max(peak, Math.abs(v));
        return new SignalComparison(ErrorStats.maxAbs(x, ref), ErrorStats.rmsDiff(x, ref), ErrorStats.rms(ref), peak,
                ErrorStats.cosine(x, ref), Double.NaN);
    }

    /** A 24 kHz waveform against its reference, with the log-mel distance. */
    public static SignalComparison ofWaveform(float[] wav, float[] ref) {
        SignalComparison c = of(wav, ref);
        return new SignalComparison(c.maxAbs, c.rmsErr, c.refRms, c.refPeak, c.cosine, LogMelDistance.rmsDb(wav, ref));
    }

    /** {@code rmsErr / refRms}. */
    public double relativeRms() { return refRms == 0 ? 0 : rmsErr / refRms; }
}
