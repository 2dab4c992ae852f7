package dev.cosyvoice4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.fuzz.Hostile;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Fuzz targets of the {@code .pt} reader: the whole archive (zip index, local headers, byteorder, data.pkl,
 * storage bounds) and the restricted unpickler alone (a zip mutation rarely reaches deep into the pickle). Both
 * must accept or refuse with a one-line {@link ModelFormatException}. Seeds and findings:
 * {@code src/test/resources/dev/cosyvoice4j/io/PtArchiveFuzzTestInputs/}; fuzzing: {@code scripts/fuzz}.
 */
class PtArchiveFuzzTest {
    private static final Path NAME = Path.of("fuzz.pt");

    @FuzzTest
    void ptArchive(byte[] file) throws Exception {
        Hostile.refusedOnlyWith(ModelFormatException.class, () -> PtArchive.index(NAME, MemorySegment.ofArray(file)));
    }

    @FuzzTest
    void unpickler(byte[] pickle) throws Exception {
        Hostile.refusedOnlyWith(ModelFormatException.class, () -> StateDictUnpickler.parse(NAME, pickle));
    }
}
