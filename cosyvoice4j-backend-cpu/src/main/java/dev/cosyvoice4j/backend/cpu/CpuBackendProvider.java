package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.spi.BackendProvider;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds {@link CpuBackend} as {@code cpu} (registered in {@code META-INF/services}). It needs the incubating Vector
 * API module ({@code --add-modules jdk.incubator.vector}); this class touches no vector class itself, so listing the
 * providers works without it and the reason is reported instead.
 */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() { return "cpu"; }

    @Override
    public String summary() {
        return "Vector API kernels (AVX-512 where available) on a thread pool; q8_0/q4_0 LLM weights; oneDNN for bf16";
    }

    @Override
    public Optional<String> unavailableReason() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? Optional.empty()
                : Optional.of("the JVM runs without the Vector API module (add --add-modules jdk.incubator.vector)");
    }

    /** All four; BF16 only where oneDNN loads ({@link Backend#supports} tells after {@link #open}, loading it). */
    @Override
    public Set<Precision> precisions() { return EnumSet.allOf(Precision.class); }

    @Override
    public Backend open(BackendOptions options) { return new CpuBackend(options); }
}
