package dev.cosyvoice4j.engine;

import java.nio.file.Path;

/** Engine.load timings, cold (first in this JVM) then warm. Not a unit test: {@code EngineLoadBench MODEL_DIR [precision]}. */
public final class EngineLoadBench {
    public static void main(String[] args) {
        for (int rep = 0; rep < Integer.getInteger("reps", 3); rep++) {
            long t0 = System.nanoTime();
            try (Engine e = Engine.load(Path.of(args[0]))) {
                System.out.printf("load %d: %.0f ms %s%n", rep, (System.nanoTime() - t0) / 1e6, e.loadTimings());
            }
        }
    }
}
