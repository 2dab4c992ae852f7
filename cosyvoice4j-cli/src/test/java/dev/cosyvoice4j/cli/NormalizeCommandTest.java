package dev.cosyvoice4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code normalize} prints what the engine speaks: one line per input, and the segments when asked. */
class NormalizeCommandTest {
    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsTheSpokenFormOfEachInput() {
        Run r = run("normalize", "2024年3月5日，气温25°C。", "It costs $3.5M, 3.5% more.", "No digits here.");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("二零二四年三月五日，气温二十五摄氏度。", "It costs three point five million dollars, three point five percent more.",
                "No digits here."), r.out().lines().toList());
    }

    @Test
    void readsAFileLineByLineAndShowsSegments() throws Exception {
        Path f = dir.resolve("in.txt");
        Files.writeString(f, "第1句。第2句。\nRoom 101.\n", StandardCharsets.UTF_8);
        Run r = run("normalize", "--file", f.toString(), "--segments", "--model", "src/test/resources/fixtures/cosyvoice3-tiny");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("第一句。第二句。", lines.get(0));
        assertTrue(lines.get(1).startsWith("  第一句"), lines.toString());
        assertTrue(lines.contains("Room one hundred and one."), lines.toString());
    }

    @Test
    void nothingToNormaliseIsAClearError() {
        Run r = run("normalize");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("give texts to normalise"), r.err());
    }
}
