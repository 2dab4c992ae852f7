package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.WeightStore;

import java.nio.file.Path;

/**
 * Time of {@link CausalHiftGenerator#load} from a model directory, repeated. Not a unit test:
 * {@code HiftLoadBench DIR [reps] [backend=cpu]}.
 */
public final class HiftLoadBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        var cfg = ModelConfig.load(dir).hift();
        try (Backend backend = Backends.open(args.length > 2 ? args[2] : Backends.DEFAULT, BackendOptions.defaults())) {
            for (int rep = 0; rep < (args.length > 1 ? Integer.parseInt(args[1]) : 5); rep++) {
                long t0 = System.nanoTime();
                try (WeightStore s = WeightStore.openPt(dir.resolve("hift.pt"))) {
                    CausalHiftGenerator.load(s, cfg, backend);
                }
                System.out.printf("hift load %d: %.0f ms%n", rep, (System.nanoTime() - t0) / 1e6);
            }
        }
    }
}
