package dev.cosyvoice4j.engine;

/** Mel-to-waveform as {@code CausalHiFTGenerator.inference(speech_feat, finalize)}. */
public interface VocoderStage {
    /** The waveform at the vocoder's sample rate; {@code (frames - 8) * 480} samples when not finalizing. */
    float[] inference(Mel mel, boolean finalize, StageTimings timings);

    /**
     * A fresh per-utterance stream that keeps the vocoder's state between calls, or null where this stage can only
     * recompute (then {@link Token2Wav} runs {@link #inference} over all mel so far and slices).
     */
    default VocoderStream openStream() { return null; }
}
