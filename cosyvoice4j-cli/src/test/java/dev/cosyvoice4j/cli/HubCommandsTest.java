package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.HubMirror;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pull}, {@code models} and model ids in {@code --model} as a user meets them, with HF_ENDPOINT pointing at a
 * loopback mirror that serves the fixture model and HF_HOME at an empty folder.
 */
class HubCommandsTest {
    static final String TINY = "src/test/resources/fixtures/cosyvoice3-tiny";
    static final String WAV = "src/test/resources/fixtures/golden/inputs/zero_shot_prompt.wav";
    static final String PROMPT = "You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。";
    static Map<String, byte[]> fixture;

    @TempDir Path dir;
    final HubMirror mirror = HubMirror.start();

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void readFixture() { fixture = HubMirror.filesOf(Path.of(TINY)); }

    @AfterEach
    void stop() { mirror.close(); }

    /** The environment of a new user: empty caches under the test's folder, the mirror as HF_ENDPOINT. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", dir.resolve("home").toString());
        env.put("HF_HOME", dir.resolve("hf-home").toString());
        env.put("MODELSCOPE_CACHE", dir.resolve("ms").toString());
        env.put("COSYVOICE4J_HOME", dir.resolve("cv4j").toString());
        env.put("HF_ENDPOINT", mirror.endpoint().toString());
        return env;
    }

    static Run run(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(env);
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    Path hubCache() { return dir.resolve("hf-home/hub"); }

    Run synth(Map<String, String> env, String... model) {
        List<String> args = new java.util.ArrayList<>(List.of("synth", "-q", "--prompt-wav", WAV, "--prompt-text", PROMPT,
                "--text", "Hello.", "--tokens", "5", "--out", dir.resolve("out.wav").toString()));
        args.addAll(List.of(model));
        return run(env, args.toArray(String[]::new));
    }

    @Test
    void pullWritesTheHuggingFaceCacheThenSynthRunsFromItWithoutNetwork() throws IOException {
        String commit = mirror.addRepo("acme/cosyvoice3-tiny", fixture);
        Run pull = run(env(), "pull", "acme/cosyvoice3-tiny");
        assertEquals(0, pull.exit(), pull.err());
        Path snapshot = hubCache().resolve("models--acme--cosyvoice3-tiny/snapshots/" + commit);
        assertEquals(snapshot.toString(), pull.out().strip());
        assertTrue(pull.err().contains("acme/cosyvoice3-tiny at " + commit.substring(0, 12) + ": downloaded " + (fixture.size() - 1) + " file(s)"), pull.err());   // all but model.safetensors
        assertEquals("../../blobs/" + HubMirror.sha256(fixture.get("llm.pt")), Files.readSymbolicLink(snapshot.resolve("llm.pt")).toString());
        assertEquals(commit, Files.readString(hubCache().resolve("models--acme--cosyvoice3-tiny/refs/main")));
        assertFalse(Files.exists(snapshot.resolve("CosyVoice-BlankEN/model.safetensors")), "not read by the engine, not pulled");
        for (String f : List.of("cosyvoice3.yaml", "flow.pt", "CosyVoice-BlankEN/vocab.json")) {
            assertArrayEquals(fixture.get(f), Files.readAllBytes(snapshot.resolve(f)), f);
        }

        mirror.close();                                                        // no network from here on
        int requests = mirror.requests().size();
        Run synth = synth(env(), "--model", "acme/cosyvoice3-tiny");
        assertEquals(0, synth.exit(), synth.err());
        assertTrue(Files.size(dir.resolve("out.wav")) > 44);
        assertEquals(requests, mirror.requests().size());

        Run models = run(env(), "models");
        assertEquals(0, models.exit(), models.err());
        assertTrue(models.out().lines().anyMatch(l -> l.startsWith("acme/cosyvoice3-tiny") && l.contains("huggingface")
                && l.contains("main " + commit.substring(0, 12)) && l.contains("complete") && l.endsWith(snapshot.toString())), models.out());
    }

    @Test
    void pullResumesATransferCutHalfWay() throws IOException {
        String commit = mirror.addRepo("acme/cosyvoice3-tiny", fixture);
        mirror.fault("llm.pt", HubMirror.Fault.drop(10_000_000));
        Run pull = run(env(), "pull", "acme/cosyvoice3-tiny");
        assertEquals(0, pull.exit(), pull.err());
        List<HubMirror.Request> llm = mirror.fileRequests("llm.pt").stream().filter(r -> r.port() == mirror.cdnPort()).toList();
        assertEquals(2, llm.size(), llm.toString());
        assertEquals("bytes=10000000-", llm.get(1).range());
        assertArrayEquals(fixture.get("llm.pt"), Files.readAllBytes(hubCache().resolve("models--acme--cosyvoice3-tiny/snapshots/" + commit + "/llm.pt")));
    }

    @Test
    void pullRefusesACorruptFileWhichNeverAppearsInTheSnapshot() {
        String commit = mirror.addRepo("acme/cosyvoice3-tiny", fixture);
        mirror.fault("flow.pt", HubMirror.Fault.corrupt());
        Run pull = run(env(), "pull", "acme/cosyvoice3-tiny");
        assertEquals(1, pull.exit());
        assertTrue(pull.err().startsWith("error: flow.pt from ") && pull.err().contains("is corrupt: sha256 is"), pull.err());
        Path repo = hubCache().resolve("models--acme--cosyvoice3-tiny");
        assertFalse(Files.exists(repo.resolve("snapshots/" + commit + "/flow.pt")));
        String sha = HubMirror.sha256(fixture.get("flow.pt"));
        assertFalse(Files.exists(repo.resolve("blobs/" + sha)));
        assertFalse(Files.exists(repo.resolve("blobs/" + sha + ".incomplete")));

        Run synth = synth(env(), "--model", "acme/cosyvoice3-tiny", "--offline");
        assertEquals(1, synth.exit());
        assertTrue(synth.err().contains("offline mode is on") && synth.err().contains("incomplete: no flow.pt"), synth.err());
        Run models = run(env(), "models");
        assertTrue(models.out().contains("incomplete (no flow.pt)"), models.out());
    }

    @Test
    void firstSynthWithoutModelDownloadsTheOfficialModelAndSaysWhereAndHowBig() throws IOException {
        mirror.addRepo("FunAudioLLM/Fun-CosyVoice3-0.5B-2512", fixture);
        Run synth = synth(env());
        assertEquals(0, synth.exit(), synth.err());
        assertTrue(synth.err().contains("FunAudioLLM/Fun-CosyVoice3-0.5B-2512 is not on this machine (looked in "
                + hubCache().resolve("models--FunAudioLLM--Fun-CosyVoice3-0.5B-2512")), synth.err());
        assertTrue(synth.err().contains("downloading it from " + mirror.endpoint() + " into " + hubCache()), synth.err());
        assertTrue(synth.err().matches("(?s).*\\d+ file\\(s\\), \\d+\\.\\d\\d MB to download into .*snapshots.*"), synth.err());
        assertTrue(Files.size(dir.resolve("out.wav")) > 44);

        int before = mirror.requests().size();
        Run again = synth(env());                                              // found in the cache: no network
        assertEquals(0, again.exit(), again.err());
        assertEquals(before, mirror.requests().size());
    }

    @Test
    void firstSynthWithTheHubUnreachableEndsWithAClearNetworkError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Map<String, String> env = env();
        env.put("HF_ENDPOINT", "http://127.0.0.1:" + port);
        Run synth = synth(env);
        assertEquals(1, synth.exit());
        String err = synth.err();
        assertTrue(err.contains("FunAudioLLM/Fun-CosyVoice3-0.5B-2512 is not on this machine"), err);
        String[] lines = err.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("error: GET http://127.0.0.1:" + port + "/api/models/FunAudioLLM/Fun-CosyVoice3-0.5B-2512/revision/main?blobs=true: cannot connect"), last);
        assertTrue(last.contains("--model DIR") && last.contains("HF_ENDPOINT") && last.contains("./cosyvoice4j pull FunAudioLLM/Fun-CosyVoice3-0.5B-2512"), last);
    }

    @Test
    void offlineModeNeverTouchesTheNetworkAndSaysWhereItLooked() {
        mirror.addRepo("acme/cosyvoice3-tiny", fixture);
        Map<String, String> env = env();
        env.put("HF_HUB_OFFLINE", "1");
        Run synth = synth(env, "--model", "acme/cosyvoice3-tiny");
        assertEquals(1, synth.exit());
        assertTrue(synth.err().contains("offline mode is on") && synth.err().contains(hubCache().resolve("models--acme--cosyvoice3-tiny").toString())
                && synth.err().contains("--model DIR"), synth.err());
        Run pull = run(env, "pull", "acme/cosyvoice3-tiny");
        assertEquals(1, pull.exit());
        assertTrue(pull.err().contains("offline mode is on"), pull.err());
        assertEquals(List.of(), mirror.requests());
    }

    @Test
    void modelsAlreadyInTheHuggingFaceOrModelScopeCacheAreUsedAsTheyAre() throws IOException {
        // as `hf download` leaves it: blobs by hash, a snapshot of relative links, refs/main
        Path repo = hubCache().resolve("models--someone--handmade");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        for (var f : fixture.entrySet()) {
            Path blob = repo.resolve("blobs").resolve(HubMirror.sha256(f.getValue()));
            Files.createDirectories(blob.getParent());
            Files.write(blob, f.getValue());
            Path link = repo.resolve("snapshots").resolve(commit).resolve(f.getKey());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, link.getParent().relativize(blob));
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);
        Run info = run(env(), "info", "someone/handmade", "--offline");
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains(repo.resolve("snapshots").resolve(commit).toString()), info.out());

        // ModelScope: models/owner/name with '.' written "___"
        Path ms = dir.resolve("ms/models/acme/Tiny-0___5B");
        Files.createDirectories(ms.getParent());
        Files.createSymbolicLink(ms, Path.of(TINY).toAbsolutePath());
        Run msInfo = run(env(), "info", "acme/Tiny-0.5B", "--offline");
        assertEquals(0, msInfo.exit(), msInfo.err());
        assertTrue(msInfo.out().contains("sample_rate 24000 Hz"), msInfo.out());
        assertEquals(List.of(), mirror.requests());
    }

    @Test
    void badIdsAndHubsNameTheArgument() {
        Run r = run(env(), "pull", "not-an-id");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: ID: model id 'not-an-id': expected owner/name"), r.err());
        r = run(env(), "pull", "acme/x", "--hub", "github");
        assertTrue(r.err().startsWith("error: --hub: unknown hub 'github' (huggingface, modelscope)"), r.err());
        r = run(env(), "synth", "--model", "no/such/dir", "--prompt-wav", WAV, "--text", "a", "--out", dir.resolve("x.wav").toString());
        assertTrue(r.err().startsWith("error: --model: no such directory: no/such/dir"), r.err());
        Map<String, String> env = env();
        env.put("HF_ENDPOINT", "ftp://mirror");
        r = run(env, "pull", "acme/x");
        assertTrue(r.err().startsWith("error: HF_ENDPOINT: expected an http(s) URL"), r.err());
    }
}
