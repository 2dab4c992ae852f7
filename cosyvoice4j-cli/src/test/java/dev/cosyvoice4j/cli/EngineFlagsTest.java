package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.backend.Precision;
import org.junit.jupiter.api.Test;
import dev.cosyvoice4j.engine.FirstChunk;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The engine flags as engine options: the prefill precision follows the mode unless set. */
class EngineFlagsTest {
    @Command
    static final class Probe {
        @Mixin EngineFlags flags;
    }

    private static Precision prefill(String... args) { return options(args).llmPrefillPrecision(); }

    @Test
    void prefillPrecisionIsBf16ExactlyForAQuantisedLlmWithABf16FlowUnlessSet() {
        assertEquals(Precision.BF16, prefill("--llm-precision", "q8_0", "--flow-precision", "bf16"));
        assertEquals(Precision.BF16, prefill("--llm-precision", "q4_0", "--flow-precision", "bf16"));
        assertEquals(Precision.F32, prefill("--llm-precision", "q8_0"));
        assertEquals(Precision.F32, prefill("--flow-precision", "bf16"));
        assertEquals(Precision.F32, prefill("--llm-precision", "q8_0", "--flow-precision", "bf16", "--prefill-precision", "f32"));
        assertEquals(Precision.BF16, prefill("--prefill-precision", "bf16"));
        UserException e = assertThrows(UserException.class, () -> prefill("--prefill-precision", "q8_0"));
        assertEquals("--prefill-precision: auto, f32 or bf16", e.getMessage());
        assertThrows(UserException.class, () -> prefill("--prefill-precision", "int8"));
    }

    @Test
    void prefillWeightsAreAPackedCopyUnlessBlocksAreAsked() {
        assertEquals(true, backendOptions().quantizedBf16Copies());
        assertEquals(true, backendOptions("--prefill-weights", "copy").quantizedBf16Copies());
        assertEquals(false, backendOptions("--prefill-weights", "blocks").quantizedBf16Copies());
        UserException e = assertThrows(UserException.class, () -> backendOptions("--prefill-weights", "bf16"));
        assertEquals("--prefill-weights: copy or blocks, not 'bf16'", e.getMessage());
    }

    private static dev.cosyvoice4j.backend.BackendOptions backendOptions(String... args) { return options(args).backendOptions(); }

    private static dev.cosyvoice4j.engine.EngineOptions options(String... args) {
        Probe p = new Probe();
        new CommandLine(p).parseArgs(args);
        return p.flags.options();
    }

    @Test
    void firstChunkIsAutoUnlessAskedAndSplitNeedsTheCaches() {
        assertEquals(FirstChunk.AUTO, streaming().firstChunk());
        assertEquals(FirstChunk.OFFICIAL, streaming("--first-chunk", "official").firstChunk());
        assertEquals(FirstChunk.SPLIT, streaming("--first-chunk", "split").firstChunk());
        assertEquals(FirstChunk.SPLIT, streaming("--first-chunk", "split", "--stream-cache", "causal").firstChunk());
        assertEquals(FirstChunk.OFFICIAL, streaming("--stream-cache", "off").effectiveFirstChunk());
        UserException off = assertThrows(UserException.class, () -> streaming("--first-chunk", "split", "--stream-cache", "off"));
        assertEquals("--first-chunk split: needs --stream-cache on or causal (the DiT caches)", off.getMessage());
        UserException bad = assertThrows(UserException.class, () -> streaming("--first-chunk", "early"));
        assertEquals("--first-chunk: auto, official or split, not 'early'", bad.getMessage());
    }

    private static dev.cosyvoice4j.engine.StreamingOptions streaming(String... args) { return options(args).streaming(); }
}
