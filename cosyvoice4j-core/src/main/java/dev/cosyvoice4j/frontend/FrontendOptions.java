package dev.cosyvoice4j.frontend;

/**
 * Settings of the prompt frontend.
 *
 * @param intraOpThreads   ONNX Runtime intra-op threads per session (the official frontend uses 1)
 * @param maxPromptSeconds longest prompt / source audio accepted; the official speech tokenizer asserts
 *                         {@code <= 30 s} ({@code frontend.py:97}), longer files are refused from their header
 * @param minSampleRateHz  lowest input sample rate accepted. The official {@code load_wav} asserts >= 16 kHz
 *                         before resampling; the default here (8 kHz) also accepts narrow-band prompts, which
 *                         are upsampled with the same sinc resampler (no content above 4 kHz, so quality drops)
 * @param tokenMelRatio    mel frames per speech token ({@code token_mel_ratio} in cosyvoice3.yaml: 2)
 */
public record FrontendOptions(int intraOpThreads, double maxPromptSeconds, int minSampleRateHz, int tokenMelRatio) {
    /** The official limit of the speech tokenizer. */
    public static final double OFFICIAL_MAX_PROMPT_SECONDS = 30.0;
    /** Shortest prompt accepted: 0.1 s gives 2 aligned tokens / 4 mel frames. */
    public static final double MIN_PROMPT_SECONDS = 0.1;

    public FrontendOptions {
        if (intraOpThreads < 0) throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = ONNX Runtime default): " + intraOpThreads);
        if (!(maxPromptSeconds > MIN_PROMPT_SECONDS)) throw new IllegalArgumentException("maxPromptSeconds must be > " + MIN_PROMPT_SECONDS + ": " + maxPromptSeconds);
        if (minSampleRateHz < 1) throw new IllegalArgumentException("minSampleRateHz must be positive: " + minSampleRateHz);
        if (tokenMelRatio < 1) throw new IllegalArgumentException("tokenMelRatio must be positive: " + tokenMelRatio);
    }

    /** 1 ONNX thread (like the official frontend), 30 s, 8 kHz minimum, ratio 2. */
    public static FrontendOptions defaults() { return new FrontendOptions(1, OFFICIAL_MAX_PROMPT_SECONDS, 8000, 2); }

    public FrontendOptions withIntraOpThreads(int n) { return new FrontendOptions(n, maxPromptSeconds, minSampleRateHz, tokenMelRatio); }

    public FrontendOptions withTokenMelRatio(int r) { return new FrontendOptions(intraOpThreads, maxPromptSeconds, minSampleRateHz, r); }

    public FrontendOptions withMaxPromptSeconds(double s) { return new FrontendOptions(intraOpThreads, s, minSampleRateHz, tokenMelRatio); }
}
