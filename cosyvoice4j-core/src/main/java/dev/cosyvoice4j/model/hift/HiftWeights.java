package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reads {@code hift.pt} tensors for the vocoder classes: resolves the optional {@code generator.} prefix (the
 * official loader strips it, {@code cosyvoice/cli/model.py:71}) and resolves weight norm.
 *
 * <p>Weight norm ({@code torch.nn.utils.parametrizations.weight_norm}, dim 0): {@code original0} is g
 * {@code [out, 1, 1]}, {@code original1} is v; {@code w[o] = g[o] * v[o] / ||v[o]||} with the norm over every
 * dimension but 0 and no epsilon ({@code torch._weight_norm}). Most convs keep v as the file's memory-mapped view
 * and apply the per-channel scale {@code g / ||v||} to their output ({@link WeightNormConv}): the vocoder is then
 * ready without writing 83 MB of folded copies (fresh memory is slow to touch on VMs: ~2-3 ms per MB measured
 * here, most of the load time before). Tensors returned here are views of the store, which must stay open while
 * the vocoder is used.
 */
final class HiftWeights {
    private static final String WN_G = ".parametrizations.weight.original0";
    private static final String WN_V = ".parametrizations.weight.original1";

    private final WeightStore store;
    private final String prefix;

    HiftWeights(WeightStore store) {
        this.store = store;
        boolean plain = store.has("conv_pre.bias");
        boolean prefixed = store.has("generator.conv_pre.bias");
        if (!plain && !prefixed) {
            throw new ModelFormatException(store.file(), "not a HiFT checkpoint: no 'conv_pre.bias' tensor");
        }
        this.prefix = plain ? "" : "generator.";
    }

    WeightStore store() { return store; }

    /** The full key of a reference module name (e.g. {@code "conv_pre.bias"}). */
    String key(String name) { return prefix + name; }

    boolean has(String name) { return store.has(prefix + name); }

    /** The tensor {@code name}, float32, exactly {@code shape}: a view of the store. */
    Tensor take(String name, long... shape) {
        return store.take(prefix + name, shape);
    }

    /** The tensor {@code name}, which must exist; shape left to the caller. */
    Tensor takeAnyShape(String name) { return store.takeAnyShape(prefix + name); }

    /** Shape of the weight-norm direction tensor v of module {@code module} (for deriving sizes). */
    long[] weightNormShape(String module) {
        if (!store.has(prefix + module + WN_V)) {
            throw new ModelFormatException(store.file(), "missing tensor '" + prefix + module + WN_V + "'");
        }
        return store.takeAnyShape(prefix + module + WN_V).shape();
    }

    /** The weight-normed conv {@code module} (weight {@code shape}, with its bias) as v plus output scales. */
    WeightNormConv weightNormConv(String module, ConvSpec spec, long... shape) {
        Tensor v = store.take(prefix + module + WN_V, shape);
        Tensor bias = take(module + ".bias", shape[0]);
        float[] scale = scales(module, v, shape);
        return new WeightNormConv(v, Tensor.of(scale, scale.length), bias, spec);
    }

    /**
     * {@code g[o] / ||v[o]||} per output channel as torch rounds it for the float32 fold: the norm accumulated in
     * double, then {@code g / (float) norm} in float32.
     */
    private float[] scales(String module, Tensor v, long... shape) {
        Tensor g = store.take(prefix + module + WN_G, shape[0], 1, 1);
        double[] ss = squaredNorms(v);
        float[] scale = new float[ss.length];
        for (int o = 0; o < scale.length; o++) {
            scale[o] = (float) (g.getFloat(o) / (float) Math.sqrt(ss[o]));
            checkFinite(module, scale[o]);
        }
        return scale;
    }

    /**
     * {@code sum v[o, ...]^2} per output channel, in double. Rows are read by bulk copies into one small buffer
     * (element reads of a mapped segment are slow until the JIT compiles them, and load runs cold).
     */
    private static double[] squaredNorms(Tensor v) {
        int out = v.dim(0), inner = Math.toIntExact(v.numel() / out);
        float[] row = new float[inner];
        double[] ss = new double[out];
        for (int o = 0; o < out; o++) {
            MemorySegment.copy(v.data(), Tensor.F32_LE, (long) o * inner * Float.BYTES, row, 0, inner);
            double sum = 0;
            for (float x : row) sum += (double) x * x;
            ss[o] = sum;
        }
        return ss;
    }

    /** The direction v of a weight-normed module (a view of the store), shape checked. */
    Tensor weightNormDirection(String module, long... shape) {
        return store.take(prefix + module + WN_V, shape);
    }

    /**
     * {@code g[o] / ||v[o]||} in float64 (the F0 predictor runs in double, generator.py:716; torch then forms
     * {@code v * (g / norm)}, so {@code (double) v * scale} is its folded weight exactly).
     */
    double[] weightNormScalesDouble(String module, Tensor v) {
        Tensor g = store.take(prefix + module + WN_G, v.dim(0), 1, 1);
        double[] ss = squaredNorms(v), scale = new double[ss.length];
        for (int o = 0; o < scale.length; o++) {
            scale[o] = g.getDouble(o) / Math.sqrt(ss[o]);
            checkFinite(module, scale[o]);
        }
        return scale;
    }

    private void checkFinite(String module, double scale) {
        if (!Double.isFinite(scale)) {
            throw new ModelFormatException(store.file(), "weight norm of '" + prefix + module
                    + "' is not finite (a zero direction vector?)");
        }
    }

    static String shape(long[] s) { return Arrays.toString(s); }
}
