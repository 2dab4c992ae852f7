package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Reads {@code hift.pt} tensors for the vocoder classes: resolves the optional {@code generator.} prefix (the
 * official loader strips it, {@code cosyvoice/cli/model.py:71}) and folds weight norm once at load time.
 *
 * <p>Weight norm ({@code torch.nn.utils.parametrizations.weight_norm}, dim 0): {@code original0} is g
 * {@code [out, 1, 1]}, {@code original1} is v; {@code w[o] = g[o] * v[o] / ||v[o]||} with the norm over every
 * dimension but 0 and no epsilon ({@code torch._weight_norm}). The folded weight is a new native tensor.
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

    /**
     * The tensor {@code name}, float32, exactly {@code shape}, copied out of the file: the vocoder keeps no view of
     * the file (83 MB at full size, most of it folded copies anyway), so the store may be closed after loading.
     */
    Tensor take(String name, long... shape) {
        return Tensor.copyOf(store.take(prefix + name, shape));
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

    /** The effective float32 weight {@code g * v / ||v||} of a weight-normed module, shape checked. */
    Tensor weightNorm(String module, long... shape) {
        return Tensor.of(weightNormValues(module, shape), shape);
    }

    /** {@link #weightNorm}'s values as a plain array (for callers that rearrange them further). */
    float[] weightNormValues(String module, long... shape) {
        Tensor g = store.take(prefix + module + WN_G, shape[0], 1, 1);
        Tensor v = store.take(prefix + module + WN_V, shape);
        int out = Math.toIntExact(shape[0]);
        int inner = Math.toIntExact(v.numel() / out);
        float[] w = v.toFloatArray();   // folded in place: one copy of the weight, not two (load time is page faults)
        for (int o = 0; o < out; o++) {
            double ss = 0;
            for (int i = o * inner; i < (o + 1) * inner; i++) ss += (double) w[i] * w[i];
            // torch: v * (g / norm) in float32
            float scale = (float) (g.getFloat(o) / (float) Math.sqrt(ss));
            checkFinite(module, scale);
            for (int i = o * inner; i < (o + 1) * inner; i++) w[i] *= scale;
        }
        return w;
    }

    /** The effective weight folded in float64 (the F0 predictor runs in double, generator.py:716). */
    double[] weightNormDouble(String module, long... shape) {
        Tensor g = store.take(prefix + module + WN_G, shape[0], 1, 1);
        Tensor v = store.take(prefix + module + WN_V, shape);
        int out = Math.toIntExact(shape[0]);
        int inner = Math.toIntExact(v.numel() / out);
        double[] vv = v.toDoubleArray();
        double[] w = new double[vv.length];
        for (int o = 0; o < out; o++) {
            double ss = 0;
            for (int i = o * inner; i < (o + 1) * inner; i++) ss += vv[i] * vv[i];
            double scale = g.getDouble(o) / Math.sqrt(ss);
            checkFinite(module, scale);
            for (int i = o * inner; i < (o + 1) * inner; i++) w[i] = vv[i] * scale;
        }
        return w;
    }

    private void checkFinite(String module, double scale) {
        if (!Double.isFinite(scale)) {
            throw new ModelFormatException(store.file(), "weight norm of '" + prefix + module
                    + "' is not finite (a zero direction vector?)");
        }
    }

    static String shape(long[] s) { return Arrays.toString(s); }
}
