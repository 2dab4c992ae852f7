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

    private static float[] synthesize(Engine e) {
        try (Session s = e.openSession()) {
            return s.synthesizeAll(EngineTest.zeroShot(16).build());
        }
    }
}
