package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.frontend.audio.DecodedAudio;
import dev.cosyvoice4j.frontend.audio.WavReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Same arguments, same audio, bit for bit: {@code synth} in a JVM that never leaves C1 (no C2, no Vector API
 * intrinsics: every vector operation runs its Java fallback), then repeatedly in this JVM until the kernels are
 * C2-compiled, on 1, 2 and 3 threads, offline and streaming, sampled with a seed. Before the deterministic
 * transcendentals ({@code FloatMath}), the vocoder amplified the last-bit differences of SVML against the
 * fallback into waveforms 1e-2 apart.
 */
class DeterministicAudioTest {
    static final String MODEL = "src/test/resources/fixtures/cosyvoice3-tiny";
    static final String WAV = "src/test/resources/fixtures/golden/inputs/zero_shot_prompt.wav";
    static final String PROMPT = "You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。";
    @TempDir Path dir;

    List<String> synth(String out, String... extra) {
        List<String> a = new ArrayList<>(List.of("synth", "-q", "--model", MODEL, "--prompt-wav", WAV, "--prompt-text", PROMPT,
                "--text", "Hello, this is a determinism test.", "--seed", "7", "--tokens", "80", "--float",
                "--out", dir.resolve(out).toString()));
        a.addAll(List.of(extra));
        return a;
    }

    float[] inProcess(String out, String... extra) {
        BenchCommandTest.Result r = BenchCommandTest.run(synth(out, extra).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return samples(out);
    }

    float[] samples(String out) {
        DecodedAudio a = WavReader.read(dir.resolve(out));
        assertEquals(24000, a.sampleRateHz());
        return a.samples();
    }

    /** The CLI in a fresh JVM limited to C1 (-XX:TieredStopAtLevel=1): the "cold" code paths throughout. */
    float[] coldJvm(String out, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(synth(out, extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(out + ".log").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the C1-only synth did not finish in 5 minutes");
        assertEquals(0, p.exitValue(), () -> read(dir.resolve(out + ".log")));
        return samples(out);
    }

    static String read(Path f) {
        try { return Files.readString(f); } catch (Exception e) { return e.toString(); }
    }

    @Test
    void offlineAudioIsBitIdenticalColdOrWarmOnAnyThreadCount() throws Exception {
        float[] cold = coldJvm("cold.wav", "--threads", "2");
        assertTrue(cold.length >= 80 * 960, "80 tokens of audio");
        for (int i = 0; i < 4; i++) {                        // the later runs execute C2-compiled kernels
            assertArrayEquals(cold, inProcess("warm" + i + ".wav", "--threads", "2"), "run " + i + " in this JVM");
        }
        assertArrayEquals(cold, inProcess("one.wav", "--threads", "1"), "1 thread");
        assertArrayEquals(cold, inProcess("three.wav", "--threads", "3"), "3 threads");
    }

    @Test
    void streamingAudioIsBitIdenticalRunAfterRunOnAnyThreadCount() {
        float[] first = inProcess("s0.wav", "--stream", "--threads", "2");
        for (int i = 1; i < 3; i++) assertArrayEquals(first, inProcess("s" + i + ".wav", "--stream", "--threads", "2"), "run " + i);
        assertArrayEquals(first, inProcess("s1t.wav", "--stream", "--threads", "1"), "1 thread");
    }

    @Test
    void reducedPrecisionIsDeterministicToo() {
        String[] fast = {"--llm-precision", "q8_0", "--flow-precision", "bf16", "--cache-dir", "none"};
        float[] first = inProcess("q0.wav", concat(fast, "--threads", "2"));
        assertArrayEquals(first, inProcess("q1.wav", concat(fast, "--threads", "2")), "again");
        assertArrayEquals(first, inProcess("q2.wav", concat(fast, "--threads", "1")), "1 thread");
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
