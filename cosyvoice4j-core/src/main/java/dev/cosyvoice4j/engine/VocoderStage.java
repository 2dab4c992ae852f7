package dev.cosyvoice4j.engine;

/** Mel-to-waveform as {@code CausalHiFTGenerator.inference(speech_feat, finalize)}. */
public interface VocoderStage {
    /** The waveform at the vocoder's sample rate; {@code (frames - 8) * 480} samples when not finalizing. */
    float[] inference(Mel mel, boolean finalize, StageTimings timings);
}
