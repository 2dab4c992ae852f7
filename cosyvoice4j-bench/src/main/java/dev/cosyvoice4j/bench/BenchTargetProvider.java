package dev.cosyvoice4j.bench;

/**
 * Makes {@link BenchTarget}s; found with {@link java.util.ServiceLoader} (register the class name in
 * {@code META-INF/services/dev.cosyvoice4j.bench.BenchTargetProvider}) and chosen by {@code bench --target NAME}
 * (default "engine").
 */
public interface BenchTargetProvider {
    /** The name {@code --target} selects. */
    String name();

    /** A new, not yet loaded target. */
    BenchTarget create(BenchSetup setup);
}
