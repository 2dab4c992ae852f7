package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileSelectionTest {
    @Test
    void starStaysInOneFolderAndDoubleStarCrossesThem() {
        FileSelection s = new FileSelection(List.of("*.pt", "BlankEN/**"), List.of("BlankEN/*.safetensors"));
        assertTrue(s.matches("llm.pt"));
        assertFalse(s.matches("sub/llm.pt"));
        assertTrue(s.matches("BlankEN/vocab.json"));
        assertTrue(s.matches("BlankEN/a/b.txt"));
        assertFalse(s.matches("BlankEN/model.safetensors"));
        assertFalse(s.matches("llm.pt.bak"));
        assertTrue(FileSelection.ALL.matches("any/where/file.bin"));
    }
}
