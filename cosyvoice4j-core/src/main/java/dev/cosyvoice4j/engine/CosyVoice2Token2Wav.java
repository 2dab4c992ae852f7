package dev.cosyvoice4j.engine;

import java.util.Arrays;

/**
 * The token-to-audio tail of one CosyVoice2 utterance, {@code CosyVoice2Model.token2wav}
 * ({@code cosyvoice/cli/model.py:292-326} @ ace7c47): the flow mel of each call is cut at
 * {@code token_mel_ratio * tokenOffset}; while streaming, the last {@value #MEL_CACHE_FRAMES} mel frames, the last
 * {@value #SOURCE_CACHE_SAMPLES} source samples and the last {@value #SOURCE_CACHE_SAMPLES} speech samples of each
 * call are cached: the next call prepends the cached mel, its vocoder source starts with the cached source
 * (overwritten, not added), its first samples are cross-faded with the cached speech ({@link #fadeInOut}, a Hamming
 * window of twice the cache) and, when not final, its last {@value #SOURCE_CACHE_SAMPLES} samples are held back for
 * the next call. Unlike CosyVoice3 the vocoder never re-runs over old mel. Golden: {@code golden-cv2}
 * {@code stream/token2wav}, {@code e2e/*_stream}.
 */
final class CosyVoice2Token2Wav implements AudioTail {
    /** {@code mel_cache_len} (model.py:264). */
    static final int MEL_CACHE_FRAMES = 8;
    /** {@code source_cache_len = mel_cache_len * 480} (model.py:265). */
    static final int SOURCE_CACHE_SAMPLES = MEL_CACHE_FRAMES * 480;
    /** {@code np.hamming(2 * source_cache_len)}, float64 (model.py:266). */
    static final double[] SPEECH_WINDOW = hamming(2 * SOURCE_CACHE_SAMPLES);

    /** {@code HiFTGenerator.inference(speech_feat, cache_source)} as the tail needs it. */
    interface Vocoder {
        /** The waveform of {@code mel} and the source it used (its first samples replaced by {@code cacheSource}). */
        Speech inference(Mel mel, float[] cacheSource, StageTimings timings);
    }

    /** A vocoder call's waveform and source. */
    record Speech(float[] speech, float[] source) {}

    private final FlowStage flow;
    private final Vocoder vocoder;
    private final VoicePrompt prompt;
    private final int tokenMelRatio;
    private final double speed;
    private final StageTimings timings;
    /** The hift cache ({@code hift_cache_dict[uuid]}), null before the first non-final call. */
    private Mel cacheMel;
    private float[] cacheSource, cacheSpeech;

    CosyVoice2Token2Wav(FlowStage flow, Vocoder vocoder, VoicePrompt prompt, int tokenMelRatio, double speed,
                        StageTimings timings) {
        this.flow = flow;
        this.vocoder = vocoder;
        this.prompt = prompt;
        this.tokenMelRatio = tokenMelRatio;
        this.speed = speed;
        this.timings = timings;
    }

    @Override
    public float[] next(int[] tokens, int tokenOffset, boolean streaming, boolean finalize) {
        Mel mel = flow.inference(tokens, prompt, streaming, finalize, timings).fromFrame(tokenMelRatio * tokenOffset);
        float[] source = new float[0];
        if (cacheMel != null) {
            mel = cacheMel.concat(mel);
            source = cacheSource;
        }
        if (!finalize) {
            Speech out = vocoder.inference(mel, source, timings);
            float[] speech = out.speech();
            if (cacheSpeech != null) fadeInOut(speech, cacheSpeech, SPEECH_WINDOW);
            if (speech.length < SOURCE_CACHE_SAMPLES || mel.frames() < MEL_CACHE_FRAMES) {
                throw new IllegalStateException("a streaming chunk of " + mel.frames() + " mel frames is shorter than the "
                        + MEL_CACHE_FRAMES + "-frame vocoder cache");
            }
            cacheMel = mel.fromFrame(mel.frames() - MEL_CACHE_FRAMES);
            cacheSource = Arrays.copyOfRange(out.source(), out.source().length - SOURCE_CACHE_SAMPLES, out.source().length);
            cacheSpeech = Arrays.copyOfRange(speech, speech.length - SOURCE_CACHE_SAMPLES, speech.length);
            return Arrays.copyOf(speech, speech.length - SOURCE_CACHE_SAMPLES);
        }
        if (speed != 1.0) {
            if (cacheMel != null) throw new IllegalStateException("speed change only works without streaming");
            mel = mel.resizeLinear((int) (mel.frames() / speed));
        }
        Speech out = vocoder.inference(mel, source, timings);
        float[] speech = out.speech();
        if (cacheSpeech != null) fadeInOut(speech, cacheSpeech, SPEECH_WINDOW);
        return speech;
    }

    /**
     * {@code fade_in_out} (cosyvoice/utils/common.py:170-178) in place: {@code speech[:n] = speech[:n] * w[:n] +
     * cache[-n:] * w[n:]} with {@code n = len(w) / 2}; a float32 tensor times the float64 numpy window is a float64
     * product, stored back as float32.
     */
    static void fadeInOut(float[] speech, float[] cacheSpeech, double[] window) {
        int n = window.length / 2;
        if (speech.length < n || cacheSpeech.length < n) throw new IllegalArgumentException("cross-fade needs " + n + " samples");
        int c0 = cacheSpeech.length - n;
        for (int i = 0; i < n; i++) speech[i] = (float) (speech[i] * window[i] + cacheSpeech[c0 + i] * window[n + i]);
    }

    /** {@code numpy.hamming(m)} as numpy computes it: {@code n = arange(1 - m, m, 2); 0.54 + 0.46 cos(pi n / (m - 1))}. */
    static double[] hamming(int m) {
        double[] w = new double[m];
        for (int k = 0; k < m; k++) w[k] = 0.54 + 0.46 * StrictMath.cos(Math.PI * (1 - m + 2 * k) / (m - 1));
        return w;
    }
}
