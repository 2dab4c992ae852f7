package dev.cosyvoice4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.fuzz.Hostile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Fuzz target of the safetensors reader (header length, JSON header, offsets against the data section). */
class SafeTensorsFuzzTest {
    @FuzzTest
    void safetensors(byte[] file) throws Exception {
        Hostile.refusedOnlyWith(ModelFormatException.class,
                () -> SafeTensors.parse(Path.of("fuzz.safetensors"), MemorySegment.ofArray(file), Arena.global()));
    }
}
