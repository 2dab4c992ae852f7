package dev.cosyvoice4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code synth} as a user runs it: every mode writes a WAV of the expected length; bad arguments name the flag. */
class SynthCommandTest {
    static final String F = "src/test/resources/fixtures/";
    static final String MODEL = F + "cosyvoice3-tiny", WAV = F + "golden/inputs/zero_shot_prompt.wav";
    static final String PROMPT = "You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。";

    @TempDir Path dir;

    record Run(int exit, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int exit = cl.execute(args);
        return new Run(exit, err.toString());
    }

    static int pcmSamples(Path wav) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x46464952, b.getInt(0)); // RIFF
        return b.getInt(40) / b.getShort(32);
    }

    List<String> base(String out) {
        return new ArrayList<>(List.of("synth", "-q", "--model", MODEL, "--prompt-wav", WAV, "--out", dir.resolve(out).toString()));
    }

    @Test
    void aBareTranscriptGetsTheOfficialSystemPrompt() throws Exception {
        List<String> explicit = base("explicit.wav");
        explicit.addAll(List.of("--prompt-text", PROMPT, "--text", "Hello.", "--tokens", "6"));
        assertEquals(0, run(explicit.toArray(String[]::new)).exit());
        List<String> bare = base("bare.wav");
        bare.addAll(List.of("--prompt-text", "希望你以后能够做的比我还好呦。", "--text", "Hello.", "--tokens", "6"));
        assertEquals(0, run(bare.toArray(String[]::new)).exit());
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("explicit.wav")), Files.readAllBytes(dir.resolve("bare.wav"))),
                "the default prompt is the one written out");
        List<String> cross = base("cross-bare.wav");
        cross.addAll(List.of("--text", "Hello.", "--tokens", "4"));
        assertEquals(0, run(cross.toArray(String[]::new)).exit(), "cross-lingual text without the prompt works too");
    }

    @Test
    void everyModeWritesTheExpectedLength() throws Exception {
        List<String> zs = base("zs.wav");
        zs.addAll(List.of("--prompt-text", PROMPT, "--text", "Hello.", "--tokens", "10"));
        assertEquals(0, run(zs.toArray(String[]::new)).exit());
        assertEquals(10 * 960, pcmSamples(dir.resolve("zs.wav")));

        List<String> stream = base("stream.wav");
        stream.addAll(List.of("--prompt-text", PROMPT, "--text", "Hello.", "--tokens", "45", "--stream", "--float"));
        assertEquals(0, run(stream.toArray(String[]::new)).exit());
        assertEquals(45 * 960, pcmSamples(dir.resolve("stream.wav")));

        List<String> cross = base("cross.wav");
        cross.addAll(List.of("--text", "You are a helpful assistant.<|endofprompt|>Hello.", "--tokens", "8"));
        assertEquals(0, run(cross.toArray(String[]::new)).exit());
        assertEquals(8 * 960, pcmSamples(dir.resolve("cross.wav")));

        List<String> instruct = base("instruct.wav");
        instruct.addAll(List.of("--instruct", "You are a helpful assistant. Speak fast.<|endofprompt|>", "--text", "Hello.", "--tokens", "8"));
        assertEquals(0, run(instruct.toArray(String[]::new)).exit());
        assertEquals(8 * 960, pcmSamples(dir.resolve("instruct.wav")));

        List<String> vc = base("vc.wav");
        vc.addAll(List.of("--source-wav", WAV));
        assertEquals(0, run(vc.toArray(String[]::new)).exit());
        assertEquals(87 * 960, pcmSamples(dir.resolve("vc.wav")));

        List<String> save = base("saved.wav");
        save.addAll(List.of("--prompt-text", PROMPT, "--text", "Hi.", "--tokens", "5", "--save-speaker", "me", "--speaker-dir", dir.resolve("spk").toString()));
        assertEquals(0, run(save.toArray(String[]::new)).exit());
        Run bySpeaker = run("synth", "-q", "--model", MODEL, "--speaker", "me", "--speaker-dir", dir.resolve("spk").toString(),
                "--text", "Hi.", "--tokens", "5", "--out", dir.resolve("byid.wav").toString());
        assertEquals(0, bySpeaker.exit(), bySpeaker.err());
        assertEquals(5 * 960, pcmSamples(dir.resolve("byid.wav")));
    }

    @Test
    void badArgumentsGetOneLineNamingTheFlag() {
        String out = dir.resolve("x.wav").toString();
        String[][] cases = {
                {"--text", "--prompt-wav", WAV, "--prompt-text", PROMPT, "--out", out},          // missing --text
                {"--speed", "--prompt-wav", WAV, "--text", "a", "--prompt-text", PROMPT, "--speed", "9", "--out", out},
                {"--mode", "--prompt-wav", WAV, "--text", "a", "--mode", "sing", "--out", out},
                {"--prompt-wav", "--prompt-wav", "nope.wav", "--text", "a", "--out", out},
                {"--out", "--prompt-wav", WAV, "--text", "a", "--prompt-text", PROMPT, "--out", dir.resolve("no/dir.wav").toString()},
                {"--bogus", "--bogus", "--out", out},
                {"--tokens", "--prompt-wav", WAV, "--text", "a", "--prompt-text", PROMPT, "--tokens", "-3", "--out", out},
                {"--model", "--model", "/nonexistent/dir", "--prompt-wav", WAV, "--text", "a", "--prompt-text", PROMPT, "--out", out},
                {"--llm-precision", "--prompt-wav", WAV, "--text", "a", "--prompt-text", PROMPT, "--llm-precision", "fp7", "--out", out},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("synth", "--model", MODEL));
            args.addAll(List.of(c).subList(1, c.length));
            Run r = run(args.toArray(String[]::new));
            assertTrue(r.exit() != 0, c[0]);
            String[] lines = r.err().strip().split("\n");
            assertEquals(1, lines.length, c[0] + ": " + r.err());
            assertTrue(lines[0].contains(c[0]), c[0] + ": " + lines[0]);
        }
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void textDashSpeaksStandardInputThroughTextInStreaming() throws Exception {
        java.io.InputStream old = SynthCommand.stdin;
        SynthCommand.stdin = new java.io.ByteArrayInputStream("好少咯，\n一般系放嗰啲国庆啊。\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            List<String> a = base("stdin.wav");
            a.addAll(List.of("--instruct", "You are a helpful assistant. 请用广东话表达。<|endofprompt|>", "--text", "-", "--argmax", "--stream"));
            Run r = run(a.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            assertTrue(pcmSamples(dir.resolve("stdin.wav")) > 0);
        } finally {
            SynthCommand.stdin = old;
        }
    }

    @Test
    void outDashStreamsTheSameAudioAsAWavToStandardOutput() throws Exception {
        List<String> file = base("file.wav");
        file.addAll(List.of("--prompt-text", PROMPT, "--text", "Hello.", "--tokens", "30", "--stream"));
        assertEquals(0, run(file.toArray(String[]::new)).exit());
        java.io.OutputStream old = SynthCommand.stdout;
        java.io.ByteArrayOutputStream piped = new java.io.ByteArrayOutputStream();
        SynthCommand.stdout = piped;
        try {
            Run r = run("synth", "-q", "--model", MODEL, "--prompt-wav", WAV, "--prompt-text", PROMPT, "--text", "Hello.",
                    "--tokens", "30", "--stream", "--out", "-");
            assertEquals(0, r.exit(), r.err());
        } finally {
            SynthCommand.stdout = old;
        }
        byte[] wav = Files.readAllBytes(dir.resolve("file.wav")), streamed = piped.toByteArray();
        assertEquals(0xFFFFFFFF, ByteBuffer.wrap(streamed).order(ByteOrder.LITTLE_ENDIAN).getInt(40), "data size unknown while streaming");
        assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(wav, 44, wav.length),
                java.util.Arrays.copyOfRange(streamed, 44, streamed.length)), "the same samples as the file");
    }

    @Test
    void textDashNeedsAZeroShotOrInstruct2Voice() {
        List<String> a = base("x.wav");
        a.addAll(List.of("--text", "-"));
        Run r = run(a.toArray(String[]::new));
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("--text -"), r.err());
    }
}
