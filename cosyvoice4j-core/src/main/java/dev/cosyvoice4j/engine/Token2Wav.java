package dev.cosyvoice4j.engine;

import java.util.Arrays;

/**
 * The token-to-audio tail of one utterance, {@code CosyVoice3Model.token2wav} (cosyvoice/cli/model.py:425-450):
 * the flow mel of each call is sliced from {@code token_mel_ratio * tokenOffset}, appended to the cached mel,
 * the vocoder re-runs over the whole cached mel and only the samples after the previous speech offset are
 * returned. All state is per utterance; checked by golden {@code stream/token2wav} and {@code e2e/zero_shot}. A
 * vocoder stage that offers a {@link VocoderStream} gets only the new frames instead (same samples, no recompute).
 */
final class Token2Wav implements AudioTail {
    private final FlowStage flow;
    private final VocoderStage vocoder;
    private final VoicePrompt prompt;
    private final int tokenMelRatio;
    private final double speed;
    private final StageTimings timings;
    private Mel melCache;
    private int speechOffset;
    /** The vocoder's per-utterance state when its stage offers one ({@link VocoderStage#openStream}). */
    private final VocoderStream stream;

    Token2Wav(FlowStage flow, VocoderStage vocoder, VoicePrompt prompt, int tokenMelRatio, double speed, StageTimings timings) {
        this.flow = flow;
        this.vocoder = vocoder;
        this.prompt = prompt;
        this.tokenMelRatio = tokenMelRatio;
        this.speed = speed;
        this.timings = timings;
        this.stream = speed == 1.0 ? vocoder.openStream() : null;
    }

    /**
     * One call: {@code tokens} are all generated tokens the flow sees this time (with look-ahead when not
     * finalizing), {@code tokenOffset} the tokens already turned into audio.
     */
    @Override
    public float[] next(int[] tokens, int tokenOffset, boolean streaming, boolean finalize) {
        Mel mel = flow.inference(tokens, prompt, streaming, finalize, timings).fromFrame(tokenMelRatio * tokenOffset);
        if (stream != null) {                   // opt-in: the stateful vocoder gets only the new frames (no mel cache)
            float[] out = stream.next(mel, finalize, timings);
            speechOffset += out.length;
            return out;
        }
        melCache = melCache == null ? mel : melCache.concat(mel);
        Mel vocoderInput = melCache;
        if (speed != 1.0) {
            if (!finalize || tokenOffset != 0) throw new IllegalStateException("speed change only works without streaming");
            vocoderInput = melCache.resizeLinear((int) (melCache.frames() / speed));
        }
        float[] wav = vocoder.inference(vocoderInput, finalize, timings);
        int from = Math.min(speechOffset, wav.length);
        float[] out = Arrays.copyOfRange(wav, from, wav.length);
        speechOffset += out.length;
        return out;
    }

    @Override
    public void end() { flow.endUtterance(); }

    /** The mel accumulated so far (for inspection and tests; null when the vocoder streams). */
    Mel melCache() { return melCache; }
}
