package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The caller-side cache logic of token2wav on length-faithful fake stages (real stages: golden stream/token2wav). */
class Token2WavTest {
    static final int HOP = 480;

    /** Flow fake: 2 frames per token, look-ahead (3) dropped when not finalizing; frame value = frame index. */
    static final FlowStage FLOW = (tokens, prompt, streaming, finalize, t) -> {
        int n = finalize ? tokens.length : tokens.length - 3;
        float[] d = new float[80 * 2 * n];
        for (int b = 0; b < 80; b++) for (int f = 0; f < 2 * n; f++) d[b * 2 * n + f] = f;
        return new Mel(d, 80, 2 * n);
    };

    /** Vocoder fake: sample i = mel frame value of i / 480; drops 8 frames when not finalizing. */
    static final VocoderStage HIFT = (mel, finalize, t) -> {
        int frames = finalize ? mel.frames() : mel.frames() - 8;
        float[] out = new float[Math.max(0, frames) * HOP];
        for (int i = 0; i < out.length; i++) out[i] = mel.data()[i / HOP];
        return out;
    };

    static final VoicePrompt PROMPT = new VoicePrompt(new int[24], new float[48 * 80], 48, new float[192]);

    @Test
    void goldenChunkLengths() {
        // stream/token2wav: yielded 21120, 48000, 12480 samples for calls of 29, 79, 85 tokens
        Token2Wav t2w = new Token2Wav(FLOW, HIFT, PROMPT, 2, 1.0, StageTimings.discard());
        StreamSchedule s = StreamSchedule.official(24);
        int[] tokens = new int[85];
        List<Integer> yielded = new ArrayList<>();
        while (s.chunkReady(tokens.length)) {
            int n = s.tokensNeededForNextChunk();
            yielded.add(t2w.next(java.util.Arrays.copyOf(tokens, n), s.tokenOffset(), true, false).length);
            s.advance();
        }
        yielded.add(t2w.next(tokens, s.tokenOffset(), false, true).length);
        assertEquals(List.of(21120, 48000, 12480), yielded);
        assertEquals(170, t2w.melCache().frames());
    }

    @Test
    void streamedAudioIsTheOfflineAudioWhenStagesArePrefixStable() {
        int[] tokens = new int[85];
        float[] offline = new Token2Wav(FLOW, HIFT, PROMPT, 2, 1.0, StageTimings.discard()).next(tokens, 0, false, true);
        Token2Wav t2w = new Token2Wav(FLOW, HIFT, PROMPT, 2, 1.0, StageTimings.discard());
        StreamSchedule s = StreamSchedule.official(24);
        float[] all = new float[0];
        while (s.chunkReady(tokens.length)) {
            all = concat(all, t2w.next(java.util.Arrays.copyOf(tokens, s.tokensNeededForNextChunk()), s.tokenOffset(), true, false));
            s.advance();
        }
        all = concat(all, t2w.next(tokens, s.tokenOffset(), false, true));
        assertArrayEquals(offline, all);
    }

    @Test
    void speedResizesTheMelBeforeTheVocoder() {
        float[] wav = new Token2Wav(FLOW, HIFT, PROMPT, 2, 2.0, StageTimings.discard()).next(new int[50], 0, false, true);
        assertEquals(50 * HOP, wav.length); // 100 frames / speed 2
    }

    static float[] concat(float[] a, float[] b) {
        float[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
