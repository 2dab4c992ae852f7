package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The CosyVoice2 token2wav tail with stand-in stages: cache lengths, the held-back tail, the cross-fade. */
class CosyVoice2Token2WavTest {
    static final VoicePrompt VOICE = new VoicePrompt(new int[24], new float[48 * 80], 48, new float[192]);

    /** A flow that returns 2 frames per (non-look-ahead) token, each frame's value its index. */
    static FlowStage flow() {
        return (tokens, prompt, streaming, finalize, timings) -> {
            int frames = 2 * (finalize ? tokens.length : tokens.length - 3);
            float[] d = new float[80 * frames];
            for (int b = 0; b < 80; b++) for (int t = 0; t < frames; t++) d[b * frames + t] = t;
            return new Mel(d, 80, frames);
        };
    }

    @Test
    void hammingIsNumpys() {
        double[] w = CosyVoice2Token2Wav.SPEECH_WINDOW;
        assertEquals(7680, w.length);
        assertEquals(0.08, w[0], 1e-15);
        assertEquals(w[0], w[w.length - 1], 1e-15);
        assertEquals(0.54 - 0.46 * Math.cos(2 * Math.PI * 100 / 7679), w[100], 1e-12);
    }

    @Test
    void fadeInOutMixesInDoubleAndKeepsTheRest() {
        float[] speech = {1, 1, 1, 5}, cache = {9, 2, 4};
        CosyVoice2Token2Wav.fadeInOut(speech, cache, new double[] {0.25, 0.5, 0.75, 1.0});
        assertArrayEquals(new float[] {(float) (0.25 + 2 * 0.75), (float) (0.5 + 4 * 1.0), 1, 5}, speech);
    }

    @Test
    void streamingHoldsBackTheCacheAndPrependsIt() {
        List<Integer> vocoderFrames = new ArrayList<>(), cacheLengths = new ArrayList<>();
        CosyVoice2Token2Wav.Vocoder vocoder = (mel, cacheSource, timings) -> {
            vocoderFrames.add(mel.frames());
            cacheLengths.add(cacheSource.length);
            float[] s = new float[480 * mel.frames()];
            Arrays.fill(s, 1f);
            return new CosyVoice2Token2Wav.Speech(s, s.clone());
        };
        CosyVoice2Token2Wav t = new CosyVoice2Token2Wav(flow(), vocoder, VOICE, 2, 1.0, StageTimings.discard());
        // stream/token2wav's schedule: 29 tokens at offset 0, 79 at 26, all 85 at 76 (final)
        assertEquals(52 * 480 - 3840, t.next(new int[29], 0, true, false).length);
        assertEquals((8 + 100) * 480 - 3840, t.next(new int[79], 26, true, false).length);
        assertEquals((8 + 18) * 480, t.next(new int[85], 76, false, true).length);
        assertEquals(List.of(52, 108, 26), vocoderFrames);
        assertEquals(List.of(0, 3840, 3840), cacheLengths);
    }

    @Test
    void speedChangeOnlyWithoutStreaming() {
        CosyVoice2Token2Wav.Vocoder vocoder = (mel, cacheSource, timings) ->
                new CosyVoice2Token2Wav.Speech(new float[480 * mel.frames()], new float[480 * mel.frames()]);
        CosyVoice2Token2Wav offline = new CosyVoice2Token2Wav(flow(), vocoder, VOICE, 2, 2.0, StageTimings.discard());
        assertEquals(10 * 480, offline.next(new int[10], 0, false, true).length, "20 frames at speed 2 -> 10");
        CosyVoice2Token2Wav streamed = new CosyVoice2Token2Wav(flow(), vocoder, VOICE, 2, 2.0, StageTimings.discard());
        streamed.next(new int[29], 0, true, false);
        assertThrows(IllegalStateException.class, () -> streamed.next(new int[40], 26, false, true));
    }
}
