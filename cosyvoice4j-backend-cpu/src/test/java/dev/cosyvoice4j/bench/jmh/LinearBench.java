package dev.cosyvoice4j.bench.jmh;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code linear} at the shapes the model runs: DiT (rows = 2 x frames = 628, K/N 1024/3072/4096), Qwen2 prefill
 * (127 rows, K 896) and decode mat-vecs (1 row; 896 -> 4864 MLP, 4864 -> 896, 896 -> 6761 speech-token head),
 * F32 and the quantised Q8_0 / Q4_0 weights (prepared by the backend, as a model load does). {@code naive} is a plain Vector API dot-product loop (one output at a
 * time, one thread) as the baseline. Weights live in native memory, as a memory-mapped checkpoint; mat-vec shapes
 * cycle through enough weight copies (256 MiB) that every call streams its weight from DRAM, as a decode step
 * over 24 layers does.
 * Run through {@link JmhMain}, which converts times to GFLOP/s, GB/s and roofline fractions.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
public class LinearBench {
    /** rows x K x N. */
    @Param({"628x1024x1024", "628x1024x3072", "628x4096x1024", "127x896x4864", "1x896x4864", "1x4864x896", "1x896x6761"})
    public String shape;

    @Param({"F32"})
    public String dtype;

    @Param({"2"})
    public int threads;

    /** The backend computing {@link #vector()} ({@code cpu}, {@code scalar}). */
    @Param({"cpu"})
    public String backend;

    /** Weight copies cycled through so that mat-vecs stream from DRAM, not from a warm L3 (32 MiB here). */
    static final long COLD_BYTES = 256L << 20;

    int rows, k, n, next;
    float[] x, out;
    Buf xBuf, outBuf;
    Tensor[] w, wF32;
    Backend b;
    Arena arena;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        rows = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        arena = Arena.ofShared();
        SplittableRandom r = new SplittableRandom(1);
        long bytes = (long) n * k * Float.BYTES;
        int copies = rows == 1 ? (int) Math.min(32, (COLD_BYTES + bytes - 1) / bytes) : 1;
        b = Backends.open(backend, BackendOptions.defaults().withThreads(threads));
        wF32 = new Tensor[copies];
        w = new Tensor[copies];
        for (int c = 0; c < copies; c++) {
            MemorySegment seg = arena.allocate(bytes, 64);
            for (long i = 0; i < (long) n * k; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (r.nextGaussian() * 0.05));
            wF32[c] = new Tensor(DType.F32, new long[]{n, k}, seg);
            w[c] = b.prepare(wF32[c], WeightKind.LINEAR, Precision.valueOf(dtype), null);
        }
        x = new float[rows * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        out = new float[rows * n];
        xBuf = b.upload(x, rows, k);
        outBuf = b.alloc(rows, n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        b.close();
        arena.close();
    }

    /** The backend's {@code linear} (named for the Vector API kernels of the cpu backend). */
    @Benchmark
    public Buf vector() {
        next = next + 1 == w.length ? 0 : next + 1;
        b.linear(outBuf, xBuf, w[next], null);
        return outBuf;
    }

    /** Baseline: out[m, j] = dot(x_m, w_j) with one vector accumulator, single thread, F32 weights. */
    @Benchmark
    public float[] naive() {
        next = next + 1 == w.length ? 0 : next + 1;
        naiveLinear(out, x, rows, wF32[next].data(), n, k);
        return out;
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static void naiveLinear(float[] out, float[] x, int rows, MemorySegment w, int n, int k) {
        int kv = k - k % F.length();
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < n; j++) {
                FloatVector acc = FloatVector.zero(F);
                long wo = (long) j * k * Float.BYTES;
                int p = 0;
                for (; p < kv; p += F.length()) {
                    acc = FloatVector.fromMemorySegment(F, w, wo + (long) p * Float.BYTES, ByteOrder.LITTLE_ENDIAN)
                            .fma(FloatVector.fromArray(F, x, m * k + p), acc);
                }
                float s = acc.reduceLanes(VectorOperators.ADD);
                for (; p < k; p++) s += x[m * k + p] * w.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) j * k + p);
                out[m * n + j] = s;
            }
        }
    }
}
