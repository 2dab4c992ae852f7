package dev.cosyvoice4j.engine;

/**
 * A stateful vocoder for one utterance ({@link VocoderStage#openStream}): each call gets only the mel frames that are
 * new since the previous call and returns the samples that {@code inference(all mel so far, finalize)} would return
 * after the previous speech offset ({@code CosyVoice3Model.token2wav}'s slice), without recomputing the history.
 */
public interface VocoderStream {
    /** The new samples for {@code newFrames} appended to the utterance's mel; the state ends after {@code finalize}. */
    float[] next(Mel newFrames, boolean finalize, StageTimings timings);
}
