package dev.cosyvoice4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class InfoCommandTest {
    @TempDir Path tmp;

    @Test
    void printsConfigAndFileSizesOfTheFixtureModel() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("info", "src/test/resources/fixtures/cosyvoice3-tiny");
        String s = out.toString();
        assertEquals(0, rc, err.toString());
        assertTrue(s.contains("sample_rate 24000 Hz"), s);
        assertTrue(s.contains("ditDim=64"), s);
        assertTrue(s.matches("(?s).*llm\\.pt\\s+29\\s.*"), s);
        assertTrue(s.matches("(?s).*flow\\.pt\\s+50\\s.*"), s);
        assertTrue(s.matches("(?s).*hift\\.pt\\s+328\\s.*"), s);
        assertTrue(s.contains("campplus.onnx"), s);
        assertTrue(s.contains("speech_tokenizer_v3.onnx"), s);
    }

    @Test
    void incompleteDirectoryIsOneErrorLine() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("info", tmp.toString());
        assertEquals(1, rc);
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("missing: cosyvoice3.yaml, llm.pt"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
}
