package dev.cosyvoice4j.bench.jmh;

import dev.cosyvoice4j.backend.cpu.Roofline;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.Collection;
import java.util.Locale;

/**
 * Runs the backend JMH benchmarks and prints each result as GFLOP/s and GB/s and as a fraction of this machine's
 * measured {@link Roofline} (FMA peak for GEMM-like work, read bandwidth for mat-vecs).
 *
 * <pre>
 * mvn -q -o -Dcv.buildDir=target-kern test-compile
 * mvn -q -o -Dcv.buildDir=target-kern dependency:build-classpath -Dmdep.outputFile=target-kern/cp.txt -Dmdep.includeScope=test
 * java --add-modules jdk.incubator.vector -cp target-kern/test-classes:target-kern/classes:$(cat target-kern/cp.txt) \
 *      dev.cosyvoice4j.bench.jmh.JmhMain [-quick] [include-regex] [-p threads=1,2] [-p backend=cpu,scalar] [-p dtype=F32,Q8_0,Q4_0] [-p shape=1x896x4864]
 * </pre>
 * {@code -quick} shortens warm-up and measurement (5 + 3 half-second iterations; the slowest ops may not be fully
 * compiled by then). The default include is every
 * benchmark in this package. Extra {@code -p name=v1,v2} arguments override @Param
 * values. The machine may be shared: run it when idle, or compare the roofline line printed alongside.
 */
public final class JmhMain {
    private JmhMain() {}

    public static void main(String[] args) throws Exception {
        String include = "dev\\.cosyvoice4j\\.bench\\.jmh\\..*";
        OptionsBuilder ob = new OptionsBuilder();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-quick")) {
                ob.warmupIterations(5).warmupTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(500))
                        .measurementIterations(3).measurementTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(500));
            } else if (args[i].equals("-p") && i + 1 < args.length) {
                String[] kv = args[++i].split("=", 2);
                ob.param(kv[0], kv[1].split(","));
            } else {
                include = args[i];
            }
        }
        Options opts = ob.include(include).build();
        int maxThreads = Runtime.getRuntime().availableProcessors();
        Roofline before = Roofline.measure(maxThreads);
        Collection<RunResult> results = new Runner(opts).run();
        Roofline after = Roofline.measure(maxThreads);
        // on a shared machine each probe can only under-estimate: keep the better of the two
        Roofline roof = new Roofline(maxThreads, Math.max(before.gflopsOneThread(), after.gflopsOneThread()),
                Math.max(before.gflopsAllThreads(), after.gflopsAllThreads()), Math.max(before.readGBsOneThread(), after.readGBsOneThread()),
                Math.max(before.readGBsAllThreads(), after.readGBsAllThreads()));
        System.out.println();
        System.out.println("roofline: " + roof);
        System.out.printf(Locale.ROOT, "%-40s %-26s %12s %10s %9s %9s%n", "benchmark", "params", "us/op", "GFLOP/s", "GB/s", "roofline");
        for (RunResult rr : results) {
            var params = rr.getParams();
            String bench = params.getBenchmark().replaceFirst(".*\\.jmh\\.", "");
            double us = rr.getPrimaryResult().getScore();
            int threads = params.getParamsKeys().contains("threads") ? Integer.parseInt(params.getParam("threads")) : 1;
            if (bench.endsWith(".naive")) threads = 1;
            Work work = work(bench, params);
            double gflops = work.flops / (us * 1e3), gbs = work.bytes / (us * 1e3);
            String frac = work.memoryBound
                    ? String.format(Locale.ROOT, "%.0f%% BW", 100 * gbs / roof.readGBs(threads))
                    : String.format(Locale.ROOT, "%.0f%% FMA", 100 * gflops / roof.peakGflops(threads));
            StringBuilder ps = new StringBuilder();
            for (String key : params.getParamsKeys()) ps.append(key).append('=').append(params.getParam(key)).append(' ');
            System.out.printf(Locale.ROOT, "%-40s %-26s %12.1f %10.1f %9.2f %9s%n", bench, ps.toString().trim(), us, gflops, gbs, frac);
        }
    }

    /** Floating-point operations and main-memory bytes of one benchmark operation. */
    record Work(double flops, double bytes, boolean memoryBound) {}

    static Work work(String bench, org.openjdk.jmh.infra.BenchmarkParams params) {
        if (bench.startsWith("LinearBench")) {
            String[] s = params.getParam("shape").split("x");
            double rows = Double.parseDouble(s[0]), k = Double.parseDouble(s[1]), n = Double.parseDouble(s[2]);
            String dtype = bench.endsWith(".naive") ? "F32" : params.getParam("dtype");
            double bytesPerWeight = switch (dtype) {
                case "Q8_0" -> 34.0 / 32;
                case "Q4_0" -> 18.0 / 32;
                default -> 4;
            };
            return new Work(2 * rows * k * n, n * k * bytesPerWeight + 4 * rows * (k + n), rows == 1);
        }
        return switch (bench) {
            case "OpsBench.ditAttention" -> new Work(2.0 * 2 * 314 * 314 * 64 * 16, 4.0 * 3 * 314 * 1024, false);
            case "OpsBench.decodeAttention" -> new Work(2.0 * 2 * 500 * 64 * 14, 4.0 * 2 * 500 * 128, true);
            case "OpsBench.hiftConv" -> new Work(2.0 * 64 * 64 * 7 * 67200, 4.0 * 2 * 64 * 67200, false);
            case "OpsBench.ditGroupedConv" -> new Work(2.0 * 1024 * 64 * 31 * 314, 4.0 * (2 * 1024 * 314 + 1024 * 64 * 31), false);
            case "OpsBench.hiftUpsample" -> new Work(2.0 * 192 * 128 * 3 * 22400, 4.0 * (128 * 22400 + 2 * 192 * 22400 + 64 * 67200), false);
            case "OpsBench.snake" -> new Work(0, 4.0 * 2 * 64 * 67200, true);
            default -> new Work(0, 0, false);
        };
    }
}
