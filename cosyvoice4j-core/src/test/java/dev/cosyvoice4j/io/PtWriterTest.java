package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.*;

class PtWriterTest {
    @TempDir Path tmp;

    static List<PtWriter.Entry> sample() {
        float[] w = new float[6 * 5];
        for (int i = 0; i < w.length; i++) w[i] = i * 0.5f - 3;
        List<PtWriter.Entry> es = new ArrayList<>();
        es.add(PtWriter.Entry.of("embed.weight", Tensor.of(w, 6, 5)));
        es.add(PtWriter.Entry.of("scalar", Tensor.of(new float[]{7f})));
        es.add(PtWriter.Entry.of("ids", Tensor.ofLongs(new long[]{1, -2, 1L << 40}, 3)));
        es.add(PtWriter.Entry.tied("head.weight", "embed.weight", DType.F32, new long[]{6, 5}));
        // a streamed source: bytes are produced on the fly, never held as one array
        es.add(new PtWriter.Entry("streamed", DType.F32, new long[]{70000}, out -> {
            ByteBuffer b = ByteBuffer.allocate(4000).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 70000; i++) {
                b.putFloat(i);
                if (!b.hasRemaining()) { b.flip(); while (b.hasRemaining()) out.write(b); b.clear(); }
            }
            b.flip();
            while (b.hasRemaining()) out.write(b);
        }));
        es.add(PtWriter.Entry.of("empty", Tensor.of(new float[0], 0, 4)));
        return es;
    }

    @Test
    void roundTripsThroughPtArchive() throws Exception {
        Path f = tmp.resolve("model.pt");
        PtWriter.write(f, sample());
        check(f);
        try (ZipFile z = new ZipFile(f.toFile())) { // a valid zip for other readers too (CRCs checked on read)
            assertNotNull(z.getEntry("model/data.pkl"));
            assertNotNull(z.getEntry("model/version"));
            assertEquals(5, z.stream().filter(e -> e.getName().startsWith("model/data/")).count());
            z.stream().forEach(e -> assertDoesNotThrow(() -> z.getInputStream(e).readAllBytes()));
        }
        assertEquals(List.of("model.pt"), Files.list(tmp).map(p -> p.getFileName().toString()).toList(), "no temp left");
    }

    @Test
    void zip64RecordsRoundTrip() throws Exception {
        Path f = tmp.resolve("big.pt");
        PtWriter.write(f, sample(), 0); // every size and offset written as ZIP64
        check(f);
        try (ZipFile z = new ZipFile(f.toFile())) {
            z.stream().forEach(e -> assertDoesNotThrow(() -> z.getInputStream(e).readAllBytes()));
        }
    }

    @Test
    void sourceWritingTheWrongSizeFails() {
        var e = new PtWriter.Entry("w", DType.F32, new long[]{4}, out -> out.write(ByteBuffer.allocate(8)));
        assertThrows(java.io.IOException.class, () -> PtWriter.write(tmp.resolve("bad.pt"), List.of(e)));
        assertFalse(Files.exists(tmp.resolve("bad.pt")));
    }

    private static void check(Path f) {
        try (PtArchive a = PtArchive.open(f)) {
            Map<String, Tensor> t = a.tensors();
            assertEquals(List.of("embed.weight", "scalar", "ids", "head.weight", "streamed", "empty"), List.copyOf(t.keySet()));
            assertEquals(-3f, t.get("embed.weight").getFloat(0));
            assertEquals(11.5f, t.get("embed.weight").getFloat(29));
            assertEquals(0, t.get("embed.weight").data().address() % 64, "64-byte aligned records");
            assertEquals(t.get("embed.weight").data().address(), t.get("head.weight").data().address());
            assertEquals(0, t.get("scalar").rank());
            assertEquals(7f, t.get("scalar").getFloat(0));
            assertArrayEquals(new long[]{1, -2, 1L << 40}, t.get("ids").toLongArray());
            assertEquals(DType.I64, t.get("ids").dtype());
            assertEquals(69999f, t.get("streamed").getFloat(69999));
            assertArrayEquals(new long[]{0, 4}, t.get("empty").shape());
        }
    }
}
