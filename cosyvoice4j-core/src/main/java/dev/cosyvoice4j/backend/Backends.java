package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.backend.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** The registry of backend providers on the class path, by name. */
public final class Backends {
    /** The backend used when none is named. */
    public static final String DEFAULT = "cpu";

    private Backends() {}

    /** Every provider found, by name. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) all.add(p);
        all.sort(Comparator.comparing(BackendProvider::name));
        return all;
    }

    /** The names of all providers found. */
    public static List<String> names() { return providers().stream().map(BackendProvider::name).toList(); }

    /** The provider called {@code name}. */
    public static BackendProvider provider(String name) {
        for (BackendProvider p : providers()) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("unknown backend '" + name + "' (available: " + String.join(", ", names()) + ")");
    }

    /**
     * Opens the backend called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, or one that cannot run here (with the reason)
     */
    public static Backend open(String name, BackendOptions options) {
        BackendProvider p = provider(name);
        p.unavailableReason().ifPresent(why -> {
            throw new IllegalArgumentException("backend '" + name + "' is unavailable: " + why);
        });
        return p.open(options);
    }
}
