package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class PtArchiveTest {
    static final Path TINY = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");

    @TempDir Path tmp;

    @Test
    void readsTheThreeFixtureCheckpoints() throws Exception {
        try (PtArchive llm = PtArchive.open(TINY.resolve("llm.pt"));
             PtArchive flow = PtArchive.open(TINY.resolve("flow.pt"));
             PtArchive hift = PtArchive.open(TINY.resolve("hift.pt"))) {
            assertEquals(29, llm.tensors().size());
            assertEquals(50, flow.tensors().size());
            assertEquals(328, hift.tensors().size());
            Tensor embed = llm.tensors().get("llm.model.model.embed_tokens.weight");
            assertArrayEquals(new long[]{151936, 56}, embed.shape());
            assertEquals(DType.F32, embed.dtype());
            assertEquals("llm.model.model.embed_tokens.weight", llm.tensors().keySet().iterator().next(), "file order");
            // lm_head is tied to embed_tokens: one storage, two views of the same bytes.
            Tensor head = llm.tensors().get("llm.model.lm_head.weight");
            assertEquals(embed.data().address(), head.data().address());
            Tensor v = hift.tensors().get("conv_pre.parametrizations.weight.original1");
            Tensor g = hift.tensors().get("conv_pre.parametrizations.weight.original0");
            assertEquals(3, v.rank());
            assertArrayEquals(new long[]{v.shape()[0], 1, 1}, g.shape());
            assertTrue(flow.tensors().containsKey("decoder.estimator.rotary_embed.inv_freq"));
            // inv_freq[0] = 1 / 10000^0 = 1: checks data offsets and byte order.
            assertEquals(1.0f, flow.tensors().get("decoder.estimator.rotary_embed.inv_freq").getFloat(0));
        }
    }

    @Test
    void weightStoreWorksOnFixture() throws Exception {
        try (WeightStore w = WeightStore.openPt(TINY.resolve("hift.pt"))) {
            Tensor b = w.take("conv_pre.bias", 32);
            assertEquals(32, b.numel());
            var e = assertThrows(ModelFormatException.class, () -> w.take("no.such.weight", 3));
            assertOneLine(e, "hift.pt", "missing tensor 'no.such.weight'");
            e = assertThrows(ModelFormatException.class, () -> w.take("conv_pre.bias", 33));
            assertOneLine(e, "hift.pt", "shape mismatch for 'conv_pre.bias'");
        }
    }

    @Test
    void truncatedFileIsReported() throws IOException {
        byte[] all = Files.readAllBytes(TINY.resolve("hift.pt"));
        Path bad = tmp.resolve("hift.pt");
        Files.write(bad, java.util.Arrays.copyOf(all, all.length / 2));
        var e = assertThrows(ModelFormatException.class, () -> PtArchive.open(bad));
        assertOneLine(e, "hift.pt", "truncated");
        Files.write(bad, new byte[0]);
        assertOneLine(assertThrows(ModelFormatException.class, () -> PtArchive.open(bad)), "hift.pt", "truncated");
    }

    @Test
    void unexpectedGlobalIsRefused() throws IOException {
        Pickle p = new Pickle().proto().global("os", "system").str("echo pwned").op(0x85).op('R').op('.');
        Path bad = zip(tmp.resolve("evil.pt"), false, Map.of("evil/data.pkl", p.bytes()));
        var e = assertThrows(ModelFormatException.class, () -> PtArchive.open(bad));
        assertOneLine(e, "evil.pt", "os.system");
    }

    @Test
    void tensorRunningPastItsRecordIsReported() throws IOException {
        // storage of 10 floats declared, record holds 4 floats
        Path bad = zip(tmp.resolve("big.pt"), false, Map.of(
                "big/data.pkl", stateDict("w", 10, new long[]{10}, new long[]{1}).bytes(),
                "big/data/0", new byte[16]));
        assertOneLine(assertThrows(ModelFormatException.class, () -> PtArchive.open(bad)), "big.pt", "'big/data/0'");
        // storage numel fits, but the view (offset + size) does not
        Path bad2 = zip(tmp.resolve("view.pt"), false, Map.of(
                "view/data.pkl", stateDict("w", 4, new long[]{5}, new long[]{1}).bytes(),
                "view/data/0", new byte[16]));
        assertOneLine(assertThrows(ModelFormatException.class, () -> PtArchive.open(bad2)), "view.pt", "runs past");
    }

    @Test
    void handMadeArchiveWithDifferentTopFolderLoads() throws Exception {
        byte[] data = new byte[24];
        java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0, 1.5f).putFloat(20, -2f);
        Path ok = zip(tmp.resolve("renamed.pt"), false, Map.of(
                "archive/data.pkl", stateDict("w", 6, new long[]{2, 3}, new long[]{3, 1}).bytes(),
                "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII),
                "archive/data/0", data));
        try (PtArchive a = PtArchive.open(ok)) {
            Tensor w = a.tensors().get("w");
            assertArrayEquals(new long[]{2, 3}, w.shape());
            assertEquals(1.5f, w.getFloat(0));
            assertEquals(-2f, w.getFloat(5));
        }
    }

    @Test
    void nonContiguousTensorIsReported() throws IOException {
        Path bad = zip(tmp.resolve("t.pt"), false, Map.of(
                "t/data.pkl", stateDict("w", 6, new long[]{2, 3}, new long[]{1, 2}).bytes(),
                "t/data/0", new byte[24]));
        assertOneLine(assertThrows(ModelFormatException.class, () -> PtArchive.open(bad)), "t.pt", "not contiguous");
    }

    @Test
    void deflatedRecordIsReported() throws IOException {
        Path bad = zip(tmp.resolve("z.pt"), true, Map.of(
                "z/data.pkl", stateDict("w", 4, new long[]{4}, new long[]{1}).bytes(),
                "z/data/0", new byte[16]));
        assertOneLine(assertThrows(ModelFormatException.class, () -> PtArchive.open(bad)), "z.pt", "compressed");
    }

    static void assertOneLine(Exception e, String file, String fragment) {
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains(file), m);
        assertTrue(m.contains(fragment), m);
    }

    /** A zip with the records in the given order, all STORED (or all DEFLATED). */
    static Path zip(Path file, boolean deflate, Map<String, byte[]> records) throws IOException {
        List<String> names = new ArrayList<>(records.keySet());
        names.sort((a, b) -> Boolean.compare(!a.endsWith("data.pkl"), !b.endsWith("data.pkl")));
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            for (String n : names) {
                byte[] b = records.get(n);
                ZipEntry e = new ZipEntry(n);
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(b);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(b.length);
                    e.setCompressedSize(b.length);
                    e.setCrc(crc.getValue());
                } else {
                    e.setMethod(ZipEntry.DEFLATED);
                }
                z.putNextEntry(e);
                z.write(b);
                z.closeEntry();
            }
        }
        return file;
    }

    /** OrderedDict {name: _rebuild_tensor_v2(FloatStorage '0' of numel, 0, size, stride, False, OrderedDict())}. */
    static Pickle stateDict(String name, long numel, long[] size, long[] stride) {
        Pickle p = new Pickle().proto().global("collections", "OrderedDict").op(')').op('R');
        p.str(name).global("torch._utils", "_rebuild_tensor_v2").op('(');
        p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(numel).op('t').op('Q');
        p.integer(0).tuple(size).tuple(stride).op(0x89).global("collections", "OrderedDict").op(')').op('R');
        p.op('t').op('R').op('s');
        return p.op('.');
    }

    /** A minimal pickle writer for hand-made test archives. */
    static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int op) { out.write(op); return this; }
        Pickle proto() { return op(0x80).op(2); }
        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }
        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            for (int i = 0; i < 4; i++) out.write((b.length >>> (8 * i)) & 0xff);
            out.writeBytes(b);
            return this;
        }
        Pickle integer(long v) {
            if (v != (int) v) { // LONG1 of 8 bytes
                op(0x8a).op(8);
                for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)) & 0xff);
                return this;
            }
            op('J');
            for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)) & 0xff);
            return this;
        }
        Pickle tuple(long[] vs) {
            op('(');
            for (long v : vs) integer(v);
            return op('t');
        }
        byte[] bytes() { return out.toByteArray(); }
    }
}
