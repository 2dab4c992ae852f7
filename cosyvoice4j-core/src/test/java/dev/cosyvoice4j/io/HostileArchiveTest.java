package dev.cosyvoice4j.io;

import dev.cosyvoice4j.io.PtArchiveTest.Pickle;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.cosyvoice4j.io.PtArchiveTest.assertOneLine;
import static dev.cosyvoice4j.io.PtArchiveTest.stateDict;
import static dev.cosyvoice4j.io.PtArchiveTest.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-made hostile {@code .pt} files (issue "Hostile input and long runs"): each is refused with one line naming
 * the file and the problem, before anything is allocated from a size the file declares.
 */
class HostileArchiveTest {
    @TempDir Path tmp;

    private Path archive(String name, byte[] pickle) throws IOException {
        return zip(tmp.resolve(name + ".pt"), false, Map.of(name + "/data.pkl", pickle));
    }

    private void refused(Path file, String fragment) {
        assertOneLine(assertThrows(ModelFormatException.class, () -> PtArchive.open(file)), file.getFileName().toString(), fragment);
    }

    @Test
    void aPickleCallingPosixSystemIsRefusedByName() throws IOException {
        // protocol 4 STACK_GLOBAL, the form pickle.dumps uses for os.system on Linux
        Pickle p = new Pickle().op(0x80).op(4).str("posix").str("system").op(0x93).str("touch /tmp/pwned").op(0x85).op('R').op('.');
        refused(archive("posix", p.bytes()), "'posix.system'");
        Pickle eval = new Pickle().proto().global("builtins", "eval").str("__import__('os')").op(0x85).op('R').op('.');
        refused(archive("eval", eval.bytes()), "'builtins.eval'");
        Pickle torchLoad = new Pickle().proto().global("torch", "load").str("x").op(0x85).op('R').op('.');
        refused(archive("torchload", torchLoad.bytes()), "'torch.load'");
    }

    @Test
    void aNestedTupleAsDictKeyIsRefusedWithoutDeepHashing() throws IOException {
        Pickle p = new Pickle().proto().op('}').op(')');
        for (int i = 0; i < 200_000; i++) p.op(0x85);       // TUPLE1 200k deep: hashing it would overflow the stack
        p.integer(1).op('s').op('.');
        refused(archive("deep", p.bytes()), "is not a string or an integer");
    }

    @Test
    void aPickleOfMarksAloneHitsTheValueLimit() throws IOException {
        byte[] marks = new byte[StateDictUnpickler.MAX_PUSHES + 3];
        java.util.Arrays.fill(marks, (byte) '(');
        marks[0] = (byte) 0x80;
        marks[1] = 2;
        refused(archive("marks", marks), "too large for a state_dict");
    }

    @Test
    void overlappingZipRecordsAreRefused() throws IOException {
        Path ok = zip(tmp.resolve("overlap.pt"), false, Map.of(
                "overlap/data.pkl", stateDict("w", 4, new long[]{4}, new long[]{1}).bytes(),
                "overlap/data/0", new byte[16]));
        byte[] b = Files.readAllBytes(ok);
        // point the second central-directory entry's local header offset at the first record
        ByteBuffer z = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int cen = lastIndexOf(b, new byte[]{0x50, 0x4b, 0x01, 0x02});
        z.putInt(cen + 42, 0);
        Path bad = tmp.resolve("overlap2.pt");
        Files.write(bad, b);
        refused(bad, "overlap");
    }

    @Test
    void aLocalHeaderThatLiesAboutTheSizeIsRefused() throws IOException {
        Path ok = zip(tmp.resolve("lie.pt"), false, Map.of(
                "lie/data.pkl", stateDict("w", 4, new long[]{4}, new long[]{1}).bytes(),
                "lie/data/0", new byte[16]));
        byte[] b = Files.readAllBytes(ok);
        int loc = lastIndexOf(b, "lie/data/0".getBytes(StandardCharsets.US_ASCII));
        loc = lastIndexOf(java.util.Arrays.copyOf(b, loc), new byte[]{0x50, 0x4b, 0x03, 0x04});
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(loc + 18, 1 << 30).putInt(loc + 22, 1 << 30);
        Path bad = tmp.resolve("lie2.pt");
        Files.write(bad, b);
        refused(bad, "local header says");
    }

    @Test
    void aStorageShorterThanItsShapeIsRefused() throws IOException {
        // the view [1000, 1000] of a storage that declares (and holds) 4 floats
        Path bad = zip(tmp.resolve("short.pt"), false, Map.of(
                "short/data.pkl", stateDict("w", 4, new long[]{1000, 1000}, new long[]{1000, 1}).bytes(),
                "short/data/0", new byte[16]));
        refused(bad, "runs past its storage");
        // a storage declaring 2^40 elements in a 16-byte record: refused, nothing allocated
        Path huge = zip(tmp.resolve("huge.pt"), false, Map.of(
                "huge/data.pkl", stateDict("w", 1L << 40, new long[]{4}, new long[]{1}).bytes(),
                "huge/data/0", new byte[16]));
        refused(huge, "holds only 16 bytes");
    }

    /** Documented behaviour: readers keep NaN and Inf bit-exact (they judge structure, not values); see docs/fuzzing.md. */
    @Test
    void nanAndInfinityInWeightsAreReadAsStored() throws Exception {
        byte[] data = new byte[16];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(0, Float.NaN).putFloat(4, Float.POSITIVE_INFINITY).putFloat(8, Float.NEGATIVE_INFINITY).putFloat(12, 1f);
        Path f = zip(tmp.resolve("nan.pt"), false, Map.of(
                "nan/data.pkl", stateDict("w", 4, new long[]{4}, new long[]{1}).bytes(), "nan/data/0", data));
        try (PtArchive a = PtArchive.open(f)) {
            Tensor w = a.tensors().get("w");
            assertTrue(Float.isNaN(w.getFloat(0)));
            assertEquals(Float.POSITIVE_INFINITY, w.getFloat(1));
            assertEquals(Float.NEGATIVE_INFINITY, w.getFloat(2));
        }
    }

    @Test
    void controlCharactersInAQuotedNameStayOnOneLine() {
        var e = new ModelFormatException(Path.of("x.pt"), "entry 'a\nb\r\u0085c' is bad");
        assertEquals("x.pt: entry 'a\\x0ab\\x0d\\x85c' is bad", e.getMessage());
        assertTrue(new ModelFormatException("y".repeat(5000)).getMessage().length() <= ModelFormatException.MAX_MESSAGE_CHARS + 3);
    }

    private static int lastIndexOf(byte[] b, byte[] pattern) {
        outer:
        for (int i = b.length - pattern.length; i >= 0; i--) {
            for (int j = 0; j < pattern.length; j++) if (b[i + j] != pattern[j]) continue outer;
            return i;
        }
        throw new AssertionError("pattern not found");
    }
}
