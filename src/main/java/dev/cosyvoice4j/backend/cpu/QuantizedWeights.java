package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.tensor.Tensor;

/** Q8_0 / Q4_0 weights (work in progress). */
public final class QuantizedWeights {
    private QuantizedWeights() {}

    static void linear(KernelPool pool, float[] out, float[] x, int rows, Tensor w, float[] bias) {
        throw new UnsupportedOperationException("not yet");
    }
}
