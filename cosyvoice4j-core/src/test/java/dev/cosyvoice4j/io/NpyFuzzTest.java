package dev.cosyvoice4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.fuzz.Hostile;

import java.nio.file.Path;

/** Fuzz target of the {@code .npy} reader (magic, header dict, shape against the file size). */
class NpyFuzzTest {
    @FuzzTest
    void npy(byte[] file) throws Exception {
        Hostile.refusedOnlyWith(ModelFormatException.class, () -> Npy.parse(Path.of("fuzz.npy"), file));
    }
}
