package dev.cosyvoice4j.bench.jmh;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.cpu.CpuOptions;
import dev.cosyvoice4j.backend.cpu.VectorKernels;
import dev.cosyvoice4j.tensor.Tensor;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The other heavy kernels at model shapes: DiT attention (314 x 314, 16 heads x 64), Qwen2 decode attention
 * (1 query, 500 keys, 14/2 heads x 64), HiFT's last-stage ResBlock conv (64 -> 64 channels, k 7, dilation 3,
 * 67200 samples), the DiT's grouped conv (1024 channels, k 31, groups 16, 314 frames), HiFT upsampling
 * convTranspose (128 -> 64, k 7, stride 3) and snake over 64 x 67200. The first calls run interpreted Vector API
 * code (seconds per call), hence the long warm-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpsBench {
    @Param({"2"})
    public int threads;

    VectorKernels kernels;
    float[] q, kv, attnOut, qd, kd, attnOutD;
    float[] convX, convOut, gX, gOut, tX, tOut, snakeX;
    Tensor convW, convB, gW, tW, alpha;

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(3);
        kernels = new VectorKernels(new CpuOptions(threads));
        q = random(r, 314 * 1024);
        kv = random(r, 314 * 1024);
        attnOut = new float[314 * 1024];
        qd = random(r, 14 * 64);
        kd = random(r, 500 * 2 * 64);
        attnOutD = new float[14 * 64];
        convX = random(r, 64 * 67200);
        convOut = new float[64 * 67200];
        convW = Tensor.of(random(r, 64 * 64 * 7), 64, 64, 7);
        convB = Tensor.of(random(r, 64), 64);
        gX = random(r, 1024 * 314);
        gOut = new float[1024 * 314];
        gW = Tensor.of(random(r, 1024 * 64 * 31), 1024, 64, 31);
        tX = random(r, 128 * 22400);
        tOut = new float[64 * ((22400 - 1) * 3 - 2 * 2 + 7)];
        tW = Tensor.of(random(r, 128 * 64 * 7), 128, 64, 7);
        snakeX = random(r, 64 * 67200);
        float[] a = random(r, 64);
        for (int i = 0; i < a.length; i++) a[i] += 1.5f;
        alpha = Tensor.of(a, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() { kernels.close(); }

    /** 2 x 314^2 x 64 x 16 x 2 = 404 MFLOP. */
    @Benchmark
    public float[] ditAttention() {
        kernels.attention(attnOut, q, kv, kv, 314, 314, 16, 16, 64, 0.125f, AttentionMask.full(314));
        return attnOut;
    }

    @Benchmark
    public float[] decodeAttention() {
        kernels.attention(attnOutD, qd, kd, kd, 1, 500, 14, 2, 64, 0.125f, AttentionMask.causal(499));
        return attnOutD;
    }

    /** 2 x 64 x 64 x 7 x 67200 = 3.85 GFLOP. */
    @Benchmark
    public float[] hiftConv() {
        kernels.conv1d(convOut, convX, 64, 67200, convW, convB, ConvSpec.of(1, 9, 9, 3, 1));
        return convOut;
    }

    /** 2 x 1024 x 64 x 31 x 314 = 1.28 GFLOP. */
    @Benchmark
    public float[] ditGroupedConv() {
        kernels.conv1d(gOut, gX, 1024, 314, gW, null, ConvSpec.of(1, 15, 15, 1, 16));
        return gOut;
    }

    /** 2 x 128 x 64 x 7 x 22400 = 2.57 GFLOP. */
    @Benchmark
    public float[] hiftConvTranspose() {
        kernels.convTranspose1d(tOut, tX, 128, 22400, tW, null, 3, 2);
        return tOut;
    }

    @Benchmark
    public float[] snake() {
        kernels.snake(snakeX, 64, 67200, alpha);
        return snakeX;
    }
}
