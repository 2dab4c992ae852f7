package dev.cosyvoice4j.model.qwen2;

import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** In-memory random Qwen2 weights (heap {@link Tensor}s) of any shape, for tests and the benchmark. */
public final class RandomQwen2 {
    private RandomQwen2() {}

    /** Gaussian-ish weights: Linear ~ N(0, 1/fan_in), biases N(0, 0.05), norms 1 + N(0, 0.1), embedding N(0, 0.5). */
    public static Qwen2Weights weights(Qwen2Config c, long seed) {
        int h = c.hiddenSize(), q = c.numAttentionHeads() * c.headDim(), kv = c.numKeyValueHeads() * c.headDim();
        int f = c.intermediateSize();
        SplittableRandom root = new SplittableRandom(seed);
        Tensor embed = tensor(root.split(), 0, 0.5, c.vocabSize(), h);
        List<Qwen2LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            layers.add(new Qwen2LayerWeights(
                    tensor(root.split(), 1, 0.1, h),
                    tensor(root.split(), 0, 1 / Math.sqrt(h), q, h), tensor(root.split(), 0, 0.05, q),
                    tensor(root.split(), 0, 1 / Math.sqrt(h), kv, h), tensor(root.split(), 0, 0.05, kv),
                    tensor(root.split(), 0, 1 / Math.sqrt(h), kv, h), tensor(root.split(), 0, 0.05, kv),
                    tensor(root.split(), 0, 1 / Math.sqrt(q), h, q),
                    tensor(root.split(), 1, 0.1, h),
                    tensor(root.split(), 0, 1 / Math.sqrt(h), f, h),
                    tensor(root.split(), 0, 1 / Math.sqrt(h), f, h),
                    tensor(root.split(), 0, 1 / Math.sqrt(f), h, f)));
        }
        return new Qwen2Weights(embed, layers, tensor(root.split(), 1, 0.1, h));
    }

    /**
     * A heap tensor of {@code rows x cols} values {@code mean + std * u}, u uniform with unit variance (cheap to
     * draw; shape of the distribution does not matter here). Filled in parallel for the full-size benchmark.
     */
    public static Tensor tensor(SplittableRandom random, double mean, double std, long... shape) {
        int n = Math.toIntExact(Tensor.numel(shape));
        float[] v = new float[n];
        long base = random.nextLong();
        int block = 1 << 16;
        IntStream.range(0, (n + block - 1) / block).parallel().forEach(b -> {
            SplittableRandom r = new SplittableRandom(base + b * 0x9E3779B97F4A7C15L);
            float a = (float) (std * Math.sqrt(3)), m = (float) mean;
            for (int i = b * block, end = Math.min(n, i + block); i < end; i++) v[i] = m + a * (float) (2 * r.nextDouble() - 1);
        });
        return Tensor.of(v, shape);
    }
}
