package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.WeightStore;

import java.nio.file.Path;

/** Time of {@link CausalHiftGenerator#load} from a model directory, repeated. Not a unit test: {@code HiftLoadBench DIR [reps]}. */
public final class HiftLoadBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        var cfg = ModelConfig.load(dir).hift();
        for (int rep = 0; rep < (args.length > 1 ? Integer.parseInt(args[1]) : 5); rep++) {
            long t0 = System.nanoTime();
            try (WeightStore s = WeightStore.openPt(dir.resolve("hift.pt"))) {
                CausalHiftGenerator.load(s, cfg);
            }
            System.out.printf("hift load %d: %.0f ms%n", rep, (System.nanoTime() - t0) / 1e6);
        }
    }
}
