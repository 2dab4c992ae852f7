package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.model.lm.GenerationOptions;
import dev.cosyvoice4j.model.lm.LmInput;
import dev.cosyvoice4j.model.lm.LmSession;
import dev.cosyvoice4j.model.lm.LmStepListener;
import dev.cosyvoice4j.model.lm.Sampler;
import dev.cosyvoice4j.model.lm.SilentTokenFilter;
import dev.cosyvoice4j.model.lm.SpeechTokenGenerator;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * One utterance (one text segment), {@code CosyVoice2Model.tts} as CosyVoice3Model runs it
 * (cosyvoice/cli/model.py:328-394): an LLM job produces speech tokens into a {@link TokenBuffer} on a worker
 * thread while the calling thread turns them into audio — chunk by chunk on the {@link StreamSchedule} when
 * streaming (waking on token arrival, not polling), or once at the end otherwise.
 */
final class UtteranceSynthesizer {
    /** Receives each piece of audio as soon as it exists. */
    interface AudioSink {
        void accept(float[] samples) throws InterruptedException;
    }

    private final AudioTail.Factory tails;
    private final boolean filterSilentTokens;
    private final FirstChunk firstChunk;
    private final ExecutorService workers;

    /**
     * CosyVoice3: {@link Token2Wav} over the two stages, silent tokens filtered; the first chunk as {@code firstChunk}
     * says (a split one is exact only over the DiT cache and the stateful vocoder, which {@code flow} and
     * {@code vocoder} must then be).
     */
    UtteranceSynthesizer(FlowStage flow, VocoderStage vocoder, int tokenMelRatio, FirstChunk firstChunk, ExecutorService workers) {
        this((voice, speed, timings) -> new Token2Wav(flow, vocoder, voice, tokenMelRatio, speed, timings), true,
                firstChunk, workers);
    }

    /**
     * Any model family: {@code tails} opens each utterance's token-to-audio tail; {@code filterSilentTokens} applies
     * CosyVoice3's {@link SilentTokenFilter} (CosyVoice2 has none: {@code silent_tokens = []}, model.py:275).
     */
    UtteranceSynthesizer(AudioTail.Factory tails, boolean filterSilentTokens, ExecutorService workers) {
        this(tails, filterSilentTokens, FirstChunk.OFFICIAL, workers);
    }

    private UtteranceSynthesizer(AudioTail.Factory tails, boolean filterSilentTokens, FirstChunk firstChunk, ExecutorService workers) {
        this.tails = tails;
        this.filterSilentTokens = filterSilentTokens;
        this.firstChunk = firstChunk;
        this.workers = workers;
    }

    /**
     * Speech tokens come from the LLM, generated concurrently with the audio on {@code lmSession} (the request's KV
     * cache, reset first); {@code expectedTokens} guides {@link FirstChunk#AUTO} only. Returns only once the LLM job has
     * stopped using the session, also on failure or cancellation, so the next segment can reuse it.
     */
    void synthesize(CosyVoice3LM lm, LmSession lmSession, LmInput input, Sampler sampler, int pinnedTokens, int expectedTokens,
                    VoicePrompt voice, boolean stream, double speed, BooleanSupplier cancelled, StageTimings timings, long startNanos,
                    AudioSink sink) throws InterruptedException {
        LmStepListener listener = new LmStepListener() {
            @Override public void onPrefill(int positions, long nanos) { timings.llmPrefillNanos.add(nanos); }
            @Override public void onDecodeStep(int step, int token, long nanos) {
                timings.llmDecodeNanos.add(nanos);
                timings.llmDecodeTokens.increment();
            }
        };
        synthesize((stop, onToken) -> {
            GenerationOptions options = new GenerationOptions(pinnedTokens, stop, listener);
            SpeechTokenGenerator gen = lm.generator(lmSession, input, sampler, options);
            for (int t = gen.next(); t != SpeechTokenGenerator.END; t = gen.next()) onToken.accept(t);
        }, () -> expectedTokens, voice, stream, speed, cancelled, timings, startNanos, sink);
    }

    /** Produces speech tokens on a worker thread until done or {@code stop} says so. */
    interface TokenJob {
        void run(BooleanSupplier stop, java.util.function.IntConsumer onToken) throws Exception;
    }

    /**
     * Speech tokens come from {@code job} (an LLM decode on the request's session), run concurrently with the audio;
     * {@code expectedTokens} (asked once, when the first chunk is scheduled) guides {@link FirstChunk#AUTO}.
     * Returns only once the job has stopped, also on failure or cancellation.
     */
    void synthesize(TokenJob job, IntSupplier expectedTokens, VoicePrompt voice, boolean stream, double speed, BooleanSupplier cancelled,
                    StageTimings timings, long startNanos, AudioSink sink) throws InterruptedException {
        TokenBuffer tokens = new TokenBuffer();
        AtomicBoolean abandoned = new AtomicBoolean();
        AtomicInteger jobState = new AtomicInteger(JOB_NEW);
        CountDownLatch jobDone = new CountDownLatch(1);
        BooleanSupplier stop = () -> abandoned.get() || cancelled.getAsBoolean();
        workers.submit(() -> {
            if (!jobState.compareAndSet(JOB_NEW, JOB_RUNNING)) return;        // abandoned before it started
            try {
                SilentTokenFilter filter = new SilentTokenFilter();   // CosyVoice3Model.llm_job: the flow never sees long silences
                job.run(stop, t -> {
                    timings.firstTokenNanos.compareAndSet(-1, System.nanoTime() - startNanos);
                    if (filterSilentTokens && !filter.accept(t)) return;
                    try {
                        tokens.add(t);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.util.concurrent.CancellationException("interrupted");
                    }
                });
                tokens.finish(null);
            } catch (Throwable e) {
                tokens.finish(e);
            } finally {
                jobDone.countDown();
            }
        });
        try {
            toAudio(tokens, expectedTokens, voice, stream, speed, cancelled, timings, sink);
        } finally {
            abandoned.set(true);                                  // a running job stops at its next step
            if (!jobState.compareAndSet(JOB_NEW, JOB_ABANDONED)) awaitUninterruptibly(jobDone);
        }
    }

    private static final int JOB_NEW = 0, JOB_RUNNING = 1, JOB_ABANDONED = 2;

    /** Waits until the LLM job has left the session (one decode step at most), keeping an interrupt for the caller. */
    private static void awaitUninterruptibly(CountDownLatch done) {
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Speech tokens are all known (voice conversion: the source recording's tokens). */
    void synthesize(int[] speechTokens, VoicePrompt voice, boolean stream, double speed, BooleanSupplier cancelled,
                    StageTimings timings, AudioSink sink) throws InterruptedException {
        TokenBuffer tokens = new TokenBuffer();
        for (int t : speechTokens) tokens.add(t);
        tokens.finish(null);
        toAudio(tokens, () -> speechTokens.length, voice, stream, speed, cancelled, timings, sink);
    }

    private void toAudio(TokenBuffer tokens, IntSupplier expectedTokens, VoicePrompt voice, boolean stream, double speed, BooleanSupplier cancelled,
                         StageTimings timings, AudioSink sink) throws InterruptedException {
        AudioTail t2w = tails.open(voice, speed, timings);
        try {
            int offset = stream ? streamChunks(t2w, tokens, expectedTokens, voice, cancelled, sink) : 0;
            tokens.awaitAtLeast(Integer.MAX_VALUE);                     // returns when generation finished
            if (cancelled.getAsBoolean()) return;
            int n = tokens.size();
            if (n == 0) return;                                          // nothing to say (e.g. immediate stop token)
            if (offset < 0) {                    // a held first piece dropped: the whole utterance in one call, as officially
                t2w.end();
                t2w = tails.open(voice, speed, timings);
                offset = 0;
            }
            sink.accept(t2w.next(tokens.prefix(n), offset, false, true));
        } finally {
            t2w.end();                           // also when cancelled or failed: the streaming caches go back
        }
    }

    /**
     * The non-final chunks of a streamed utterance, each passed to {@code sink}; returns the final call's token offset.
     * A split first chunk's first piece is held back until the utterance has the official first chunk's tokens (then its
     * samples are certain to be the official ones); -1 when generation ended before that: the official code computes
     * such a short utterance in one full-attention call, so the piece is dropped and the caller does so.
     */
    private int streamChunks(AudioTail t2w, TokenBuffer tokens, IntSupplier expectedTokens, VoicePrompt voice,
                             BooleanSupplier cancelled, AudioSink sink) throws InterruptedException {
        StreamSchedule schedule = schedule(voice.promptTokens().length, tokens, expectedTokens);
        float[] heldPiece = null;
        while (!cancelled.getAsBoolean()) {
            int need = schedule.tokensNeededForNextChunk();
            if (tokens.awaitAtLeast(need) < need) break;              // LLM finished with too few for another chunk
            if (heldPiece != null) {                                   // the official first chunk exists: the piece is exact
                sink.accept(heldPiece);
                heldPiece = null;
            }
            // the first chunk (both pieces when split) with the LLM paused: on 2 cores the two stages otherwise share
            // them (bench, seed sentence: FTL fp32 8.7-8.9 vs 9.9-10.9 s, q8_0+bf16 4.8-5.0 vs 5.9-6.1 s, RTF also
            // lower); later chunks overlap with decoding
            boolean hold = schedule.nextIsFirstChunk(), padPiece = schedule.nextIsPadPiece();
            if (hold) tokens.hold(true);
            float[] audio;
            try {
                audio = t2w.next(tokens.prefix(need), schedule.tokenOffset(), true, false);
            } finally {
                if (hold) tokens.hold(false);
            }
            if (padPiece) heldPiece = audio;
            else sink.accept(audio);
            schedule.advance();
        }
        return heldPiece != null ? -1 : schedule.tokenOffset();
    }

    /**
     * The utterance's chunk schedule as {@link #firstChunk} says. {@code AUTO} decides once the split schedule's first
     * piece could start (both schedules wait at least that long, so waiting costs nothing): split when
     * {@code expectedTokens} (or the count itself, when generation has finished) reaches the official first chunk's
     * tokens, the point from which a piece is kept.
     */
    private StreamSchedule schedule(int promptTokens, TokenBuffer tokens, IntSupplier expectedTokens) throws InterruptedException {
        StreamSchedule official = StreamSchedule.official(promptTokens), split = StreamSchedule.splitFirstChunk(promptTokens);
        return switch (firstChunk) {
            case OFFICIAL -> official;
            case SPLIT -> split;
            case AUTO -> {
                if (!split.nextIsPadPiece()) yield official;                     // no pad piece for this prompt
                tokens.awaitAtLeast(split.tokensNeededForNextChunk());
                int expected = tokens.isFinished() ? tokens.size() : expectedTokens.getAsInt();   // a finished one is known
                yield expected >= official.tokensNeededForNextChunk() ? split : official;
            }
        };
    }
}
