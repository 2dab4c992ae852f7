package dev.cosyvoice4j.backend.spi;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Precision;

import java.util.Optional;
import java.util.Set;

/**
 * A kind of {@link Backend}, found at run time with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/dev.cosyvoice4j.backend.spi.BackendProvider}) and chosen by {@link #name()}.
 */
public interface BackendProvider {
    /** The name users choose it by ({@code --backend NAME}). */
    String name();

    /** One line: what it computes with. */
    String summary();

    /** Empty when the backend can run on this machine; otherwise why not (naming what is missing). */
    Optional<String> unavailableReason();

    /** The precisions its linear layers support. */
    Set<Precision> precisions();

    /** Opens it. */
    Backend open(BackendOptions options);
}
