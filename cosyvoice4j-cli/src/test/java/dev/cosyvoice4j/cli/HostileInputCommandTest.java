package dev.cosyvoice4j.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance check: a hostile model directory (a pickle calling {@code posix.system}, a tensor whose
 * storage is too short, a YAML python tag) and a WAV declaring 2 GB of data each give one {@code error:} line and
 * a non-zero exit from {@code info}, {@code synth} and {@code verify}: no stack trace, no hang, no OOM.
 */
class HostileInputCommandTest {
    static final Path TINY = Path.of("src/test/resources/fixtures/cosyvoice3-tiny");
    static final String GOLDEN = "src/test/resources/fixtures/golden";

    @TempDir static Path tmp;
    static Path posixPickle, shortStorage, pythonTag, hugeWav;

    @BeforeAll
    static void makeHostileFiles() throws IOException {
        posixPickle = modelWith("posix", "llm.pt", archive("archive", new Pickle().op(0x80).op(4).str("posix").str("system")
                .op(0x93).str("touch " + tmp.resolve("pwned")).op(0x85).op('R').op('.').bytes(), new byte[0]));
        shortStorage = modelWith("short", "flow.pt", archive("archive", shortTensorPickle(), new byte[16]));
        String yaml = Files.readString(TINY.resolve("cosyvoice3.yaml"));
        pythonTag = modelWith("tag", "cosyvoice3.yaml", ("evil: !!python/object/apply:os.system [\"touch "
                + tmp.resolve("pwned") + "\"]\n" + yaml).getBytes(StandardCharsets.UTF_8));
        ByteBuffer w = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN);
        w.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(0x7fff_fff0 + 36).put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII));
        w.putInt(16).putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16);
        w.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(0x7fff_fff0);
        hugeWav = tmp.resolve("two-gigabytes.wav");
        Files.write(hugeWav, w.array());
    }

    /** The fixture model with {@code file} replaced (every other file a symbolic link to the fixture's). */
    private static Path modelWith(String name, String file, byte[] content) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(TINY)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(file)) Files.createSymbolicLink(dir.resolve(f.getFileName()), f.toAbsolutePath());
            }
        }
        Files.write(dir.resolve(file), content);
        return dir;
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static void oneClearLine(Result r, String... fragments) {
        String err = r.err().strip();
        assertEquals(1, r.exit(), err);
        assertEquals(1, err.lines().count(), "exactly one line on stderr: " + err + " / stdout: " + r.out());
        assertTrue(err.startsWith("error: "), err);
        assertFalse(err.contains("\tat ") || err.contains("Exception in"), err);
        for (String f : fragments) assertTrue(err.contains(f), "'" + f + "' in: " + err);
        assertFalse(Files.exists(tmp.resolve("pwned")), "nothing in the model directory was executed");
    }

    private static Result synth(Path model, Path wav) {
        return run("synth", "-q", "--model", model.toString(), "--prompt-wav", wav.toString(), "--text", "Hello.",
                "--tokens", "4", "--out", tmp.resolve("out.wav").toString());
    }

    @Test
    void aPickleCallingPosixSystemIsOneLine() {
        Path wav = Path.of(GOLDEN, "inputs/zero_shot_prompt.wav");
        oneClearLine(run("info", posixPickle.toString()), "llm.pt", "posix.system");
        oneClearLine(synth(posixPickle, wav), "llm.pt", "posix.system");
        oneClearLine(run("verify", "--golden", GOLDEN, "--model", posixPickle.toString(), "--stage", "llm"), "llm.pt", "posix.system");
    }

    @Test
    void aTensorLongerThanItsStorageIsOneLine() {
        Path wav = Path.of(GOLDEN, "inputs/zero_shot_prompt.wav");
        oneClearLine(run("info", shortStorage.toString()), "flow.pt", "runs past its storage");
        oneClearLine(synth(shortStorage, wav), "flow.pt", "runs past its storage");
        oneClearLine(run("verify", "--golden", GOLDEN, "--model", shortStorage.toString(), "--stage", "flow"), "flow.pt", "runs past its storage");
    }

    @Test
    void aYamlPythonTagIsOneLine() {
        Path wav = Path.of(GOLDEN, "inputs/zero_shot_prompt.wav");
        oneClearLine(run("info", pythonTag.toString()), "cosyvoice3.yaml", "!!python/object/apply:os.system");
        oneClearLine(synth(pythonTag, wav), "cosyvoice3.yaml", "!!python/object/apply:os.system");
        oneClearLine(run("verify", "--golden", GOLDEN, "--model", pythonTag.toString(), "--stage", "flow"), "cosyvoice3.yaml", "!!python");
    }

    @Test
    void aWavDeclaringTwoGigabytesIsOneLine() {
        oneClearLine(synth(TINY, hugeWav), "two-gigabytes.wav");
    }

    @Test
    void anUnexpectedFailureIsOneLineUnlessAStackTraceIsAsked() {
        Result plain = run("info", "--stacktrace", posixPickle.toString());
        assertEquals(1, plain.exit());
        assertTrue(plain.err().contains("\tat "), "--stacktrace prints the trace: " + plain.err());
    }

    // ---- a minimal torch.save archive writer (STORED records under <stem>/) ----

    private static byte[] archive(String stem, byte[] pickle, byte[] storage) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream os = bytes; ZipOutputStream z = new ZipOutputStream(os)) {
            for (var e : List.of(java.util.Map.entry(stem + "/data.pkl", pickle), java.util.Map.entry(stem + "/data/0", storage))) {
                ZipEntry entry = new ZipEntry(e.getKey());
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                entry.setCompressedSize(e.getValue().length);
                entry.setCrc(crc.getValue());
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** {"w": a [1000, 1000] float tensor over a storage of 4 floats}. */
    private static byte[] shortTensorPickle() {
        Pickle p = new Pickle().op(0x80).op(2).global("collections", "OrderedDict").op(')').op('R');
        p.str("w").global("torch._utils", "_rebuild_tensor_v2").op('(');
        p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(4).op('t').op('Q');
        p.integer(0).op('(').integer(1000).integer(1000).op('t').op('(').integer(1000).integer(1).op('t');
        p.op(0x89).global("collections", "OrderedDict").op(')').op('R').op('t').op('R').op('s');
        return p.op('.').bytes();
    }

    private static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int op) { out.write(op); return this; }
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
        Pickle integer(int v) {
            op('J');
            for (int i = 0; i < 4; i++) out.write((v >>> (8 * i)) & 0xff);
            return this;
        }
        byte[] bytes() { return out.toByteArray(); }
    }
}
