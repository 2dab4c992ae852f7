package dev.cosyvoice4j.bench.jmh;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Precision;
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
 * The other heavy backend operations at model shapes: DiT attention (314 x 314, 16 heads x 64), Qwen2 decode attention
 * (1 query, 500 keys, 14/2 heads x 64), HiFT's last-stage ResBlock conv (64 -> 64 channels, k 7, dilation 3,
 * 67200 samples), the DiT's grouped conv (1024 channels, k 31, groups 16, 314 frames), HiFT's last upsampling
 * (nearest x3 then conv 128 -> 64, k 7, in the vocoder's polyphase form: a conv 128 -> 3 x 64 with k 3 over 22400
 * frames, then the interleave to time order) and snake over 64 x 67200. The first calls run interpreted Vector API
 * code (seconds per call), hence the long warm-up. {@code backend} names the backend ({@code cpu}, {@code scalar}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpsBench {
    @Param({"cpu"})
    public String backend;

    @Param({"2"})
    public int threads;

    Backend b;
    Buf q, kv, attnOut, qd, kd, attnOutD;
    Buf convX, convOut, gX, gOut, uX, uPhases, uOut, snakeX;
    Tensor convW, convB, gW, uW, alpha;

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    Buf random(SplittableRandom r, int rows, int cols) { return b.upload(random(r, rows * cols), rows, cols); }

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(3);
        b = Backends.open(backend, BackendOptions.defaults().withThreads(threads));
        q = random(r, 314, 1024);
        kv = random(r, 314, 1024);
        attnOut = b.alloc(314, 1024);
        qd = random(r, 1, 14 * 64);
        kd = random(r, 500, 2 * 64);
        attnOutD = b.alloc(1, 14 * 64);
        convX = random(r, 64, 67200);
        convOut = b.alloc(64, 67200);
        convW = Tensor.of(random(r, 64 * 64 * 7), 64, 64, 7);
        convB = Tensor.of(random(r, 64), 64);
        gX = random(r, 1024, 314);
        gOut = b.alloc(1024, 314);
        gW = Tensor.of(random(r, 1024 * 64 * 31), 1024, 64, 31);
        uX = random(r, 128, 22400);
        uPhases = b.alloc(3 * 64, 22400);
        uOut = b.alloc(64, 3 * 22400);
        uW = Tensor.of(random(r, 3 * 64 * 128 * 3), 3 * 64, 128, 3);
        snakeX = random(r, 64, 67200);
        float[] a = random(r, 64);
        for (int i = 0; i < a.length; i++) a[i] += 1.5f;
        alpha = Tensor.of(a, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() { b.close(); }

    /** 2 x 314^2 x 64 x 16 x 2 = 404 MFLOP. */
    @Benchmark
    public Buf ditAttention() {
        b.attention(attnOut, q, kv, kv, 16, 16, 0.125f, AttentionMask.full(314), Precision.F32);
        return attnOut;
    }

    @Benchmark
    public Buf decodeAttention() {
        b.attention(attnOutD, qd, kd, kd, 14, 2, 0.125f, AttentionMask.causal(499), Precision.F32);
        return attnOutD;
    }

    /** 2 x 64 x 64 x 7 x 67200 = 3.85 GFLOP. */
    @Benchmark
    public Buf hiftConv() {
        b.conv1d(convOut, convX, convW, convB, ConvSpec.of(1, 9, 9, 3, 1));
        return convOut;
    }

    /** 2 x 1024 x 64 x 31 x 314 = 1.28 GFLOP. */
    @Benchmark
    public Buf ditGroupedConv() {
        b.conv1d(gOut, gX, gW, null, ConvSpec.of(1, 15, 15, 1, 16));
        return gOut;
    }

    /** 2 x 192 x 128 x 3 x 22400 = 3.30 GFLOP, then a copy of 64 x 67200 values. */
    @Benchmark
    public Buf hiftUpsample() {
        b.conv1d(uPhases, uX, uW, null, ConvSpec.of(1, 2, 0, 1, 1));
        b.polyphaseInterleave(uOut, uPhases, false);
        return uOut;
    }

    @Benchmark
    public Buf snake() {
        b.snake(snakeX, alpha);
        return snakeX;
    }
}
