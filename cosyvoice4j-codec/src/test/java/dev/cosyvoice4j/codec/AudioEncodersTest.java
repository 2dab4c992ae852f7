package dev.cosyvoice4j.codec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioEncodersTest {
    static final String AAC_MESSAGE = "response_format aac is not supported by this server; supported: wav, pcm, flac, mp3, opus";

    @Test
    void everyFormatButAacIsSupported() {
        assertEquals(EnumSet.complementOf(EnumSet.of(AudioFormat.AAC)), AudioEncoders.supportedFormats());
        assertFalse(AudioEncoders.supported(AudioFormat.AAC));
        for (AudioFormat f : AudioEncoders.supportedFormats()) assertTrue(AudioEncoders.supported(f));
        assertThrows(UnsupportedOperationException.class, () -> AudioEncoders.supportedFormats().add(AudioFormat.AAC));
    }

    @Test
    void aacIsRefusedNamingTheSupportedFormats() {
        var e = assertThrows(UnsupportedOperationException.class, () -> AudioEncoders.streaming(AudioFormat.AAC, 24000));
        assertEquals(AAC_MESSAGE, e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, () -> AudioEncoders.encodeAll(AudioFormat.AAC, 24000, new float[10]));
        assertEquals(AAC_MESSAGE, e.getMessage());
    }

    @Test
    void opusRefusesRatesItCannotCode() {
        var e = assertThrows(IllegalArgumentException.class, () -> AudioEncoders.streaming(AudioFormat.OPUS, 22050));
        assertTrue(e.getMessage().contains("22050"), e.getMessage());
        for (int rate : new int[] {8000, 12000, 16000, 24000, 48000}) assertNotNull(AudioEncoders.streaming(AudioFormat.OPUS, rate));
    }

    @Test
    void nonPositiveRatesAreRejected() {
        for (AudioFormat f : AudioEncoders.supportedFormats()) {
            assertThrows(IllegalArgumentException.class, () -> AudioEncoders.streaming(f, 0));
            assertThrows(IllegalArgumentException.class, () -> AudioEncoders.encodeAll(f, -24000, new float[1]));
        }
    }

    @Test
    void encodersCheckBoundsAndRefuseUseAfterFinish() {
        for (AudioFormat f : AudioEncoders.supportedFormats()) {
            AudioEncoder enc = AudioEncoders.streaming(f, 24000);
            assertThrows(IndexOutOfBoundsException.class, () -> enc.encode(new float[10], 5, 6));
            assertNotNull(enc.encode(new float[10], 10, 0));
            assertNotNull(enc.finish());
            assertThrows(IllegalStateException.class, () -> enc.encode(new float[1], 0, 1));
            assertThrows(IllegalStateException.class, enc::finish);
        }
    }

    @Test
    void theFirstEncodeCallSendsTheHeaderEvenWithoutSamples() {
        assertEquals(44, AudioEncoders.streaming(AudioFormat.WAV, 24000).encode(new float[0], 0, 0).length);
        assertEquals(42, AudioEncoders.streaming(AudioFormat.FLAC, 24000).encode(new float[0], 0, 0).length);
        byte[] ogg = AudioEncoders.streaming(AudioFormat.OPUS, 24000).encode(new float[0], 0, 0);
        assertEquals(2, OggTestReader.read(ogg).pages().size());
        assertArrayEquals(new byte[0], AudioEncoders.streaming(AudioFormat.PCM, 24000).encode(new float[0], 0, 0));
    }

    @Test
    void encodersRunningInParallelDoNotShareState() throws Exception {
        float[] x = Signals.speechLike(1.5, 24000, 17);
        List<Callable<byte[]>> jobs = List.of(
                () -> AudioEncoders.encodeAll(AudioFormat.MP3, 24000, x),
                () -> AudioEncoders.encodeAll(AudioFormat.FLAC, 24000, x),
                () -> Signals.streamInChunks(new OggOpusEncoder(24000, 1), x));
        List<byte[]> expected = new ArrayList<>();
        for (Callable<byte[]> job : jobs) expected.add(job.call());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int round = 0; round < 2; round++) for (Callable<byte[]> job : jobs) results.add(pool.submit(job));
            for (int i = 0; i < results.size(); i++) assertArrayEquals(expected.get(i % jobs.size()), results.get(i).get(), "job " + i);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void emptyInputGivesAValidEmptyFile() {
        for (AudioFormat f : AudioEncoders.supportedFormats()) {
            byte[] whole = AudioEncoders.encodeAll(f, 24000, new float[0]);
            assertNotNull(whole);
        }
        assertEquals(0, FlacTestDecoder.decode(AudioEncoders.encodeAll(AudioFormat.FLAC, 24000, new float[0])).samples().length);
        assertEquals(44, AudioEncoders.encodeAll(AudioFormat.WAV, 24000, new float[0]).length);
    }
}
