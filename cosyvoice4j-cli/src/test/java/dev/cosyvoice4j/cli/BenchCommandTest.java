package dev.cosyvoice4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** bench and make-synthetic through the real command line (bench against the test-only "simulated" target). */
class BenchCommandTest {
    static final String TINY = "src/test/resources/fixtures/cosyvoice3-tiny";
    static final String PEER = "src/test/resources/bench/peer-bench-cpu.json";
    @TempDir Path tmp;

    record Result(int code, String err) {}

    static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, err.toString());
    }

    @Test
    void benchWritesMarkdownJsonAndSvgForAGridWithComparison() throws Exception {
        Path out = tmp.resolve("report");
        Result r = run("bench", "--model", TINY, "--target", "simulated", "--threads", "1,2", "--stream", "on",
                "--iterations", "2", "--warmup", "0", "--out", out.toString(), "--compare", PEER);
        assertEquals(0, r.code(), r.err());
        for (String f : new String[]{"bench.md", "bench.json", "bench-stages.svg"}) assertTrue(Files.size(out.resolve(f)) > 500, f);
        JsonNode j = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
        assertEquals(2, j.get("runs").size());
        assertEquals(2, j.at("/runs/1/setup/threads").asInt());
        assertEquals(2, j.at("/runs/0/iterations").size());
        assertEquals("official stack (peer-bench)", j.at("/comparison/tables/0/theirs").asText());
        assertTrue(j.at("/environment/jvm_args").isArray());
        String md = Files.readString(out.resolve("bench.md"));
        assertTrue(md.contains("The quick brown fox"), "default text");
        assertTrue(md.contains("zero_shot_prompt.wav"), "default prompt");

        // an earlier run of ours as the baseline
        Path again = tmp.resolve("again");
        r = run("bench", "--model", TINY, "--target", "simulated", "--threads", "2", "--iterations", "1", "--warmup", "0",
                "--out", again.toString(), "--compare", out.resolve("bench.json").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(again.resolve("bench.md")).contains("vs threads=2, stream=on, tokens=70"));
    }

    @Test
    void userErrorsAreOneLine() {
        Result r = run("bench", "--model", TINY, "--target", "no-such-target");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --target: no benchmark target 'no-such-target'"), r.err());
        assertTrue(r.err().contains("simulated"), "lists the available targets: " + r.err());

        r = run("bench", "--model", TINY, "--target", "simulated", "--stream", "maybe");
        assertEquals(1, r.code());
        assertEquals("error: --stream: 'maybe' is not on or off", r.err().trim());

        r = run("bench", "--model", TINY, "--target", "simulated", "--compare", tmp.resolve("missing.json").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--compare:"), r.err());

        r = run("bench", "--model", tmp.resolve("nope").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--model:"), r.err());

        r = run("make-synthetic", "--out", tmp.resolve("x").toString(), "--config", "huge");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--config: unknown model config 'huge'"), r.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void makeSyntheticTinyThroughTheCli() {
        Path out = tmp.resolve("tiny-model");
        Result r = run("make-synthetic", "--out", out.toString(), "--config", "tiny", "--seed", "3", "--template", TINY);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("llm.pt")));
        assertTrue(Files.isRegularFile(out.resolve("CosyVoice-BlankEN/vocab.json")));
        r = run("make-synthetic", "--out", out.toString(), "--config", "tiny");
        assertEquals(1, r.code(), "exists without --force");
        assertTrue(r.err().contains("--force"), r.err());
    }
}
