package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.backend.cpu.CpuOptions;
import dev.cosyvoice4j.backend.cpu.VectorKernels;

/** Chooses the compute kernels for the engine's options (the engine is where a backend is wired). */
final class Backends {
    private Backends() {}

    static Kernels cpu(EngineOptions options) {
        return new VectorKernels(new CpuOptions(options.threads()));
    }
}
