package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.NsfNoise;

/**
 * The streaming vocoder of one request: the output of {@code CosyVoice3Model.token2wav}'s vocoder tail
 * ({@code cosyvoice/cli/model.py:425-450}: {@code hift.inference(all mel so far, finalize)} sliced at the previous
 * speech offset) without recomputing the whole history. Each {@link #next} call takes only the mel frames that are new
 * since the previous call and returns exactly the samples the reference's recompute would return after slicing.
 * Checked against {@link CausalHiftGenerator#inference} recompute-and-slice by {@code HiftStreamStateTest} and through
 * the engine by golden {@code stream/token2wav}, {@code e2e/zero_shot} and {@code bistream/e2e_zero_shot}.
 *
 * <p>How: a bounded-window recompute, not a per-layer state machine. Every layer of {@code CausalHiFTGenerator} is
 * causal except the explicit look-aheads (f0 3 frames, conv_pre 4, the iSTFT overlap), so a sample depends only on a
 * bounded past, except through the source phase (a cumsum over every frame so far) and the noise buffers (indexed by
 * absolute sample). Each call therefore re-runs the generator over the new frames plus a window of past frames
 * ({@link CausalHiftGenerator#decoderContextFrames}, derived from the layers' paddings, plus the F0 predictor's
 * {@link CausalConvRnnF0Predictor#leftContextFrames}) with the phase accumulator (float64, before the window's first
 * source frame) and absolute noise positions carried ({@link Backend#nsfSourceFrom}), and keeps the samples after the
 * offset. The window's first samples (wrong zero/reflection padding at its start) lie before the offset. Chosen over
 * a per-layer state (input tails of ~60 causal convs, STFT/iSTFT overlap state) because it reuses the verified
 * decoder as is; the cost is the window on top of each call's new frames: 39 mel frames at the reference shapes (30
 * for the decoder, set by the stage-0 source branch, 1, and 8 for the F0 predictor).
 *
 * <p>State between calls (bounded, not growing with the utterance): the last {@code context + 8} mel frames as a
 * backend buffer, the float64 phase accumulator, the frame and sample counters. Not thread-safe: one request.
 */
public final class HiftStreamState implements AutoCloseable {
    /** What a call that completes no sample returns (empty, so shared). */
    private static final float[] NO_SAMPLES = {};
    private final CausalHiftGenerator generator;
    private final Backend backend;
    private final NsfNoise noise;
    private final HiftSession session;
    private final int bins, samplesPerFrame, decoderContext, f0Context, harmonics;
    /** Mel frames {@code [melStart, melStart + mel.cols())} (null before the first frames). */
    private Buf mel;
    private int melStart;
    /** Mel frames received so far (T of the reference's {@code cache.mel}). */
    private int totalFrames;
    /** {@code speech_offset}: samples returned so far. */
    private long speechOffset;
    /** The phase cumsum accumulator before source frame {@code phaseFrame} (null: zeros, frame 0). */
    private Buf phase;
    private int phaseFrame;
    private boolean finished;

    HiftStreamState(CausalHiftGenerator generator, NsfNoise noise) {
        this.generator = generator;
        this.backend = generator.backend();
        this.noise = noise;
        this.session = generator.newSession();
        this.bins = generator.inChannels();
        this.samplesPerFrame = generator.samplesPerFrame();
        this.decoderContext = generator.decoderContextFrames();
        this.f0Context = generator.f0Predictor().leftContextFrames();
        this.harmonics = generator.mSource().harmonics();
    }

    /** Mel frames of past context each call re-runs (decoder receptive field; the F0 predictor's and one more before it). */
    public int contextFrames() { return decoderContext + 1 + f0Context; }

    /** Samples returned so far (the reference's {@code speech_offset}). */
    public long speechOffset() { return speechOffset; }

    /** Mel frames received so far. */
    public int totalFrames() { return totalFrames; }

    /** Mel frames held between calls (bounded by {@link #contextFrames()} + 8 + 1). */
    public int heldFrames() { return mel == null ? 0 : mel.cols(); }

    /**
     * The samples that {@code inference(all mel so far, finalize)[speech_offset:]} returns, from the {@code frames}
     * new mel frames {@code melNew [bins, frames]} (channel-major; zero frames allowed). Not finalizing, a call with 8
     * or fewer frames in total returns nothing (the reference cannot run on them). After a finalizing call the state
     * is finished.
     */
    public float[] next(float[] melNew, int frames, boolean finalize) {
        if (finished) throw new IllegalStateException("the vocoder stream was finalized; start a new one per utterance");
        if (frames < 0 || melNew.length != (long) bins * frames) {
            throw new IllegalArgumentException("new mel has " + melNew.length + " values, expected " + bins + " x " + frames);
        }
        if (frames > 0) append(melNew, frames);
        totalFrames += frames;
        long end = (long) samplesPerFrame * (finalize ? totalFrames : totalFrames - generator.heldBackFrames());
        try {
            if (end <= speechOffset) return NO_SAMPLES;
            int emitted = Math.toIntExact(speechOffset / samplesPerFrame);
            int decodeFrom = Math.max(0, emitted - decoderContext);
            int nsfFrom = Math.max(0, decodeFrom - 1);
            int melFrom = Math.max(0, nsfFrom - f0Context);
            if (melFrom < melStart || nsfFrom != phaseFrame) {
                throw new IllegalStateException("stream state lost frames: mel from " + melStart + ", phase at frame "
                        + phaseFrame + "; this call needs " + melFrom + " and " + nsfFrom);
            }
            Buf window = melFrom == melStart ? mel : cols(mel, melFrom - melStart, mel.cols() - (melFrom - melStart));
            int f0End = melFrom + generator.f0Predictor().outputFrames(window.cols(), finalize);
            Buf phaseOut = backend.allocF64(f0End - nsfFrom, harmonics);
            Buf audio = generator.inferenceWindow(session, window, melFrom, nsfFrom, decodeFrom, finalize, noise, phase,
                    phaseOut);
            int skip = Math.toIntExact(speechOffset - (long) samplesPerFrame * decodeFrom);
            int count = Math.toIntExact(end - speechOffset);
            if (skip + count != audio.cols()) {
                throw new IllegalStateException("window audio has " + audio.cols() + " samples, expected " + (skip + count));
            }
            float[] out = backend.read(audio.view(audio.cols(), 1).rows(skip, skip + count).view(1, count));
            speechOffset = end;
            if (finalize) {
                finish();
            } else {
                keepFor(Math.toIntExact(speechOffset / samplesPerFrame), nsfFrom, phaseOut);
            }
            return out;
        } finally {
            session.releaseScratch();
        }
    }

    /** Drops what the next call cannot need: its window starts at {@code emitted - context} frames. */
    private void keepFor(int emitted, int nsfFrom, Buf phaseOut) {
        int nextNsf = Math.max(0, Math.max(0, emitted - decoderContext) - 1);
        if (nextNsf > phaseFrame) {
            Buf acc = backend.allocF64(1, harmonics);
            backend.copy(acc, phaseOut.row(nextNsf - 1 - nsfFrom));                   // accumulator after frame nextNsf - 1
            phase = acc;
            phaseFrame = nextNsf;
        }
        int nextMel = Math.max(0, nextNsf - f0Context);
        if (nextMel > melStart) {
            mel = cols(mel, nextMel - melStart, mel.cols() - (nextMel - melStart));
            melStart = nextMel;
        }
    }

    private void append(float[] melNew, int frames) {
        Buf add = backend.alloc(bins, frames);
        backend.write(add, melNew, 0);
        if (mel == null) {
            mel = add;
            return;
        }
        Buf both = backend.alloc(bins, mel.cols() + frames);
        backend.setCols(both, 0, mel);
        backend.setCols(both, mel.cols(), add);
        mel = both;
    }

    /** A copy of columns {@code [from, from + count)} of {@code x}. */
    private Buf cols(Buf x, int from, int count) {
        Buf out = backend.alloc(x.rows(), count);
        backend.copyCols(out, x, from);
        return out;
    }

    private void finish() {
        finished = true;
        mel = null;
        phase = null;
    }

    /** Releases the buffers (the state cannot be used after). */
    @Override
    public void close() {
        finish();
        session.releaseScratch();
    }
}
