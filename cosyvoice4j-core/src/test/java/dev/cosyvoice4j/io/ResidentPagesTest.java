package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dropping converted float32 weights from the resident set: the data stays readable, other memory is refused. */
class ResidentPagesTest {
    @TempDir Path tmp;

    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

    private Path checkpoint(int n) throws Exception {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = i * 0.25f - 7f;
        Path file = tmp.resolve("w.pt");
        PtWriter.write(file, List.of(PtWriter.Entry.of("big.weight", Tensor.of(w, 256, n / 256)),
                PtWriter.Entry.of("small.bias", Tensor.of(new float[] {1f, 2f}, 2))));
        return file;
    }

    /** Resident kB of the mapping of {@code file} (Linux /proc/self/smaps). */
    private static long residentKb(Path file) throws Exception {
        String name = file.toRealPath().toString();
        boolean in = false;
        long kb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) in = line.endsWith(name);
            else if (in && line.startsWith("Rss:")) kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return kb;
    }

    @Test
    void releasedWeightsReadTheSameAndLeaveTheResidentSet() throws Exception {
        Path file = checkpoint(1 << 20);                                   // 4 MB of float32
        try (WeightStore store = WeightStore.openPt(file)) {
            Tensor t = store.take("big.weight", 256, 4096);
            float[] before = t.toFloatArray();                             // touches every page
            long residentBefore = LINUX ? residentKb(file) : 0;
            assertEquals(LINUX, store.releaseResident(t));
            assertArrayEquals(before, t.toFloatArray(), "pages come back from the file unchanged");
            if (LINUX) {
                long residentAfterRead = residentKb(file);
                assertTrue(store.releaseResident(t));
                long residentAfter = residentKb(file);
                assertTrue(residentBefore >= 4000 && residentAfterRead >= 4000, residentBefore + " / " + residentAfterRead + " kB");
                assertTrue(residentAfter < residentBefore - 3900, "resident " + residentBefore + " -> " + residentAfter + " kB");
            }
        }
    }

    @Test
    void replacingReleasesOnlyWhatTheTransformReplaced() throws Exception {
        Path file = checkpoint(1 << 20);
        try (WeightStore store = WeightStore.openPt(file)) {
            WeightStore view = store.replacing((name, t) -> name.endsWith(".weight") ? Tensor.of(t.toFloatArray(), t.shape()) : t);
            Tensor copy = view.take("big.weight", 256, 4096);
            Tensor bias = view.take("small.bias", 2);
            assertNotSame(store.takeAnyShape("big.weight"), copy);
            assertArrayEquals(new float[] {1f, 2f}, bias.toFloatArray());
            assertEquals(-7f, copy.getFloat(0));
            if (LINUX) assertTrue(residentKb(file) < 200, "the replaced weight's pages were dropped: " + residentKb(file) + " kB");
            assertArrayEquals(copy.toFloatArray(), store.takeAnyShape("big.weight").toFloatArray());
        }
    }

    @Test
    void memoryOutsideTheMappingIsNeverTouched() throws Exception {
        Path file = checkpoint(1 << 16);
        try (WeightStore store = WeightStore.openPt(file)) {
            float[] values = new float[4096];
            java.util.Arrays.fill(values, 3f);
            Tensor anonymous = Tensor.of(values, 4096);                     // native copy: DONTNEED would zero it
            assertFalse(store.releaseResident(anonymous));
            assertArrayEquals(values, anonymous.toFloatArray());
            WeightStore plain = new WeightStore(file, java.util.Map.of("x", anonymous), null);
            assertFalse(plain.releaseResident(anonymous), "a store without a mapping releases nothing");
            assertEquals(DType.F32, anonymous.dtype());
        }
    }
}
