package dev.cosyvoice4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands on the CosyVoice2 fixture model: info names the family, synth speaks every mode, verify, make-synthetic. */
class CosyVoice2CommandsTest {
    static final String F = "src/test/resources/fixtures/";
    static final String MODEL = F + "cosyvoice2-tiny", WAV = F + "golden-cv2/inputs/zero_shot_prompt.wav",
            SOURCE = F + "golden-cv2/inputs/cross_lingual_prompt.wav";

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
    void infoNamesTheFamily() {
        Run r = run("info", MODEL);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("family       CosyVoice2-0.5B (cosyvoice2, cosyvoice2.yaml)"), r.out());
        assertTrue(r.out().contains("speech_tokenizer_v2.onnx"), r.out());
        assertTrue(r.out().contains("encoderAttentionHeads=4"), r.out());
    }

    @Test
    void synthSpeaksEveryModeOfflineAndStreaming() throws Exception {
        String[][] modes = {
                {"--prompt-text", "希望你以后能够做的比我还好呦。", "--text", "Hello.", "--tokens", "30"},
                {"--text", "Hello.", "--tokens", "30"},
                {"--instruct", "用四川话说这句话", "--text", "Hello.", "--tokens", "30"},
                {"--source-wav", SOURCE}};
        for (boolean stream : new boolean[] {false, true}) {
            for (int m = 0; m < modes.length; m++) {
                Path out = dir.resolve("m" + m + (stream ? "s" : "") + ".wav");
                List<String> args = new ArrayList<>(List.of("synth", "-q", "--model", MODEL, "--prompt-wav", WAV, "--out", out.toString()));
                args.addAll(List.of(modes[m]));
                if (stream) args.add("--stream");
                Run r = run(args.toArray(String[]::new));
                assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
                int samples = SynthCommandTest.pcmSamples(out);
                if (m < 3) assertEquals(30 * 960, samples, String.join(" ", args));
                else assertTrue(samples > 0 && samples % 480 == 0, "vc samples " + samples);
            }
        }
    }

    @Test
    void verifyRunsTheCosyVoice2Manifest() {
        Run r = run("verify", "--golden", F + "golden-cv2", "--stage", "hift");
        assertEquals(0, r.exit(), r.out() + r.err());            // exit 0 only when nothing failed (the report goes to stdout)
    }

    @Test
    void benchRunsTheEngineOnTheCosyVoice2Model() throws Exception {
        Path out = dir.resolve("bench");
        Run r = run("bench", "--model", MODEL, "--target", "engine", "--threads", "2", "--stream", "on", "--tokens", "40",
                "--iterations", "1", "--warmup", "0", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.size(out.resolve("bench.json")) > 500);
    }

    @Test
    void qualityComparesTheReducedPrecisionModes() throws Exception {
        Path out = dir.resolve("q.md");
        Run r = run("quality", "--model", MODEL, "--modes", "fp32,q8_0", "--repeat", "1", "--threads", "2", "--tokens", "12",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        String md = Files.readString(out);
        assertTrue(md.contains("q8_0"), md);
        Path golden = dir.resolve("qg.md");
        Run g = run("quality", "--golden", F + "golden-cv2", "--modes", "fp32", "--repeat", "1", "--threads", "2",
                "--out", golden.toString());
        assertEquals(0, g.exit(), g.err());
        assertTrue(Files.readString(golden).contains("Modes keeping the golden e2e tokens identical: fp32."), Files.readString(golden));
    }

    @Test
    void makeSyntheticWritesALoadableCosyVoice2Directory() {
        Path out = dir.resolve("cv2-synthetic");
        Run r = run("make-synthetic", "--family", "cosyvoice2", "--config", "tiny", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("cosyvoice2.yaml")));
        Run info = run("info", out.toString());
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("CosyVoice2-0.5B"), info.out());
        Run bad = run("make-synthetic", "--family", "cosyvoice2", "--config", "fun-cosyvoice3-0.5b", "--out", dir.resolve("x").toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--config fun-cosyvoice3-0.5b is a cosyvoice3 config"), bad.err());
    }
}
