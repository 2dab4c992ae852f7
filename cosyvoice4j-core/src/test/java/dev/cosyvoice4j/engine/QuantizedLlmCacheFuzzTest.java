package dev.cosyvoice4j.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.fuzz.Hostile;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target of the quantised-weight cache file as a load finds it: mapped, indexed and checksum-verified
 * ({@link QuantizedLlmCache#openVerified}); a bad file must be a one-line {@link ModelFormatException} (the engine
 * then rebuilds it). The input goes through a real file because the cache is memory-mapped.
 */
class QuantizedLlmCacheFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("cosyvoice4j-fuzz-", ".q8_0.pt");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void cacheFile(byte[] file) throws Exception {
        Files.write(FILE, file);
        Hostile.refusedOnlyWith(ModelFormatException.class, () -> {
            try (WeightStore ignored = QuantizedLlmCache.openVerified(FILE)) {
                // a valid cache: nothing more to check
            }
        });
    }
}
