package dev.cosyvoice4j.engine;

/**
 * A piece of synthesised audio as it becomes available: mono float PCM in [-1, 1] at {@code sampleRateHz}.
 *
 * @param samples        the PCM samples of this chunk (owned by the receiver)
 * @param startSample    index of the first sample within the whole request's audio
 * @param segmentIndex   which text segment (sentence group) this chunk belongs to
 * @param last           true only on the request's final, empty end-of-stream marker chunk
 * @param elapsedNanos   time from the start of the request to when this chunk was ready
 */
public record AudioChunk(float[] samples, int sampleRateHz, long startSample, int segmentIndex, boolean last,
                         long elapsedNanos) {
    public double durationSeconds() { return samples.length / (double) sampleRateHz; }
}
