package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * One state_dict entry of a synthetic checkpoint: official key name, shape, how its values are drawn, and
 * whether it counts as a parameter (PyTorch {@code module.parameters()}, tied weights once) or is a buffer.
 */
public record TensorSpec(String name, long[] shape, Init init, boolean buffer) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(init, "init of " + name);
        shape = shape.clone();
        Tensor.numel(shape); // validates
    }

    public static TensorSpec param(String name, Init init, long... shape) { return new TensorSpec(name, shape, init, false); }

    public static TensorSpec buffer(String name, Init init, long... shape) { return new TensorSpec(name, shape, init, true); }

    @Override public long[] shape() { return shape.clone(); }

    public long numel() { return Tensor.numel(shape); }

    /** True when this entry shares another entry's storage. */
    public boolean tied() { return init instanceof Init.Tied; }

    @Override
    public String toString() { return name + " " + Arrays.toString(shape); }
}
