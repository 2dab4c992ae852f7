package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quantised LLM weights saved once and mapped on later loads: same bytes, robust to bad or stale files. */
class QuantizedLlmCacheTest {
    @TempDir Path tmp;

    private static final Path LLM_PT = EngineTest.MODEL.resolve("llm.pt");
    private static final Backend CPU = Backends.open("cpu", BackendOptions.defaults().withThreads(2));

    @AfterAll
    static void closeBackend() { CPU.close(); }

    /** The engine's load-time transform of llm.pt: the backend prepares the Linear matrices in the LLM's precision. */
    private static BiFunction<String, Tensor, Tensor> prepare(Precision p) {
        return (name, t) -> CosyVoice3LM.LINEAR_WEIGHTS.matcher(name).matches() && t.rank() == 2
                ? CPU.prepare(t, WeightKind.LINEAR, p, null) : t;
    }

    /** Loads every tensor of llm.pt through the cache's transform, as the engine does; returns the results by name. */
    private static Map<String, byte[]> loadThrough(QuantizedLlmCache cache, List<AutoCloseable> owned, Precision p)
            throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (WeightStore store = WeightStore.openPt(LLM_PT)) {
            var quantize = prepare(p);
            WeightStore view = store.replacing(cache == null ? quantize : cache.transform(quantize));
            for (String name : store.names()) {
                Tensor t = store.takeAnyShape(name);
                Tensor r = view.take(name, t.dtype(), t.shape());
                if (r.dtype() != DType.F32) out.put(name, r.data().toArray(ValueLayout.JAVA_BYTE));
            }
            if (cache != null) cache.saveIfNeeded();
        }
        for (AutoCloseable c : owned) c.close();
        return out;
    }

    private QuantizedLlmCache open(Precision p, List<AutoCloseable> owned, List<String> log) {
        return QuantizedLlmCache.open(tmp, LLM_PT, p, owned::add, log::add);
    }

    private static void assertSameBytes(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String n : expected.keySet()) assertArrayEquals(expected.get(n), actual.get(n), n);
    }

    @Test
    void theSecondLoadMapsTheSameBlocksTheFirstQuantised() throws Exception {
        Map<String, byte[]> fresh = loadThrough(null, List.of(), Precision.Q8_0);
        assertFalse(fresh.isEmpty());

        List<AutoCloseable> owned = new ArrayList<>();
        List<String> log = new ArrayList<>();
        QuantizedLlmCache first = open(Precision.Q8_0, owned, log);
        assertSameBytes(fresh, loadThrough(first, owned, Precision.Q8_0));
        assertFalse(first.hit());
        assertTrue(Files.isRegularFile(first.file()), log.toString());

        owned.clear();
        QuantizedLlmCache second = open(Precision.Q8_0, owned, log);
        long before = Files.getLastModifiedTime(second.file()).toMillis();
        assertSameBytes(fresh, loadThrough(second, owned, Precision.Q8_0));
        assertTrue(second.hit());
        assertEquals(1, owned.size(), "the mapped cache is closed with the engine");
        assertEquals(before, Files.getLastModifiedTime(second.file()).toMillis(), "a complete cache is not rewritten");

        // Q4_0 has its own file
        owned.clear();
        QuantizedLlmCache q4 = open(Precision.Q4_0, owned, log);
        assertNotEquals(first.file(), q4.file());
        assertSameBytes(loadThrough(null, List.of(), Precision.Q4_0), loadThrough(q4, owned, Precision.Q4_0));
    }

    @Test
    void aDamagedCacheIsIgnoredAndRewritten() throws Exception {
        Map<String, byte[]> fresh = loadThrough(null, List.of(), Precision.Q8_0);
        List<AutoCloseable> owned = new ArrayList<>();
        List<String> log = new ArrayList<>();
        loadThrough(open(Precision.Q8_0, owned, log), owned, Precision.Q8_0);
        Path file = QuantizedLlmCache.file(tmp, LLM_PT, DType.Q8_0);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length / 2));          // truncated

        owned.clear();
        QuantizedLlmCache damaged = open(Precision.Q8_0, owned, log);
        assertTrue(log.stream().anyMatch(m -> m.contains("ignoring unreadable")), log.toString());
        assertSameBytes(fresh, loadThrough(damaged, owned, Precision.Q8_0));
        assertFalse(damaged.hit());

        owned.clear();
        QuantizedLlmCache repaired = open(Precision.Q8_0, owned, log);
        assertSameBytes(fresh, loadThrough(repaired, owned, Precision.Q8_0));
        assertTrue(repaired.hit());
    }

    @Test
    void aChangedCheckpointGetsANewFileAndFloat32CachesNothing() throws Exception {
        Path copy = tmp.resolve("model/llm.pt");
        Files.createDirectories(copy.getParent());
        Files.copy(LLM_PT, copy);
        Path before = QuantizedLlmCache.file(tmp, copy, DType.Q8_0);
        Files.setLastModifiedTime(copy, FileTime.fromMillis(Files.getLastModifiedTime(copy).toMillis() + 5000));
        assertNotEquals(before, QuantizedLlmCache.file(tmp, copy, DType.Q8_0));
        assertEquals(null, QuantizedLlmCache.open(tmp, copy, Precision.F32, c -> { }, m -> { }));
        assertEquals(null, QuantizedLlmCache.open(null, copy, Precision.Q8_0, c -> { }, m -> { }));
    }

    @Test
    void anEngineWithTheCacheSynthesisesWhatOneWithoutItDoes() throws Exception {
        EngineOptions q8 = EngineOptions.defaults().withThreads(2).withLlmPrecision(Precision.Q8_0);
        float[] plain, first, cached;
        try (Engine e = Engine.load(EngineTest.MODEL, q8)) {
            plain = synthesize(e);
        }
        try (Engine e = Engine.load(EngineTest.MODEL, q8.withQuantCacheDir(tmp))) {
            first = synthesize(e);
        }
        try (Engine e = Engine.load(EngineTest.MODEL, q8.withQuantCacheDir(tmp))) {
            cached = synthesize(e);
        }
        assertEquals(plain.length, first.length);
        assertArrayEquals(first, cached, "the mapped weights are the quantised ones, bit for bit");
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().endsWith(".q8_0.pt")).count());
        }
    }

    @Test
    void aBf16PrefillReadsTheMappedBlocksAndKeepsTheArgmaxTokensAndFirstStep() throws Exception {
        EngineOptions q8 = EngineOptions.defaults().withThreads(2).withLlmPrecision(Precision.Q8_0).withQuantCacheDir(tmp);
        List<float[]> f32Steps = new ArrayList<>(), bf16Steps = new ArrayList<>();
        int[] f32Tokens, bf16Tokens;
        try (Engine e = Engine.load(EngineTest.MODEL, q8)) {                  // quantises and writes the cache
            assertEquals(Precision.F32, e.llmPrefillPrecision());
            f32Tokens = argmax(e, f32Steps);
        }
        try (Engine e = Engine.load(EngineTest.MODEL, q8.withLlmPrefillPrecision(Precision.BF16))) {   // maps it
            assertEquals(Precision.BF16, e.llmPrefillPrecision());
            assertTrue(e.kernelsDescription().contains("prefill bf16"), e.kernelsDescription());
            assertTrue(e.llmWeightSource().contains("mapped from"), e.llmWeightSource());
            bf16Tokens = argmax(e, bf16Steps);
            assertArrayEquals(bf16Tokens, argmax(e, new ArrayList<>()), "deterministic");
        }
        assertArrayEquals(f32Tokens, bf16Tokens, "the fixture's argmax tokens survive bf16 prefill products");
        // the first step reads the prefill's last row: bf16 operands (2^-8 relative) move its log-probs only a little
        float[] a = f32Steps.get(0), b = bf16Steps.get(0);
        double worst = 0;
        for (int i = 0; i < a.length; i++) if (Float.isFinite(a[i])) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        assertTrue(worst > 0 && worst < 0.05, "first-step log-prob difference " + worst);
    }

    /** Argmax tokens of the fixture's zero-shot prompt (natural stop), recording each step's log-probs. */
    private static int[] argmax(Engine e, List<float[]> steps) throws Exception {
        dev.cosyvoice4j.model.lm.LmInput in = e.llm().lmInput(dev.cosyvoice4j.model.lm.LmPrompt.zeroShot(
                e.tokenizer().encode(EngineTest.PROMPT_TEXT), e.tokenizer().encode("Hello world, how are you today?"),
                e.analyzeVoice(EngineTest.PROMPT_WAV, EngineTest.PROMPT_TEXT).features().speechTokens()));
        dev.cosyvoice4j.model.lm.Sampler recording = (logp, n, decoded, count) -> {
            steps.add(java.util.Arrays.copyOf(logp, n));
            return dev.cosyvoice4j.model.lm.ArgmaxSampler.INSTANCE.sample(logp, n, decoded, count);
        };
        return e.llm().generate(in, recording, dev.cosyvoice4j.model.lm.GenerationOptions.DEFAULT, t -> { }).tokens();
    }

    /** Offset of {@code needle} in {@code hay}, searching from the end (the cache's tensors follow its pickle). */
    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("bytes not found");
    }

    @Test
    void aFlippedByteFailsTheChecksumAndTheFileIsRebuilt() throws Exception {
        Map<String, byte[]> fresh = loadThrough(null, List.of(), Precision.Q8_0);
        List<AutoCloseable> owned = new ArrayList<>();
        List<String> log = new ArrayList<>();
        QuantizedLlmCache first = open(Precision.Q8_0, owned, log);
        loadThrough(first, owned, Precision.Q8_0);
        byte[] file = Files.readAllBytes(first.file());
        // flip one bit inside the block bytes of a matrix: the archive stays well-formed, only the checksum can tell
        byte[] someBlocks = java.util.Arrays.copyOf(fresh.values().iterator().next(), 64);
        int at = indexOf(file, someBlocks) + 40;
        file[at] ^= 0x10;
        Files.write(first.file(), file);

        owned.clear();
        QuantizedLlmCache damaged = open(Precision.Q8_0, owned, log);
        assertTrue(log.stream().anyMatch(m -> m.contains("checksum mismatch")), log.toString());
        assertFalse(damaged.hit());
        assertSameBytes(fresh, loadThrough(damaged, owned, Precision.Q8_0));

        owned.clear();
        QuantizedLlmCache rebuilt = open(Precision.Q8_0, owned, log);
        assertSameBytes(fresh, loadThrough(rebuilt, owned, Precision.Q8_0));
        assertTrue(rebuilt.hit(), "the rebuilt file verifies: " + log);
    }

    @Test
    void filesOfOlderVersionsOfTheCheckpointAreDeleted() throws Exception {
        Path copy = tmp.resolve("model/llm.pt");
        Files.createDirectories(copy.getParent());
        Files.copy(LLM_PT, copy);
        Path cacheDir = tmp.resolve("cache");
        Files.createDirectories(cacheDir);
        Path formatOne = Files.writeString(cacheDir.resolve("llm-0123456789abcdef0123.q8_0.pt"), "format 1");
        Path otherModel = Files.writeString(cacheDir.resolve("llm-00000000000000000000-11111111111111111111.q8_0.pt"), "x");
        List<String> log = new ArrayList<>();
        Path old = saveCache(cacheDir, copy, Precision.Q8_0, log);
        Path oldQ4 = saveCache(cacheDir, copy, Precision.Q4_0, log);
        assertTrue(Files.exists(old) && Files.exists(oldQ4), "both block types of one version are kept");
        assertFalse(Files.exists(formatOne), "a format-1 file is deleted: nothing reads it any more");

        Files.setLastModifiedTime(copy, FileTime.fromMillis(Files.getLastModifiedTime(copy).toMillis() + 5000));
        Path current = saveCache(cacheDir, copy, Precision.Q8_0, log);
        assertNotEquals(old, current);
        assertTrue(Files.exists(current));
        assertFalse(Files.exists(old), "the previous llm.pt's q8_0 file is deleted: " + log);
        assertFalse(Files.exists(oldQ4), "and its q4_0 file");
        assertTrue(Files.exists(otherModel), "another checkpoint's file is left alone");
    }

    /** Loads {@code llmPt} through a cache in {@code dir} (quantising and saving); returns the cache file. */
    private Path saveCache(Path dir, Path llmPt, Precision p, List<String> log) throws Exception {
        List<AutoCloseable> owned = new ArrayList<>();
        QuantizedLlmCache cache = QuantizedLlmCache.open(dir, llmPt, p, owned::add, log::add);
        try (WeightStore store = WeightStore.openPt(llmPt)) {
            WeightStore view = store.replacing(cache.transform(prepare(p)));
            for (String name : store.names()) {
                Tensor t = store.takeAnyShape(name);
                view.take(name, t.dtype(), t.shape());
            }
            cache.saveIfNeeded();
        }
        for (AutoCloseable c : owned) c.close();
        return cache.file();
    }

    @Test
    void twoThreadsWithTheirOwnChannelsFillTheCacheOnce() throws Exception {
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        Path dir = tmp.resolve("threads");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> saveCache(dir, LLM_PT, Precision.Q8_0, log));
            var b = pool.submit(() -> saveCache(dir, LLM_PT, Precision.Q8_0, log));
            assertEquals(a.get(), b.get());
        } finally {
            pool.shutdown();
        }
        assertCacheFilledOnce(dir, log);
    }

    /**
     * Two JVMs (this test's class path, the same JVM flags) load llm.pt through the cache and save at the same moment:
     * the lock lets one write; the other finds the valid file and keeps it; no temp file is left.
     */
    @Test
    void twoProcessesFillTheCacheOnce() throws Exception {
        Path dir = tmp.resolve("processes");
        Path start = tmp.resolve("start");
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("--add-modules") || a.startsWith("--enable-native-access") || a.startsWith("-Xss"))
                    .toList());
            cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), QuantizedLlmCacheWriter.class.getName(),
                    dir.toString(), LLM_PT.toAbsolutePath().toString(), start.toString()));
            ps.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }
        Thread.sleep(200);
        Files.writeString(start, "go");
        List<String> log = new ArrayList<>();
        for (Process p : ps) {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), out);
            assertEquals(0, p.exitValue(), out);
            log.addAll(out.lines().toList());
        }
        assertCacheFilledOnce(dir, log);
    }

    private static void assertCacheFilledOnce(Path dir, List<String> log) throws Exception {
        try (var files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), "the cache file and the lock file, no temp file: " + names);
            assertTrue(names.stream().anyMatch(n -> n.endsWith(".lock")), names.toString());
        }
        assertEquals(1, log.stream().filter(m -> m.startsWith("quantised LLM weights saved to")).count(), log.toString());
        List<AutoCloseable> owned = new ArrayList<>();
        QuantizedLlmCache.open(dir, LLM_PT, Precision.Q8_0, owned::add, m -> { });
        assertEquals(1, owned.size(), "the file verifies");
        for (AutoCloseable c : owned) c.close();
    }

    private static float[] synthesize(Engine e) {
        try (Session s = e.openSession()) {
            return s.synthesizeAll(EngineTest.zeroShot(16).build());
        }
    }
}
