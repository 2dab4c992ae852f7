package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.io.PtWriter;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Seeded, counter-based synthetic weights: element {@code i} of tensor {@code name} is a pure function of
 * (seed, name, i) — splitmix64 of {@code tensorSeed + (i + 1) * golden}, the same construction as the fixtures'
 * {@code golden_uniform}. Any slice can be produced independently (streaming, no state), the values do not
 * depend on the order the tensors are written in, and a weight-norm magnitude can recompute its kernel's norms.
 *
 * <p>Normals are the Irwin-Hall sum of the four 16-bit quarters of one 64-bit draw, rescaled to unit variance:
 * one multiply-xorshift hash per value (hundreds of millions of values per second), bounded at +-3.46 sigma,
 * which is all random weights for benchmarking need.
 */
public final class WeightGenerator {
    static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** sqrt(3) / 65536: Irwin-Hall(4) of 16-bit uniforms has variance ~65536^2 / 3 and mean 2 * 65535. */
    private static final double IRWIN_HALL_SCALE = Math.sqrt(3.0) / 65536.0;
    private static final double IRWIN_HALL_MEAN = 2 * 65535.0;
    /** Floats per streamed chunk (4 MiB). */
    static final int CHUNK = 1 << 20;

    private final long seed;

    public WeightGenerator(long seed) { this.seed = seed; }

    public long seed() { return seed; }

    /** splitmix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The per-tensor stream offset: FNV-1a of the name mixed with the seed. */
    long tensorSeed(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return mix(h ^ mix(seed));
    }

    static double uniform(long bits) { return (bits >>> 40) * 0x1p-24; }

    /** Elements {@code [from, from + n)} of {@code spec} (row-major) into {@code dst[0, n)}. */
    public void fill(TensorSpec spec, long from, float[] dst, int n) {
        if (from < 0 || n < 0 || from + n > spec.numel()) {
            throw new IllegalArgumentException(spec + ": range [" + from + ", " + (from + n) + ") out of bounds");
        }
        fill(spec.init(), tensorSeed(spec.name()), from, dst, 0, n);
    }

    /** All values of a (small) tensor. */
    public float[] values(TensorSpec spec) {
        float[] v = new float[Math.toIntExact(spec.numel())];
        fill(spec, 0, v, v.length);
        return v;
    }

    private void fill(Init init, long ts, long from, float[] dst, int off, int n) {
        switch (init) {
            case Init.Normal(double mean, double std) -> fillNormal(ts + (from + 1) * GOLDEN, dst, off, n, mean, std);
            case Init.Uniform(double lo, double hi) -> {
                long z = ts + (from + 1) * GOLDEN;
                for (int i = 0; i < n; i++, z += GOLDEN) dst[off + i] = (float) (lo + (hi - lo) * uniform(mix(z)));
            }
            case Init.Constant(double value) -> java.util.Arrays.fill(dst, off, off + n, (float) value);
            case Init.Values v -> System.arraycopy(v.values(), Math.toIntExact(from), dst, off, n);
            case Init.Piecewise(long split, Init head, Init tail) -> {
                int nHead = (int) Math.max(0, Math.min(n, split - from));
                if (nHead > 0) fill(head, ts, from, dst, off, nHead);
                if (n > nHead) fill(tail, ts, from + nHead, dst, off + nHead, n - nHead);
            }
            case Init.WeightNormGain(TensorSpec v, double lo, double hi) -> {
                double[] norms = rowNorms(v, from, n);
                long z = ts + (from + 1) * GOLDEN;
                for (int i = 0; i < n; i++, z += GOLDEN) dst[off + i] = (float) (norms[i] * (lo + (hi - lo) * uniform(mix(z))));
            }
            case Init.Tied t -> throw new IllegalArgumentException("a tied tensor has no values of its own (tied to " + t.target() + ")");
        }
    }

    /** The hot loop (multi-GB): kept small and branch-free so that the JIT unrolls it; float math only. */
    private static void fillNormal(long z, float[] dst, int off, int n, double mean, double std) {
        float m = (float) (mean - IRWIN_HALL_MEAN * IRWIN_HALL_SCALE * std), k = (float) (IRWIN_HALL_SCALE * std);
        for (int i = 0; i < n; i++) {
            long b = mix(z + i * GOLDEN);
            int sum = (int) (b & 0xFFFF) + (int) ((b >>> 16) & 0xFFFF) + (int) ((b >>> 32) & 0xFFFF) + (int) (b >>> 48);
            dst[off + i] = m + k * sum;
        }
    }

    /** L2 norms over all dims but 0 of rows {@code [row0, row0 + n)} of {@code v} (torch norm_except_dim(v, 2, 0)). */
    private double[] rowNorms(TensorSpec v, long row0, int n) {
        long[] shape = v.shape();
        long rowLen = v.numel() / shape[0];
        double[] norms = new double[n];
        float[] buf = new float[(int) Math.min(rowLen, CHUNK)];
        for (int r = 0; r < n; r++) {
            double sum = 0;
            for (long p = 0; p < rowLen; p += buf.length) {
                int m = (int) Math.min(buf.length, rowLen - p);
                fill(v, (row0 + r) * rowLen + p, buf, m);
                for (int i = 0; i < m; i++) sum += (double) buf[i] * buf[i];
            }
            norms[r] = Math.sqrt(sum);
        }
        return norms;
    }

    /**
     * A {@link PtWriter.DataSource} streaming {@code spec} as little-endian float32 in 4 MiB chunks, calling
     * {@code progress} with the bytes of each chunk and stopping with an InterruptedIOException when
     * {@code cancelled} turns true.
     */
    public PtWriter.DataSource source(TensorSpec spec, LongConsumer progress, BooleanSupplier cancelled) {
        return out -> {
            long numel = spec.numel();
            int chunk = (int) Math.min(CHUNK, Math.max(1, numel));
            float[] values = new float[chunk];
            ByteBuffer bytes = ByteBuffer.allocateDirect(chunk * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer floats = bytes.asFloatBuffer();
            for (long p = 0; p < numel; p += chunk) {
                if (cancelled.getAsBoolean()) throw new InterruptedIOException("cancelled while writing " + spec.name());
                int n = (int) Math.min(chunk, numel - p);
                fill(spec, p, values, n);
                floats.clear();
                floats.put(values, 0, n);
                bytes.clear().limit(n * Float.BYTES);
                while (bytes.hasRemaining()) out.write(bytes);
                progress.accept((long) n * Float.BYTES);
            }
        };
    }

    /** Convenience for callers without progress or cancellation. */
    public PtWriter.DataSource source(TensorSpec spec) { return source(spec, b -> {}, () -> false); }

}
