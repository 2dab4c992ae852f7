package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;

/**
 * Per-request memory of the {@link CausalHiftGenerator}: the input mel, f0 and source, the F0 predictor's float64
 * scratch, and the decoder's activations — flat buffers of the largest stage's size, viewed per stage as
 * {@code [channels, time]} (the stage activation, the ResBlock outputs of a stage and two scratch buffers per ResBlock,
 * so the ResBlocks can run as independent parts; the source branch borrows them before the ResBlocks run). Sized for
 * one call and released after it ({@link #releaseScratch()}), because dead buffers kept for the next call would stay
 * resident through the next flow call, the peak of a request. Not thread-safe: one request at a time.
 */
public final class HiftSession {
    final Backend backend;
    private int melCapacity, f0Capacity, f0Width, sourceCapacity, flatCapacity;
    Buf mel, decodeMel, f0, source, stft;
    Buf f0In, f0A;
    /** x: the stage activation; outs: ResBlock outputs; scratch: two per ResBlock (and the source branch's input when there is one ResBlock). */
    Buf x;
    Buf[] outs, scratch;
    Buf audio;

    HiftSession(Backend backend) { this.backend = backend; }

    /**
     * Frees every buffer after a vocoder call (the next call allocates again): dead between calls, they would stay
     * resident through the next flow call, the peak of a request.
     */
    public void releaseScratch() {
        melCapacity = f0Capacity = f0Width = sourceCapacity = flatCapacity = 0;
        mel = decodeMel = f0 = source = stft = f0In = f0A = x = audio = null;
        outs = scratch = null;
    }

    /** Mel, f0, source and STFT buffers for {@code frames} mel frames of {@code melBins} bins. */
    void ensureInput(int melBins, int frames, int samplesPerFrame, int stftChannels, int stftFrames) {
        int need = Math.max(melBins * frames, stftChannels * stftFrames);
        if (need > melCapacity) {
            melCapacity = need;
            mel = backend.alloc(1, melCapacity);
            decodeMel = backend.alloc(1, melCapacity);
            stft = backend.alloc(1, melCapacity);
        }
        if (frames > f0Capacity) {
            f0Capacity = frames;
            f0 = backend.alloc(1, f0Capacity);
        }
        long samples = (long) frames * samplesPerFrame;
        if (samples > sourceCapacity) {
            sourceCapacity = Math.toIntExact(samples);
            source = backend.alloc(1, sourceCapacity);
            audio = backend.alloc(1, sourceCapacity);
        }
    }

    /** Float64 scratch of the F0 predictor: {@code channels x frames} each. */
    void ensureF0(int channels, int frames) {
        long need = (long) channels * frames;
        if (need > (long) f0Width) {
            f0Width = Math.toIntExact(need);
            f0In = backend.allocF64(1, f0Width);
            f0A = backend.allocF64(1, f0Width);
        }
    }

    /** The decoder's flat buffers of {@code values} floats each, for {@code resblocks} ResBlocks per stage. */
    void ensureDecoder(int values, int resblocks) {
        if (values <= flatCapacity && outs != null && outs.length == resblocks) return;
        flatCapacity = values;
        x = backend.alloc(1, flatCapacity);
        outs = new Buf[resblocks];
        scratch = new Buf[2 * resblocks + (resblocks < 2 ? 1 : 0)];
        for (int i = 0; i < resblocks; i++) outs[i] = backend.alloc(1, flatCapacity);
        for (int i = 0; i < scratch.length; i++) scratch[i] = backend.alloc(1, flatCapacity);
    }

    public Backend backend() { return backend; }
}
