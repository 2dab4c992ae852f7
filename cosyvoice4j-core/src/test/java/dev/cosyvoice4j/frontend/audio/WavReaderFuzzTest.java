package dev.cosyvoice4j.frontend.audio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.fuzz.Hostile;
import dev.cosyvoice4j.io.ModelFormatException;

/**
 * Fuzz target of the WAV reader on an upload held in memory, with the prompt limit of 30 s: a WAV is decoded,
 * refused as too long ({@link AudioTooLongException}) or refused as malformed ({@link AudioFormatException}).
 */
class WavReaderFuzzTest {
    @FuzzTest
    void wav(byte[] file) throws Exception {
        Hostile.refusedOnlyWith(AudioFormatException.class, () -> {
            try {
                WavReader.read(file, "fuzz.wav", 30, "fuzz");
            } catch (AudioTooLongException | ModelFormatException e) {
                Hostile.requireOneLine(e);
                return;
            }
        });
    }
}
