package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void installedLibraryLoads() {
        OneDnn lib = OneDnnTestSupport.library();
        OneDnn.LoadResult r = OneDnn.loadDefault();
        System.out.println(r.message() + " (" + lib.cpuRuntime() + ")");
        assertTrue(lib.majorVersion() == 2 || lib.majorVersion() == 3, lib.toString());
        try (CpuBackend cpu = new CpuBackend(BackendOptions.defaults().withThreads(1))) {
            assertTrue(cpu.supports(dev.cosyvoice4j.backend.Precision.BF16), "the cpu backend offers bf16 with oneDNN");
            assertTrue(cpu.description().contains("oneDNN " + lib.version()), cpu.description());
        }
    }
}
