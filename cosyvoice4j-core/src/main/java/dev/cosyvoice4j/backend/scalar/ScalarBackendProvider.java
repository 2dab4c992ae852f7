package dev.cosyvoice4j.backend.scalar;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.spi.BackendProvider;

import java.util.Optional;
import java.util.Set;

/**
 * Registers {@link ScalarBackend} as {@code scalar} (listed in
 * {@code META-INF/services/dev.cosyvoice4j.backend.spi.BackendProvider}). Runs anywhere: plain Java, no Vector API,
 * no native library. {@link BackendOptions#threads()} is ignored (one thread).
 */
public final class ScalarBackendProvider implements BackendProvider {
    @Override public String name() { return ScalarBackend.NAME; }

    @Override public String summary() { return "plain Java loops on one thread: the specification of every operation (slow)"; }

    @Override public Optional<String> unavailableReason() { return Optional.empty(); }

    @Override public Set<Precision> precisions() { return Set.of(Precision.F32, Precision.Q8_0, Precision.Q4_0); }

    @Override public Backend open(BackendOptions options) { return new ScalarBackend(); }
}
