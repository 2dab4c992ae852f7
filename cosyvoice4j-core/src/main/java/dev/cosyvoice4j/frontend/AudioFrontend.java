package dev.cosyvoice4j.frontend;

import dev.cosyvoice4j.frontend.audio.AudioFormatException;
import dev.cosyvoice4j.frontend.audio.DecodedAudio;
import dev.cosyvoice4j.frontend.audio.FeatureMatrix;
import dev.cosyvoice4j.frontend.audio.KaldiFbank;
import dev.cosyvoice4j.frontend.audio.MatchaMel;
import dev.cosyvoice4j.frontend.audio.MelSpec;
import dev.cosyvoice4j.frontend.audio.Resampler;
import dev.cosyvoice4j.frontend.audio.WavReader;
import dev.cosyvoice4j.frontend.audio.WhisperLogMel;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The prompt-audio frontend: WAV -> {@link PromptFeatures} (speech tokens, flow prompt mel, speaker
 * embedding), exactly as the official {@code CosyVoiceFrontEnd} computes them, plus each step on its own.
 *
 * <pre>
 * wav -decode/mean-> x ─resample 16k─┬─ whisper log-mel 128 ─ speech_tokenizer_v3.onnx ─> tokens (25 Hz)
 *                      │              └─ Kaldi fbank 80 − mean ─ campplus.onnx ─> embedding [192]
 *                      └─resample 24k── matcha mel 80 [T, 80] (50 Hz)
 * align: n = min(T / token_mel_ratio, tokens); keep n tokens, ratio * n frames
 * </pre>
 *
 * The file is decoded once and resampled from its own rate for each consumer (the official code re-reads it,
 * which gives the same samples). Files longer than {@link FrontendOptions#maxPromptSeconds()} are refused from
 * their header. Thread-safe: the ONNX sessions are shared, all other state is per call. Close once.
 *
 * <p>Ports {@code cosyvoice/cli/frontend.py} (prompt part of {@code frontend_zero_shot}, {@code frontend_vc}'s
 * source tokens) and {@code cosyvoice/utils/file_utils.py:load_wav}. Checked by every {@code frontend/*} golden
 * case ({@link FrontendGoldenStage}).
 */
public final class AudioFrontend implements AutoCloseable {
    public static final String CAMPPLUS_FILE = "campplus.onnx";
    public static final String SPEECH_TOKENIZER_FILE = "speech_tokenizer_v3.onnx";
    /** CosyVoice2 model directories name it this way; accepted when the v3 file is absent. */
    static final String SPEECH_TOKENIZER_V2_FILE = "speech_tokenizer_v2.onnx";

    private final FrontendOptions options;
    private final CampPlus campPlus;
    private final SpeechTokenizer speechTokenizer;
    private final MatchaMel promptMel;

    private AudioFrontend(FrontendOptions options, CampPlus campPlus, SpeechTokenizer speechTokenizer, MatchaMel promptMel) {
        this.options = options;
        this.campPlus = campPlus;
        this.speechTokenizer = speechTokenizer;
        this.promptMel = promptMel;
    }

    /** Loads {@code campplus.onnx} and {@code speech_tokenizer_v3.onnx} from a model directory. */
    public static AudioFrontend open(Path modelDir, FrontendOptions options) {
        Path tok = modelDir.resolve(SPEECH_TOKENIZER_FILE);
        if (!Files.isRegularFile(tok) && Files.isRegularFile(modelDir.resolve(SPEECH_TOKENIZER_V2_FILE))) {
            tok = modelDir.resolve(SPEECH_TOKENIZER_V2_FILE);
        }
        return open(modelDir.resolve(CAMPPLUS_FILE), tok, options, MelSpec.forModelDir(modelDir));
    }

    public static AudioFrontend open(Path modelDir) { return open(modelDir, FrontendOptions.defaults()); }

    /** Loads the two ONNX models from explicit paths; the prompt mel of {@code melSpec}. */
    public static AudioFrontend open(Path campplusOnnx, Path speechTokenizerOnnx, FrontendOptions options, MelSpec melSpec) {
        CampPlus cp = CampPlus.load(campplusOnnx, options);
        try {
            return new AudioFrontend(options, cp, SpeechTokenizer.load(speechTokenizerOnnx, options), MatchaMel.of(melSpec));
        } catch (RuntimeException e) {
            cp.close();
            throw e;
        }
    }

    public FrontendOptions options() { return options; }

    public CampPlus campPlus() { return campPlus; }

    public SpeechTokenizer speechTokenizer() { return speechTokenizer; }

    // ---------------------------------------------------------------- whole prompt

    /** Prompt WAV -> aligned prompt features (zero-shot / cross-lingual / instruct2 prompts). */
    public PromptFeatures analyze(Path wav) { return analyzeWithTimings(wav).features(); }

    /** Like {@link #analyze(Path)}, with per-step timings and the unaligned lengths. */
    public PromptAnalysis analyzeWithTimings(Path wav) {
        long t0 = System.nanoTime();
        DecodedAudio audio = decode(wav);
        long decodeNs = System.nanoTime() - t0;
        return analyze(audio, decodeNs);
    }

    /** Analyses audio that is already decoded (e.g. uploaded bytes); the same checks as for a file apply. */
    public PromptAnalysis analyze(DecodedAudio audio) {
        checkAudio(audio, "prompt audio");
        return analyze(audio, 0);
    }

    private PromptAnalysis analyze(DecodedAudio audio, long decodeNs) {
        long t = System.nanoTime();
        float[] x16 = resample16k(audio);
        long r16 = System.nanoTime() - t;
        t = System.nanoTime();
        float[] x24 = resample24k(audio);
        long r24 = System.nanoTime() - t;

        t = System.nanoTime();
        FeatureMatrix fbank = KaldiFbank.subtractMean(fbank(x16));
        long fbankNs = System.nanoTime() - t;
        t = System.nanoTime();
        float[] embedding = campPlus.embed(fbank);
        long campNs = System.nanoTime() - t;

        t = System.nanoTime();
        WhisperLogMel.Result mel = whisperMel(x16);
        long whisperNs = System.nanoTime() - t;
        t = System.nanoTime();
        int[] tokens = speechTokenizer.tokens(mel.logMel());
        long tokNs = System.nanoTime() - t;

        t = System.nanoTime();
        FeatureMatrix feat = speechFeat(x24);
        long matchaNs = System.nanoTime() - t;

        PromptFeatures features = PromptFeatures.aligned(tokens, feat, embedding, options.tokenMelRatio());
        if (features.tokenCount() == 0) {
            throw new IllegalArgumentException(String.format("prompt audio (%.3f s) gives no aligned speech token", audio.durationSeconds()));
        }
        FrontendTimings timings = new FrontendTimings(decodeNs, r16, r24, fbankNs, campNs, whisperNs, tokNs, matchaNs);
        return new PromptAnalysis(features, timings, audio.durationSeconds(), audio.sampleRateHz(), tokens.length, feat.rows());
    }

    /**
     * Speech tokens of a <em>source</em> WAV for voice conversion ({@code frontend_vc}: {@code
     * _extract_speech_token(source_speech_16k)}; no alignment). Same limits as a prompt.
     */
    public int[] sourceSpeechTokens(Path wav) {
        return speechTokens(resample16k(decode(wav)));
    }

    /** {@link #sourceSpeechTokens(Path)} for audio that is already decoded. */
    public int[] sourceSpeechTokens(DecodedAudio audio) {
        checkAudio(audio, "source audio");
        return speechTokens(resample16k(audio));
    }

    // ---------------------------------------------------------------- steps

    /**
     * Decodes a WAV (mono mix) after checking its header against the prompt limits: duration at most
     * {@code maxPromptSeconds} (checked before reading samples), at least {@value FrontendOptions#MIN_PROMPT_SECONDS}
     * s, sample rate at least {@code minSampleRateHz}.
     */
    public DecodedAudio decode(Path wav) {
        DecodedAudio a = WavReader.read(wav, options.maxPromptSeconds(),
                "the speech tokenizer accepts at most " + fmt(options.maxPromptSeconds()) + " s of audio; trim the prompt");
        checkAudio(a, wav.toString());
        return a;
    }

    /** {@link #decode(Path)} for a WAV held in memory (e.g. an upload); {@code name} appears in error messages. */
    public DecodedAudio decode(byte[] wav, String name) {
        DecodedAudio a = WavReader.read(wav, name, options.maxPromptSeconds(),
                "the speech tokenizer accepts at most " + fmt(options.maxPromptSeconds()) + " s of audio; trim the prompt");
        checkAudio(a, name);
        return a;
    }

    private void checkAudio(DecodedAudio a, String what) {
        if (a.sampleRateHz() < options.minSampleRateHz()) {
            throw new AudioFormatException(Path.of(what), "sample rate " + a.sampleRateHz() + " Hz is below the minimum of "
                    + options.minSampleRateHz() + " Hz");
        }
        if (a.durationSeconds() > options.maxPromptSeconds()) {
            throw new IllegalArgumentException(String.format("%s is %.2f s long; the limit is %s s", what, a.durationSeconds(),
                    fmt(options.maxPromptSeconds())));
        }
        if (a.durationSeconds() < FrontendOptions.MIN_PROMPT_SECONDS) {
            throw new IllegalArgumentException(String.format("%s is only %.3f s long; at least %s s is needed", what,
                    a.durationSeconds(), fmt(FrontendOptions.MIN_PROMPT_SECONDS)));
        }
    }

    /** {@code load_wav(wav, 16000)}: the decoded audio at 16 kHz. */
    public float[] resample16k(DecodedAudio audio) {
        return Resampler.resample(audio.samples(), audio.sampleRateHz(), KaldiFbank.SAMPLE_RATE_HZ);
    }

    /** {@code load_wav(wav, 24000)}: the decoded audio at 24 kHz. */
    public float[] resample24k(DecodedAudio audio) {
        return Resampler.resample(audio.samples(), audio.sampleRateHz(), promptMel.spec().sampleRateHz());
    }

    /** Kaldi fbank {@code [T, 80]} of 16 kHz audio (before mean normalisation). */
    public FeatureMatrix fbank(float[] wav16k) { return KaldiFbank.compute(wav16k); }

    /** Speaker embedding of 16 kHz audio: fbank, minus its mean over time, CAM++. */
    public float[] speakerEmbedding(float[] wav16k) {
        return campPlus.embed(KaldiFbank.subtractMean(fbank(wav16k)));
    }

    /** Whisper 128-bin log-mel {@code [128, T]} of 16 kHz audio. */
    public WhisperLogMel.Result whisperMel(float[] wav16k) { return WhisperLogMel.compute(wav16k); }

    /** Speech tokens of 16 kHz audio (whisper log-mel + tokenizer), before alignment. */
    public int[] speechTokens(float[] wav16k) {
        if (wav16k.length / (double) KaldiFbank.SAMPLE_RATE_HZ > options.maxPromptSeconds()) {
            throw new IllegalArgumentException(String.format("audio is %.2f s long; the speech tokenizer accepts at most %s s",
                    wav16k.length / (double) KaldiFbank.SAMPLE_RATE_HZ, fmt(options.maxPromptSeconds())));
        }
        return speechTokenizer.tokens(whisperMel(wav16k).logMel());
    }

    /** Flow prompt mel {@code [T, 80]} of 24 kHz audio, before alignment. */
    public FeatureMatrix speechFeat(float[] wav24k) { return promptMel.logMel(wav24k); }

    /** The prompt mel settings read from the model's yaml. */
    public MelSpec promptMelSpec() { return promptMel.spec(); }

    @Override
    public void close() {
        try {
            campPlus.close();
        } finally {
            speechTokenizer.close();
        }
    }

    private static String fmt(double s) {
        return s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s);
    }
}
