package dev.cosyvoice4j.model.flow;

/**
 * PyTorch's CPU {@code torch.randn} for float32 tensors of at least 16 elements, regenerated bit for bit up to
 * the last ulp of log/sin/cos: {@code at::mt19937} (seeded like {@code torch.manual_seed}), uniforms
 * {@code (random() & 0xFFFFFF) * 2^-24}, then {@code normal_fill}'s Box-Muller on blocks of 16 (pairs
 * {@code (i, i + 8)}), the last block redrawn when {@code numel % 16 != 0}.
 *
 * <p>Ports aten/src/ATen/core/MT19937RNGEngine.h, aten/src/ATen/core/TransformationHelper.h
 * ({@code uniform_real}) and aten/src/ATen/native/cpu/DistributionTemplates.h ({@code normal_fill},
 * {@code normal_fill_16}; the AVX2 variant differs only in its log/sincos approximations). It exists for the
 * CFM noise buffer ({@link CausalConditionalCfm#noise}); golden: the {@code z} of {@code flow/*}/cfm.
 */
public final class TorchRandn {
    private TorchRandn() {}

    /** {@code torch.manual_seed(seed); torch.randn(n)} (float32, mean 0, std 1), {@code n >= 16}. */
    public static float[] randn(long seed, int n) {
        if (n < 16) throw new IllegalArgumentException("randn of " + n + " < 16 elements uses another torch path");
        Mt19937 rng = new Mt19937(seed);
        float[] data = new float[n];
        for (int i = 0; i < n; i++) data[i] = rng.uniformFloat();
        for (int i = 0; i + 16 <= n; i += 16) normalFill16(data, i);
        if (n % 16 != 0) {
            // torch recomputes the last 16 values from fresh uniforms (overwriting part of the last full block)
            int off = n - 16;
            for (int i = 0; i < 16; i++) data[off + i] = rng.uniformFloat();
            normalFill16(data, off);
        }
        return data;
    }

    private static void normalFill16(float[] data, int off) {
        final float twoPi = (float) (2.0 * Math.PI);
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - data[off + j]; // [0, 1) -> (0, 1] for the log
            float u2 = data[off + j + 8];
            float radius = (float) Math.sqrt(-2f * (float) StrictMath.log(u1));
            float theta = twoPi * u2;
            data[off + j] = radius * (float) StrictMath.cos(theta);
            data[off + j + 8] = radius * (float) StrictMath.sin(theta);
        }
    }

    /** The 32-bit Mersenne Twister of {@code at::mt19937} (standard MT19937, {@code init_genrand} seeding). */
    static final class Mt19937 {
        private static final int N = 624, M = 397;
        private final int[] state = new int[N];
        private int index;

        Mt19937(long seed) {
            state[0] = (int) seed;
            for (int j = 1; j < N; j++) state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
            index = N;
        }

        int next() {
            if (index >= N) twist();
            int y = state[index++];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9d2c5680;
            y ^= (y << 15) & 0xefc60000;
            y ^= y >>> 18;
            return y;
        }

        /** {@code at::uniform_real_distribution<float>(0, 1)}: the low 24 bits of one 32-bit draw. */
        float uniformFloat() {
            return (next() & 0xFFFFFF) * 0x1.0p-24f;
        }

        private void twist() {
            for (int i = 0; i < N; i++) {
                int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
                int v = state[(i + M) % N] ^ (y >>> 1);
                if ((y & 1) != 0) v ^= 0x9908b0df;
                state[i] = v;
            }
            index = 0;
        }
    }
}
