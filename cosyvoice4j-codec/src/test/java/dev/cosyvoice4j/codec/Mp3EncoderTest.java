package dev.cosyvoice4j.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Mp3EncoderTest {
    static final int RATE = 24000;

    @Test
    void everyByteIsAnMpeg2LayerIiiFrameAt24kHzMono64kbps() {
        float[] x = Signals.speechLike(2.0, RATE, 14);
        byte[] mp3 = AudioEncoders.encodeAll(AudioFormat.MP3, RATE, x);
        List<Mp3Frames.Header> frames = Mp3Frames.parse(mp3);
        for (Mp3Frames.Header h : frames) {
            assertEquals(Mp3Frames.MPEG2, h.version());
            assertEquals(3, h.layer());
            assertEquals(24000, h.sampleRate());
            assertEquals(64, h.bitrateKbps());
            assertEquals(3, h.mode(), "single channel");
            assertEquals(192, h.length());            // 72 * 64000 / 24000, never padded at 24 kHz
        }
        assertTrue(frames.size() * 576 >= x.length, "frames cover the input: " + frames.size());
        assertTrue(frames.size() * 576 < x.length + 4000, "and not much more: " + frames.size());
    }

    @Test
    void noXingLameOrId3Tag() {
        byte[] mp3 = AudioEncoders.encodeAll(AudioFormat.MP3, RATE, Signals.sine(440, 1.0, RATE, 0.5));
        String first = new String(mp3, 0, Mp3Frames.parse(mp3).getFirst().length(), StandardCharsets.ISO_8859_1);
        for (String tag : new String[] {"Xing", "Info", "LAME", "Lavf"}) assertFalse(first.contains(tag), tag);
        String all = new String(mp3, StandardCharsets.ISO_8859_1);
        assertFalse(all.startsWith("ID3"));
        assertFalse(all.contains("TAG") && all.lastIndexOf("TAG") == mp3.length - 128, "ID3v1");
    }

    @Test
    void decodesToA440HzSineWithMoreThan10dBSnr() {
        float[] x = Signals.sine(440, 2.0, RATE, 0.5);
        short[] decoded = Mp3TestDecoder.decode(AudioEncoders.encodeAll(AudioFormat.MP3, RATE, x));
        assertTrue(decoded.length >= x.length, "decoded " + decoded.length);
        double[] snr = Signals.snrDb(Signals.pcm16(x), decoded, 2400, x.length - 2400, 0, 2400);
        assertTrue(snr[0] > 10, "SNR " + snr[0] + " dB at lag " + snr[1]);
    }

    @Test
    void decodesSpeechLikeAudio() {
        float[] x = Signals.speechLike(2.0, RATE, 15);
        short[] decoded = Mp3TestDecoder.decode(AudioEncoders.encodeAll(AudioFormat.MP3, RATE, x));
        double[] snr = Signals.snrDb(Signals.pcm16(x), decoded, 4800, x.length - 4800, 0, 2400);
        assertTrue(snr[0] > 10, "SNR " + snr[0] + " dB at lag " + snr[1]);
    }

    @Test
    void streamedInOddChunksIsByteForByteTheWholeEncoding() {
        float[] x = Signals.speechLike(3.3, RATE, 16);
        byte[] streamed = Signals.streamInChunks(AudioEncoders.streaming(AudioFormat.MP3, RATE), x);
        assertArrayEquals(AudioEncoders.encodeAll(AudioFormat.MP3, RATE, x), streamed);
    }

    @Test
    void framesLeaveBeforeTheEnd() {
        AudioEncoder enc = AudioEncoders.streaming(AudioFormat.MP3, RATE);
        float[] x = Signals.sine(440, 1.0, RATE, 0.5);
        int sent = 0;
        for (int i = 0; i < 10; i++) sent += enc.encode(x, 2400 * i, 2400).length;
        assertTrue(sent >= 192 * 30, "a second of audio gives most of its frames before finish: " + sent + " bytes");
        assertTrue(enc.finish().length > 0);
    }

    @Test
    void otherRatesPickTheirMpegVersion() {
        int[][] cases = {{16000, Mp3Frames.MPEG2}, {22050, Mp3Frames.MPEG2}, {8000, Mp3Frames.MPEG25}, {44100, Mp3Frames.MPEG1}, {48000, Mp3Frames.MPEG1}};
        for (int[] c : cases) {
            List<Mp3Frames.Header> frames = Mp3Frames.parse(AudioEncoders.encodeAll(AudioFormat.MP3, c[0], Signals.sine(440, 0.5, c[0], 0.5)));
            assertEquals(c[1], frames.getFirst().version(), "rate " + c[0]);
            assertEquals(c[0], frames.getFirst().sampleRate());
        }
    }
}
