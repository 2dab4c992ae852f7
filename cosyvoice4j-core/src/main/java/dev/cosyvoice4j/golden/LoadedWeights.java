package dev.cosyvoice4j.golden;

import dev.cosyvoice4j.io.WeightStore;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * A golden stage's model and the mapped file its weights are views of, cached by {@link GoldenContext#component}
 * (which closes it at the end of the run).
 */
public record LoadedWeights<M>(M model, WeightStore weights) implements AutoCloseable {

    /** Opens {@code ptFile} and builds the model on it; the file is closed again if the build fails. */
    public static <M> LoadedWeights<M> openPt(Path ptFile, Function<WeightStore, M> build) {
        WeightStore ws = WeightStore.openPt(ptFile);
        try {
            return new LoadedWeights<>(build.apply(ws), ws);
        } catch (RuntimeException e) {
            try { ws.close(); } catch (Exception ignored) { /* the load error is the one to report */ }
            throw e;
        }
    }

    @Override
    public void close() throws Exception { weights.close(); }
}
