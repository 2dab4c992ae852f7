package dev.cosyvoice4j.bench;

/**
 * The thing being benchmarked: a synthesis engine for one {@link BenchSetup}. The runner calls {@link #load()}
 * once (timed), then {@link #run} once per warm-up and measured iteration, then {@link #close()}.
 *
 * <p>{@code run} synthesises {@code c} completely before returning and reports into {@code rec}: every audio
 * chunk as it is produced ({@link TraceRecorder#chunk(int)}; non-streaming = one chunk at the end) and the
 * stage timings ({@link TraceRecorder#stage(Stage, long)} with durations from {@link TraceRecorder#now()} or
 * its own {@code System.nanoTime()} differences). The runner marks start and end around the call.
 */
public interface BenchTarget extends AutoCloseable {
    LoadInfo load() throws Exception;

    void run(BenchCase c, TraceRecorder rec) throws Exception;

    @Override
    default void close() throws Exception {}
}
