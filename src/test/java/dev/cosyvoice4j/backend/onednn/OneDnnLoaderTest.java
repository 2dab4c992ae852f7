package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.backend.cpu.ScalarKernels;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The library search: absent, unopenable and wrong libraries give the clear message, never a crash. */
class OneDnnLoaderTest {

    @Test
    void bogusPathGivesTheAbsentMessage() {
        OneDnn.LoadResult r = OneDnn.load(List.of("/nonexistent/dir/libdnnl.so.9"), null);
        assertTrue(r.library().isEmpty());
        assertTrue(r.message().startsWith(OneDnn.ABSENT), r.message());
        assertTrue(r.message().contains("/nonexistent/dir/libdnnl.so.9: no such file"), r.message());
    }

    @Test
    void unknownLibraryNameGivesTheAbsentMessage() {
        OneDnn.LoadResult r = OneDnn.load(List.of("libdnnl-that-does-not-exist.so.42"), null);
        assertTrue(r.library().isEmpty());
        assertTrue(r.message().startsWith(OneDnn.ABSENT), r.message());
        assertTrue(r.message().contains("cannot be opened"), r.message());
    }

    @Test
    void fileThatIsNotALibraryIsRejected() throws Exception {
        Path fake = Files.createTempFile("libdnnl-fake", ".so");
        try {
            Files.writeString(fake, "not an ELF file");
            OneDnn.LoadResult r = OneDnn.load(List.of(fake.toString()), null);
            assertTrue(r.library().isEmpty());
            assertTrue(r.message().startsWith(OneDnn.ABSENT), r.message());
            assertTrue(r.message().contains("not a shared library"), r.message());
        } finally {
            Files.delete(fake);
        }
    }

    @Test
    void libraryWithoutTheSymbolsIsRejectedWithoutCrashing() {
        // libm opens fine but has no dnnl_* symbols: the loader must say so and go on.
        assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"), "needs a Linux libm.so.6");
        OneDnn.LoadResult r = OneDnn.load(List.of("libm.so.6"), null);
        assertTrue(r.library().isEmpty());
        assertTrue(r.message().contains("libm.so.6: not a usable oneDNN"), r.message());
        assertTrue(r.message().contains("lacks dnnl_"), r.message());
    }

    @Test
    void bundledNativesAbsentFromTheClassPathAreReported() {
        OneDnn.LoadResult r = OneDnn.load(List.of(), new URLClassLoader(new URL[0], null));
        assertTrue(r.library().isEmpty());
        assertTrue(r.message().startsWith(OneDnn.ABSENT), r.message());
        assertTrue(r.message().contains("not on the class path"), r.message());
    }

    @Test
    void bundledNativesLoadWhenTheirJarIsOnTheClassPath() {
        ClassLoader cl = OneDnnLoaderTest.class.getClassLoader();
        assumeTrue(cl.getResource(OneDnn.BUNDLED_DIR + "libdnnl.so.3") != null,
                "org.bytedeco:dnnl:*:linux-x86_64 is not a dependency");
        OneDnn.LoadResult r = OneDnn.load(List.of(), cl);
        assertTrue(r.library().isPresent(), r.message());
        assertEquals(3, r.library().get().majorVersion());
    }

    @Test
    void absentLibraryKeepsTheJavaKernelsAndSaysSo() {
        Kernels scalar = new ScalarKernels();
        List<String> log = new ArrayList<>();
        OneDnn.LoadResult absent = OneDnn.load(List.of("/nonexistent/libdnnl.so"), null);
        assertSame(scalar, OneDnnKernels.wrap(scalar, "onednn-bf16", absent, log::add));
        assertEquals(1, log.size());
        assertTrue(log.getFirst().startsWith(OneDnn.ABSENT), log.getFirst());
    }

    @Test
    void javaModeNeverLoadsTheLibrary() {
        Kernels scalar = new ScalarKernels();
        List<String> log = new ArrayList<>();
        assertSame(scalar, OneDnnKernels.wrap(scalar, "java", log::add));
        assertTrue(log.isEmpty());
    }

    @Test
    void unknownModeIsAnArgumentError() {
        var e = assertThrows(IllegalArgumentException.class, () -> OneDnnKernels.parseMode("cuda"));
        assertTrue(e.getMessage().contains("unknown matmul backend 'cuda'"), e.getMessage());
        assertEquals(Precision.BF16, OneDnnKernels.parseMode("onednn-bf16").orElseThrow());
        assertEquals(Precision.F32, OneDnnKernels.parseMode("ONEDNN-F32").orElseThrow());
        assertFalse(OneDnnKernels.parseMode("java").isPresent());
    }

    @Test
    void installedLibraryLoads() {
        OneDnn lib = OneDnnTestSupport.library();
        OneDnn.LoadResult r = OneDnn.loadDefault();
        System.out.println(r.message() + " (" + lib.cpuRuntime() + ")");
        assertTrue(lib.majorVersion() == 2 || lib.majorVersion() == 3, lib.toString());
        List<String> log = new ArrayList<>();
        assertInstanceOf(OneDnnKernels.class, OneDnnKernels.wrap(new ScalarKernels(), "onednn-bf16", r, log::add));
        assertTrue(log.getFirst().startsWith("oneDNN " + lib.version()), log.getFirst());
    }
}
