package dev.cosyvoice4j.frontend;

import dev.cosyvoice4j.frontend.audio.AudioFormatException;
import dev.cosyvoice4j.frontend.audio.AudioTooLongException;
import dev.cosyvoice4j.frontend.audio.TestWavs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole prompt path on the fixture model's stand-in ONNX models, and each kind of bad input. */
class AudioFrontendTest {
    static final Path MODEL = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");
    static final Path INPUTS = Path.of("src/test/resources/fixtures/golden/inputs");
    static AudioFrontend frontend;
    @TempDir Path dir;

    @BeforeAll
    static void open() { frontend = AudioFrontend.open(MODEL); }

    @AfterAll
    static void close() { frontend.close(); }

    @Test
    void zeroShotPromptGoesThrough() {
        PromptAnalysis a = frontend.analyzeWithTimings(INPUTS.resolve("zero_shot_prompt.wav"));
        PromptFeatures p = a.features();
        assertEquals(87, p.tokenCount());
        assertEquals(174, p.featFrames());
        assertEquals(80, p.melBins());
        assertEquals(192, p.embedding().length);
        assertEquals(24000, a.sampleRateHz());
        assertEquals(3.48, a.durationSeconds(), 1e-9);
        assertTrue(a.timings().totalNanos() > 0);
    }

    @Test
    void crossLingualPromptIsTruncatedToTwoFramesPerToken() {
        PromptAnalysis a = frontend.analyzeWithTimings(INPUTS.resolve("cross_lingual_prompt.wav"));
        assertEquals(344, a.rawTokenCount());
        assertEquals(687, a.rawFeatFrames());
        assertEquals(343, a.features().tokenCount());
        assertEquals(686, a.features().featFrames());
        assertTrue(a.timings().resample16kNanos() > 0 && a.timings().resample24kNanos() > 0);
    }

    @Test
    void savedSpeakerReloadsIdentically() throws IOException {
        PromptFeatures p = frontend.analyze(INPUTS.resolve("zero_shot_prompt.wav"));
        Path f = dir.resolve("zero_shot.cvspk");
        p.save(f);
        assertEquals(p, PromptFeatures.load(f));
    }

    @Test
    void sourceTokensForVoiceConversionAreNotTruncated() {
        int[] tokens = frontend.sourceSpeechTokens(INPUTS.resolve("cross_lingual_prompt.wav"));
        assertEquals(344, tokens.length);
    }

    @Test
    void threeChannelFileIsMixedToMono() throws IOException {
        float[][] x = TestWavs.tone(3, 24000, 24000);
        Path p = TestWavs.write(dir, "three.wav", TestWavs.encode(x, 24000, 1, 16, false));
        PromptFeatures f = frontend.analyze(p);
        assertEquals(25, f.tokenCount());   // 1 s: min(50 mel frames / 2, ceil(ceil(100 / 2) / 2) = 25 tokens)
        float[] mono = new float[24000];
        for (int i = 0; i < mono.length; i++) {
            mono[i] = (Math.round(x[0][i] * 32767) + Math.round(x[1][i] * 32767) + (float) Math.round(x[2][i] * 32767)) / 32768f / 3;
        }
        PromptFeatures g = frontend.analyze(TestWavs.write(dir, "mono.wav", TestWavs.encode(new float[][] {mono}, 24000, 3, 32, false)));
        assertArrayEquals(g.speechTokens(), f.speechTokens());
    }

    @Test
    void eightKilohertzFileIsResampled() throws IOException {
        Path p = TestWavs.pcm16(dir, "narrow.wav", TestWavs.tone(1, 16000, 8000)[0], 8000);
        PromptAnalysis a = frontend.analyzeWithTimings(p);
        assertEquals(8000, a.sampleRateHz());
        assertEquals(100, a.rawFeatFrames());   // 2 s at 50 Hz
        assertEquals(50, a.features().tokenCount());
    }

    @Test
    void tenMinuteFileIsRefusedFromItsHeader() throws IOException {
        int rate = 24000, frames = rate * 600;
        byte[] head = TestWavs.encode(new float[][] {new float[0]}, rate, 1, 16, false);
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 36 + 2 * frames).putInt(40, 2 * frames);
        Path p = TestWavs.write(dir, "long.wav", head);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(2 * frames));
        }
        AudioTooLongException e = assertThrows(AudioTooLongException.class, () -> frontend.analyze(p));
        assertTrue(e.getMessage().contains("600.00 s") && e.getMessage().contains("at most 30 s"), e.getMessage());
        assertThrows(AudioTooLongException.class, () -> frontend.sourceSpeechTokens(p));
    }

    @Test
    void corruptAndEmptyFilesAreRefused() throws IOException {
        Path empty = TestWavs.write(dir, "empty.wav", new byte[0]);
        assertTrue(assertThrows(AudioFormatException.class, () -> frontend.analyze(empty)).getMessage().contains("empty file"));
        byte[] wav = TestWavs.encode(TestWavs.tone(1, 16000, 16000), 16000, 1, 16, false);
        wav[8] = 'X';
        Path corrupt = TestWavs.write(dir, "corrupt.wav", wav);
        assertTrue(assertThrows(AudioFormatException.class, () -> frontend.analyze(corrupt)).getMessage().contains("not a RIFF/WAVE"));
    }

    @Test
    void tooShortPromptIsRefused() throws IOException {
        Path p = TestWavs.pcm16(dir, "blip.wav", TestWavs.tone(1, 800, 16000)[0], 16000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> frontend.analyze(p));
        assertTrue(e.getMessage().contains("0.050 s"), e.getMessage());
    }

    @Test
    void missingModelIsNamed() {
        var e = assertThrows(dev.cosyvoice4j.io.ModelFormatException.class, () -> AudioFrontend.open(Path.of("no-such-dir")));
        assertTrue(e.getMessage().contains("campplus.onnx"), e.getMessage());
    }
}
