package dev.cosyvoice4j.model.flow.cv2;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.synthetic.Cv2SyntheticLayout;
import dev.cosyvoice4j.synthetic.TensorSpec;
import dev.cosyvoice4j.synthetic.WeightGenerator;
import dev.cosyvoice4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Time of the CosyVoice2 flow at the real CosyVoice2-0.5B shapes with random weights (no checkpoint needed): the
 * encoder and one estimator call (CFG batch 2) for {@code tokens} tokens, twice (the first includes warm-up). Not a
 * unit test: {@code Cv2FlowRealShapeBench [tokens=150] [backend=cpu]}; needs ~1 GB of heap.
 */
public final class Cv2FlowRealShapeBench {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        String backendName = args.length > 1 ? args[1] : "cpu";
        Cv2FlowConfig cfg = Cv2SyntheticLayout.cosyVoice2Flow();
        WeightGenerator gen = new WeightGenerator(1);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (TensorSpec s : Cv2SyntheticLayout.flow(cfg)) m.put(s.name(), Tensor.of(gen.values(s), s.shape()));
        try (Backend b = Backends.open(backendName, BackendOptions.defaults())) {
            CausalMaskedDiffWithXvec model = CausalMaskedDiffWithXvec.load(new WeightStore(Path.of("synthetic"), m, null), cfg, b);
            Cv2FlowSession s = model.newSession();
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) tokens[i] = (i * 37) % 6561;
            for (int rep = 0; rep < 2; rep++) {
                long t0 = System.nanoTime();
                Cv2FlowEncoding e = model.encode(s, tokens, new int[0], new float[0], 0, new float[192], false, true, null);
                long t1 = System.nanoTime();
                Buf[] in = {s.estimatorIn[0].view(320, e.frames()), s.estimatorIn[1].view(320, e.frames())};
                Buf[] out = {s.velocity[0].view(80, e.frames()), s.velocity[1].view(80, e.frames())};
                model.estimator().forward(s.time, s.unet, in, 0.5f, false, out);
                long t2 = System.nanoTime();
                System.out.printf("PROBE threads=%d tokens=%d frames=%d encode %.3f s, one estimator call (CFG 2) %.3f s%n",
                        b.threads(), n, e.frames(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            }
        }
    }
}
