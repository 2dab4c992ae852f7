package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.model.lm.CosyVoice3LM;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A second process for {@link QuantizedLlmCacheTest}: {@code <cacheDir> <llm.pt> <startFlag>} loads llm.pt through
 * the Q8_0 cache as the engine does, waits until {@code startFlag} exists (so that two processes save at the same
 * moment), saves, and prints the cache's log lines.
 */
public final class QuantizedLlmCacheWriter {
    private QuantizedLlmCacheWriter() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]), llmPt = Path.of(args[1]), start = Path.of(args[2]);
        List<AutoCloseable> owned = new ArrayList<>();
        List<String> log = new ArrayList<>();
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults().withThreads(1));
             WeightStore store = WeightStore.openPt(llmPt)) {
            QuantizedLlmCache cache = QuantizedLlmCache.open(dir, llmPt, Precision.Q8_0, owned::add, log::add);
            WeightStore view = store.replacing(cache.transform((name, t) ->
                    CosyVoice3LM.LINEAR_WEIGHTS.matcher(name).matches() && t.rank() == 2
                            ? cpu.prepare(t, WeightKind.LINEAR, Precision.Q8_0, null) : t));
            for (String name : store.names()) {
                Tensor t = store.takeAnyShape(name);
                view.take(name, t.dtype(), t.shape());
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(start) && System.nanoTime() < deadline) Thread.sleep(5);
            cache.saveIfNeeded();
        }
        for (AutoCloseable c : owned) c.close();
        log.forEach(System.out::println);
    }
}
