package dev.cosyvoice4j.codec;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlacEncoderTest {
    static final int RATE = 24000;

    static float[] mixed() {
        return Signals.concat(Signals.speechLike(3.0, RATE, 5), new float[10000], Signals.noise(4096, 1.0, 6),
                Signals.sine(440, 0.5, RATE, 1.4) /* clips */, Signals.noise(3000, 1e-4, 7));
    }

    @Test
    void decodesToExactlyTheInputSamples() throws Exception {
        float[] x = mixed();
        byte[] flac = AudioEncoders.encodeAll(AudioFormat.FLAC, RATE, x);
        FlacTestDecoder.Decoded d = FlacTestDecoder.decode(flac);
        assertArrayEquals(Signals.pcm16(x), d.samples());
        FlacTestDecoder.StreamInfo info = d.info();
        assertEquals(4096, info.minBlock());
        assertEquals(4096, info.maxBlock());
        assertEquals(RATE, info.sampleRate());
        assertEquals(1, info.channels());
        assertEquals(16, info.bitsPerSample());
        assertEquals(x.length, info.totalSamples());
        assertArrayEquals(MessageDigest.getInstance("MD5").digest(Pcm16.toLittleEndian(x, 0, x.length)), info.md5());
        int min = d.frames().stream().mapToInt(FlacTestDecoder.Frame::length).min().orElseThrow();
        int max = d.frames().stream().mapToInt(FlacTestDecoder.Frame::length).max().orElseThrow();
        assertEquals(min, info.minFrame());
        assertEquals(max, info.maxFrame());
    }

    @Test
    void compressesSpeechAndPicksTheSubframeTypeThatFits() {
        float[] speech = Signals.speechLike(4.0, RATE, 8);
        byte[] flac = AudioEncoders.encodeAll(AudioFormat.FLAC, RATE, speech);
        // the signal carries -30 dB of white noise: libFLAC -8 takes 10.8 bits a sample (without its padding block)
        assertTrue(flac.length * 8 < 11.2 * speech.length, "bits a sample: " + flac.length * 8.0 / speech.length);
        float[] sine = Signals.sine(440, 4.0, RATE, 0.5);
        byte[] tonal = AudioEncoders.encodeAll(AudioFormat.FLAC, RATE, sine);
        assertTrue(tonal.length * 8 < 4 * sine.length, "a sine in under 4 bits a sample: " + tonal.length * 8.0 / sine.length);
        Set<Integer> kinds = FlacTestDecoder.decode(AudioEncoders.encodeAll(AudioFormat.FLAC, RATE, mixed())).frames().stream()
                .map(FlacTestDecoder.Frame::subframeType).collect(Collectors.toSet());
        assertTrue(kinds.contains(FlacTestDecoder.CONSTANT), "silence as CONSTANT: " + kinds);
        assertTrue(kinds.contains(FlacTestDecoder.VERBATIM), "full-scale noise as VERBATIM: " + kinds);
        assertTrue(kinds.stream().anyMatch(k -> k >= FlacTestDecoder.FIXED + 2), "speech with a fixed predictor: " + kinds);
    }

    @Test
    void streamedInOddChunksGivesTheSameFramesWithAnOpenEndedStreamInfo() {
        float[] x = mixed();
        byte[] whole = AudioEncoders.encodeAll(AudioFormat.FLAC, RATE, x);
        byte[] streamed = Signals.streamInChunks(AudioEncoders.streaming(AudioFormat.FLAC, RATE), x);
        FlacTestDecoder.Decoded d = FlacTestDecoder.decode(streamed);
        assertArrayEquals(Signals.pcm16(x), d.samples());
        assertEquals(0, d.info().totalSamples());
        assertArrayEquals(new byte[16], d.info().md5());
        assertEquals(0, d.info().minFrame());
        assertEquals(0, d.info().maxFrame());
        assertArrayEquals(Arrays.copyOfRange(whole, 42, whole.length), Arrays.copyOfRange(streamed, 42, streamed.length));
    }

    @Test
    void framesLeaveAsSoonAsTheirBlockIsFull() {
        AudioEncoder enc = AudioEncoders.streaming(AudioFormat.FLAC, RATE);
        float[] x = Signals.speechLike(1.0, RATE, 9);
        assertEquals(42, enc.encode(x, 0, 4095).length);                  // header only
        byte[] first = enc.encode(x, 4095, 1);
        assertEquals(0, FlacTestDecoder.decode(concat(header(), first)).frames().get(0).number());
        assertEquals(0, enc.encode(x, 4096, 100).length);
        byte[] last = enc.finish();                                       // the partial block
        List<FlacTestDecoder.Frame> frames = FlacTestDecoder.decode(concat(header(), first, last)).frames();
        assertEquals(List.of(4096, 100), frames.stream().map(FlacTestDecoder.Frame::blockSize).toList());
    }

    @Test
    void everyBlockLengthAndCommonRateRoundTrips() {
        for (int rate : new int[] {8000, 11025, 16000, 22050, 24000, 44100, 48000, 96000, 192000, 100000, 655350, 700001}) {
            for (int n : new int[] {0, 1, 2, 3, 4, 5, 17, 255, 256, 257, 4095, 4096, 4097, 8192, 8193}) {
                float[] x = Signals.concat(Signals.sine(1000, (double) n / rate, rate, 0.7));
                if (x.length != n) x = Arrays.copyOf(x, n);
                FlacTestDecoder.Decoded d = FlacTestDecoder.decode(AudioEncoders.encodeAll(AudioFormat.FLAC, rate, x));
                assertArrayEquals(Signals.pcm16(x), d.samples(), "rate " + rate + ", " + n + " samples");
                assertEquals(rate, d.info().sampleRate());
            }
        }
    }

    @Test
    void extremeSignalsRoundTrip() {
        int n = 3 * 4096 + 11;
        float[] square = new float[n];
        float[] impulses = new float[n];
        for (int i = 0; i < n; i++) {
            square[i] = (i / 3) % 2 == 0 ? 1f : -1f;     // the largest order-4 residuals 16-bit input can give
            impulses[i] = i % 997 == 0 ? 1f : 0f;        // long zero runs with outliers
        }
        for (float[] x : new float[][] {square, impulses, Signals.noise(n, 1.0, 10), new float[n]}) {
            assertArrayEquals(Signals.pcm16(x), FlacTestDecoder.decode(AudioEncoders.encodeAll(AudioFormat.FLAC, RATE, x)).samples());
        }
    }

    @Test
    void checksumsMatchTheSpecificationsPolynomials() {
        byte[] data = "123456789".getBytes();
        assertEquals(0xF4, FlacCrc.crc8(data, 0, data.length));          // CRC-8 (poly 0x07) check value
        assertEquals(0xFEE8, FlacCrc.crc16(data, 0, data.length));       // CRC-16/UMTS (poly 0x8005, init 0) check value
        byte[] random = Pcm16.toLittleEndian(Signals.noise(1000, 1, 11), 0, 1000);
        assertEquals(FlacTestDecoder.crc(random, 0, random.length, 8, 0x07), FlacCrc.crc8(random, 0, random.length));
        assertEquals(FlacTestDecoder.crc(random, 0, random.length, 16, 0x8005), FlacCrc.crc16(random, 0, random.length));
    }

    private static byte[] header() {
        return AudioEncoders.streaming(AudioFormat.FLAC, RATE).encode(new float[0], 0, 0);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[0];
        for (byte[] p : parts) out = StreamEncoder.concat(out, p);
        return out;
    }
}
