package dev.cosyvoice4j.backend.host;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.FloatMath;
import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.backend.NsfSpec;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plain-loop implementations over {@link HostBuf} of the {@link Backend} operations that are not matrix products:
 * the specification used by the scalar backend, and the implementation the cpu backend uses where it has no faster
 * kernel. Each method's arithmetic is the exact sequence of the model code it was moved from (named in its javadoc;
 * the golden cases hold that code to PyTorch), so do not reorder it. Float32 transcendentals are {@link FloatMath}'s
 * where the moved code used them; the code that used {@link StrictMath} in double (log-softmax, the timestep sinusoid,
 * the NSF source, ELU) keeps it: both are deterministic in every execution mode.
 *
 * <p>Every method checks its shapes on entry and throws {@link IllegalArgumentException} naming the operation and the
 * shapes. Stateless and thread-safe (the only shared state is an immutable per-{@code nFft} DFT table cache).
 */
public final class HostOps {
    private HostOps() {}

    // ---- checks ---------------------------------------------------------------------------------------------

    private static IllegalArgumentException bad(String op, String message) {
        return new IllegalArgumentException(op + ": " + message);
    }

    /** {@code b} must be a float32 buffer. */
    private static void f32(String op, String name, HostBuf b) {
        if (b.data == null) throw bad(op, name + " must be float32, got " + b.shape());
    }

    /** {@code b} must be a float64 buffer. */
    private static void f64(String op, String name, HostBuf b) {
        if (b.f64 == null) throw bad(op, name + " must be float64, got " + b.shape());
    }

    private static void sameShape(String op, String na, HostBuf a, String nb, HostBuf b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw bad(op, na + " " + a.shape() + " and " + nb + " " + b.shape() + " differ in shape");
        }
    }

    /** {@code t} must hold exactly {@code n} elements. */
    private static void numel(String op, String name, Tensor t, long n) {
        if (t == null || t.numel() != n) throw bad(op, name + " " + t + " must have " + n + " elements");
    }

    // ---- LLM ------------------------------------------------------------------------------------------------

    /**
     * In place {@code log_softmax} of each row (moved from {@code CosyVoice3LM.logSoftmax}): float32 max, the sum of
     * the float32 {@code exp(x - max)} accumulated in double (a sequential float sum of 6761 terms drifts by ~1e-6),
     * {@code shift = max + (float) log(sum)}.
     */
    public static void logSoftmax(HostBuf x) {
        f32("logSoftmax", "x", x);
        float[] d = x.data;
        int n = x.cols();
        for (int r = 0; r < x.rows(); r++) {
            int o = x.at(r, 0);
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) max = Math.max(max, d[o + i]);
            double sum = 0;
            for (int i = 0; i < n; i++) sum += (float) StrictMath.exp(d[o + i] - max);
            float shift = max + (float) StrictMath.log(sum);
            for (int i = 0; i < n; i++) d[o + i] -= shift;
        }
    }

    /**
     * {@code gatherRows}: row i of {@code out} = row {@code ids[i]} of {@code table [rows, cols]} (moved from
     * {@code Qwen2Model.copyRow}): float32 tables by one bulk copy per row, other dtypes through
     * {@link Tensor#getFloat}.
     */
    public static void gatherRows(HostBuf out, Tensor table, int[] ids) {
        String op = "gatherRows";
        f32(op, "out", out);
        if (table.rank() != 2) throw bad(op, "table " + table + " is not 2-d");
        int rows = table.dim(0), dim = table.dim(1);
        if (out.rows() != ids.length || out.cols() != dim) {
            throw bad(op, ids.length + " ids of table " + table + " do not fit out " + out.shape());
        }
        for (int id : ids) {
            if (id < 0 || id >= rows) throw bad(op, "id " + id + " is outside [0, " + rows + ")");
        }
        for (int i = 0; i < ids.length; i++) {
            int o = out.at(i, 0);
            long src = (long) ids[i] * dim;
            if (table.dtype() == DType.F32) {
                MemorySegment.copy(table.data(), Tensor.F32_LE, src * Float.BYTES, out.data, o, dim);
            } else {
                for (int j = 0; j < dim; j++) out.data[o + j] = table.getFloat(src + j);
            }
        }
    }

    // ---- flow -----------------------------------------------------------------------------------------------

    /**
     * {@code SinusPositionEmbedding} (moved from {@code DiT.timeEmbedding}): row b of {@code out [B, dim]} holds
     * {@code sin(a_i)} for {@code i < dim/2} then {@code cos(a_i)}, {@code a_i = (scale * t[b]) * (float) exp(i * s)}
     * with the float32 step {@code s = (float) -(ln 10000 / (dim/2 - 1))}; exp, sin and cos in double (StrictMath),
     * rounded to float32.
     */
    public static void sinusPositionEmbedding(HostBuf out, float[] t, float scale) {
        String op = "sinusPositionEmbedding";
        f32(op, "out", out);
        int dim = out.cols();
        if (out.rows() != t.length || dim % 2 != 0 || dim < 4) {
            throw bad(op, t.length + " values into out " + out.shape() + " (one row per value, an even width >= 4)");
        }
        int half = dim / 2;
        float step = (float) -(StrictMath.log(10000) / (half - 1));
        for (int b = 0; b < t.length; b++) {
            float scaled = scale * t[b];
            int o = out.at(b, 0);
            for (int i = 0; i < half; i++) {
                float a = scaled * (float) StrictMath.exp(i * step);
                out.data[o + i] = (float) StrictMath.sin(a);
                out.data[o + half + i] = (float) StrictMath.cos(a);
            }
        }
    }

    /** The rows of {@code x} per row of {@code mod} (the frames of one batch row), checking the column window. */
    private static int groupRows(String op, HostBuf x, HostBuf mod, int... cols) {
        f32(op, "x", x);
        f32(op, "mod", mod);
        if (mod.rows() < 1 || x.rows() % mod.rows() != 0) {
            throw bad(op, "rows of x " + x.shape() + " do not form " + mod.rows() + " equal groups of mod " + mod.shape());
        }
        for (int c : cols) {
            if (c < 0 || (long) c + x.cols() > mod.cols()) {
                throw bad(op, "columns [" + c + ", " + ((long) c + x.cols()) + ") of mod " + mod.shape() + " for x " + x.shape());
            }
        }
        return x.rows() / mod.rows();
    }

    /**
     * adaLN modulation in place, {@code x = x * (1 + scale) + shift} per row group (moved from {@code DiT.modulate}:
     * {@code 1 + scale} rounded to float32 first).
     */
    public static void modulate(HostBuf x, HostBuf mod, int shiftCol, int scaleCol) {
        int frames = groupRows("modulate", x, mod, shiftCol, scaleCol);
        int dim = x.cols();
        float[] y = x.data, m = mod.data;
        for (int g = 0; g < mod.rows(); g++) {
            int sh = mod.at(g, shiftCol), sc = mod.at(g, scaleCol);
            for (int t = 0; t < frames; t++) {
                int o = x.at(g * frames + t, 0);
                for (int c = 0; c < dim; c++) {
                    float onePlusScale = 1f + m[sc + c];
                    y[o + c] = y[o + c] * onePlusScale + m[sh + c];
                }
            }
        }
    }

    /** Gated residual in place, {@code x += gate * y} per row group (moved from {@code DitBlock.gatedResidual}). */
    public static void addGated(HostBuf x, HostBuf mod, int gateCol, HostBuf y) {
        int frames = groupRows("addGated", x, mod, gateCol);
        f32("addGated", "y", y);
        sameShape("addGated", "x", x, "y", y);
        int dim = x.cols();
        for (int g = 0; g < mod.rows(); g++) {
            int gate = mod.at(g, gateCol);
            for (int t = 0; t < frames; t++) {
                int o = x.at(g * frames + t, 0), oy = y.at(g * frames + t, 0);
                for (int c = 0; c < dim; c++) x.data[o + c] += mod.data[gate + c] * y.data[oy + c];
            }
        }
    }

    /**
     * One guided Euler step in place (moved from {@code CausalConditionalCfm}):
     * {@code x = x + dt * (cfgCond * vCond - cfgUncond * vUncond)} in float32, in that order.
     */
    public static void cfgEulerStep(HostBuf x, HostBuf vCond, HostBuf vUncond, float dt, float cfgCond, float cfgUncond) {
        String op = "cfgEulerStep";
        f32(op, "x", x);
        f32(op, "vCond", vCond);
        f32(op, "vUncond", vUncond);
        sameShape(op, "x", x, "vCond", vCond);
        sameShape(op, "x", x, "vUncond", vUncond);
        int n = Math.toIntExact(x.size());
        int xo = x.offset, co = vCond.offset, uo = vUncond.offset;
        for (int i = 0; i < n; i++) {
            x.data[xo + i] = x.data[xo + i] + dt * (cfgCond * vCond.data[co + i] - cfgUncond * vUncond.data[uo + i]);
        }
    }

    /**
     * In place {@code F.normalize(x, dim=1)} of each row (moved from {@code FlowModel}): the sum of squares in double,
     * {@code norm = (float) max(sqrt(ss), 1e-12)}, then {@code x / norm} in float32.
     */
    public static void l2NormalizeRows(HostBuf x) {
        f32("l2NormalizeRows", "x", x);
        int n = x.cols();
        for (int r = 0; r < x.rows(); r++) {
            int o = x.at(r, 0);
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (double) x.data[o + i] * x.data[o + i];
            float norm = (float) Math.max(Math.sqrt(ss), 1e-12);
            for (int i = 0; i < n; i++) x.data[o + i] = x.data[o + i] / norm;
        }
    }

    // ---- generic element-wise and data movement -------------------------------------------------------------

    /** {@code out = a + b} in float32; {@code out} may alias either. */
    public static void add(HostBuf out, HostBuf a, HostBuf b) {
        f32("add", "out", out);
        f32("add", "a", a);
        f32("add", "b", b);
        sameShape("add", "out", out, "a", a);
        sameShape("add", "out", out, "b", b);
        int n = Math.toIntExact(out.size());
        for (int i = 0; i < n; i++) out.data[out.offset + i] = a.data[a.offset + i] + b.data[b.offset + i];
    }

    /** {@code out = x / d} in float32 (the mean of the vocoder's ResBlocks); {@code out} may alias {@code x}. */
    public static void div(HostBuf out, HostBuf x, float d) {
        f32("div", "out", out);
        f32("div", "x", x);
        sameShape("div", "out", out, "x", x);
        int n = Math.toIntExact(out.size());
        for (int i = 0; i < n; i++) out.data[out.offset + i] = x.data[x.offset + i] / d;
    }

    /**
     * In place per row r: {@code x[r, :] = x[r, :] * scale[r] + bias[r]} (moved from {@code WeightNormConv.forward}:
     * weight norm applied to a conv's outputs); scale and bias {@code [rows]}, read as float32.
     */
    public static void affineRows(HostBuf x, Tensor scale, Tensor bias) {
        String op = "affineRows";
        f32(op, "x", x);
        numel(op, "scale", scale, x.rows());
        numel(op, "bias", bias, x.rows());
        for (int r = 0; r < x.rows(); r++) {
            float s = scale.getFloat(r), b = bias.getFloat(r);
            for (int i = x.at(r, 0), end = i + x.cols(); i < end; i++) x.data[i] = x.data[i] * s + b;
        }
    }

    /** Every value of {@code x} (float32 or float64) set to {@code v}. */
    public static void fill(HostBuf x, float v) {
        if (x.data != null) java.util.Arrays.fill(x.data, x.offset, x.end(), v);
        else java.util.Arrays.fill(x.f64, x.offset, x.end(), v);
    }

    /** {@code dst = src}, same shape: float32 to float32, float64 to float64, or float32 widened to float64. */
    public static void copy(HostBuf dst, HostBuf src) {
        String op = "copy";
        sameShape(op, "dst", dst, "src", src);
        int n = Math.toIntExact(src.size());
        if (src.data != null && dst.data != null) {
            System.arraycopy(src.data, src.offset, dst.data, dst.offset, n);
        } else if (src.bf16 != null || dst.bf16 != null) {
            copyBf16(dst, src, n);
        } else if (src.f64 != null && dst.f64 != null) {
            System.arraycopy(src.f64, src.offset, dst.f64, dst.offset, n);
        } else if (src.data != null) {
            for (int i = 0; i < n; i++) dst.f64[dst.offset + i] = src.data[src.offset + i];
        } else {
            throw bad(op, "no float64 to float32 copy (" + src.shape() + " to " + dst.shape() + ")");
        }
    }

    /** The bfloat16 cases of {@link #copy}: float32 in (rounded), float32 out (exact), or bfloat16 to bfloat16. */
    private static void copyBf16(HostBuf dst, HostBuf src, int n) {
        if (src.bf16 != null && dst.bf16 != null) {
            System.arraycopy(src.bf16, src.offset, dst.bf16, dst.offset, n);
        } else if (src.data != null) {
            for (int i = 0; i < n; i++) dst.bf16[dst.offset + i] = bf16Bits(src.data[src.offset + i]);
        } else if (dst.data != null) {
            for (int i = 0; i < n; i++) dst.data[dst.offset + i] = Float.intBitsToFloat(src.bf16[src.offset + i] << 16);
        } else {
            throw bad("copy", "no float64 to or from bfloat16 copy (" + src.shape() + " to " + dst.shape() + ")");
        }
    }

    /** The bfloat16 bits of {@code f}: round to nearest even (as PyTorch's {@code .to(torch.bfloat16)}); NaN stays NaN. */
    public static short bf16Bits(float f) {
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** {@code out [cols, rows] = x^T} (both float32, or both float64). */
    public static void transpose(HostBuf out, HostBuf x) {
        String op = "transpose";
        if (out.rows() != x.cols() || out.cols() != x.rows() || out.isF64() != x.isF64()) {
            throw bad(op, "out " + out.shape() + " is not the transpose of x " + x.shape());
        }
        for (int r = 0; r < x.rows(); r++) {
            for (int c = 0; c < x.cols(); c++) {
                if (x.data != null) out.data[out.at(c, r)] = x.data[x.at(r, c)];
                else out.f64[out.at(c, r)] = x.f64[x.at(r, c)];
            }
        }
    }

    /**
     * {@code dst[:, col .. col + src.cols()) = src}; {@code src} has {@code dst.rows()} rows, or one row broadcast to
     * all; float32 to float32, float64 to float64, or float32 widened to float64.
     */
    public static void setCols(HostBuf dst, int col, HostBuf src) {
        String op = "setCols";
        if ((src.rows() != dst.rows() && src.rows() != 1) || col < 0 || (long) col + src.cols() > dst.cols()) {
            throw bad(op, "src " + src.shape() + " at column " + col + " does not fit dst " + dst.shape());
        }
        if (src.isF64() && !dst.isF64()) throw bad(op, "no float64 to float32 copy (" + src.shape() + " to " + dst.shape() + ")");
        int n = src.cols();
        for (int r = 0; r < dst.rows(); r++) {
            int s = src.at(src.rows() == 1 ? 0 : r, 0), d = dst.at(r, col);
            if (src.data != null && dst.data != null) System.arraycopy(src.data, s, dst.data, d, n);
            else if (src.f64 != null) System.arraycopy(src.f64, s, dst.f64, d, n);
            else for (int i = 0; i < n; i++) dst.f64[d + i] = src.data[s + i];
        }
    }

    /**
     * {@code out = x[:, fromCol .. fromCol + out.cols())}: a column slice with the same row count; float32 to float32,
     * float64 to float64, or float32 widened to float64.
     */
    public static void copyCols(HostBuf out, HostBuf x, int fromCol) {
        String op = "copyCols";
        if (out.rows() != x.rows() || fromCol < 0 || (long) fromCol + out.cols() > x.cols()) {
            throw bad(op, "out " + out.shape() + " is not columns from " + fromCol + " of x " + x.shape());
        }
        if (x.isF64() && !out.isF64()) throw bad(op, "no float64 to float32 copy (" + x.shape() + " to " + out.shape() + ")");
        int n = out.cols();
        for (int r = 0; r < out.rows(); r++) {
            int s = x.at(r, fromCol), d = out.at(r, 0);
            if (x.data != null && out.data != null) System.arraycopy(x.data, s, out.data, d, n);
            else if (x.f64 != null) System.arraycopy(x.f64, s, out.f64, d, n);
            else for (int i = 0; i < n; i++) out.f64[d + i] = x.data[s + i];
        }
    }

    /** {@code repeat_interleave} along rows: row r of {@code out} = row {@code r / times} of {@code x} (same dtype). */
    public static void repeatRows(HostBuf out, HostBuf x, int times) {
        if (times < 1 || out.rows() != (long) x.rows() * times || out.cols() != x.cols() || out.isF64() != x.isF64()) {
            throw bad("repeatRows", "out " + out.shape() + " is not x " + x.shape() + " repeated " + times + " times");
        }
        for (int r = 0; r < out.rows(); r++) {
            if (x.data != null) System.arraycopy(x.data, x.at(r / times, 0), out.data, out.at(r, 0), x.cols());
            else System.arraycopy(x.f64, x.at(r / times, 0), out.f64, out.at(r, 0), x.cols());
        }
    }

    // ---- vocoder: F0 predictor (float64) --------------------------------------------------------------------

    /**
     * The F0 predictor's weight-normed Conv1d in float64 over an already padded input (stride and dilation 1;
     * formerly {@code ScalarKernels.conv1dF64}): {@code out[co, t] = bias[co] + sum over ci, then j, of
     * ((double) v[co, ci, j] * scale[co]) * xp[ci, t + j]} (torch's fold of the weight norm, exactly).
     * {@code v} float32 {@code [cout, cin, k]}; {@code scale}, {@code bias} {@code [cout]} (read as double);
     * {@code xp [cin, tp]}, {@code out [cout, tp - k + 1]} float64.
     */
    public static void conv1dF64(HostBuf out, HostBuf xp, Tensor v, Tensor scale, Tensor bias) {
        String op = "conv1dF64";
        f64(op, "out", out);
        f64(op, "xp", xp);
        if (v.rank() != 3) throw bad(op, "weight " + v + " is not [cout, cin, k]");
        int cout = v.dim(0), cin = v.dim(1), k = v.dim(2), tp = xp.cols();
        if (k < 1 || xp.rows() != cin || tp < k || out.rows() != cout || out.cols() != tp - k + 1) {
            throw bad(op, "weight " + v + " over xp " + xp.shape() + " does not give out " + out.shape());
        }
        numel(op, "scale", scale, cout);
        numel(op, "bias", bias, cout);
        int rowLen = cin * k, tOut = tp - k + 1;
        float[] vRow = new float[rowLen];
        for (int co = 0; co < cout; co++) {
            readRow(v, co, vRow);
            double s = scale.getDouble(co), b = bias.getDouble(co);
            for (int t = 0; t < tOut; t++) {
                double acc = b;
                for (int ci = 0; ci < cin; ci++) {
                    int xo = xp.at(ci, t);
                    for (int j = 0; j < k; j++) acc += ((double) vRow[ci * k + j] * s) * xp.f64[xo + j];
                }
                out.f64[out.at(co, t)] = acc;
            }
        }
    }

    /** Row {@code r} of a 2-d or higher tensor (its trailing dimensions flattened) as float32 into {@code dst}. */
    public static void readRow(Tensor w, long r, float[] dst) {
        int n = dst.length;
        long from = r * n;
        if (w.dtype() == DType.F32) {
            MemorySegment.copy(w.data(), Tensor.F32_LE, from * Float.BYTES, dst, 0, n);
        } else {
            for (int i = 0; i < n; i++) dst[i] = w.getFloat(from + i);
        }
    }

    /** In place ELU (alpha 1) on a float64 buffer: {@code x <= 0 -> expm1(x)} (moved from the F0 predictor). */
    public static void eluF64(HostBuf x) {
        f64("eluF64", "x", x);
        for (int i = x.offset, end = x.end(); i < end; i++) if (x.f64[i] <= 0) x.f64[i] = StrictMath.expm1(x.f64[i]);
    }

    /**
     * The F0 classifier head (moved from {@code CausalConvRnnF0Predictor.forward}): float32
     * {@code out[0, t] = (float) |bias + sum_c w[c] x[c, t]|} of a float64 {@code x [C, T]}, accumulated in double
     * from {@code bias}, channel by channel; {@code w [C]} read as double.
     */
    public static void classifierAbsF64(HostBuf out, HostBuf x, Tensor w, double bias) {
        String op = "classifierAbsF64";
        f32(op, "out", out);
        f64(op, "x", x);
        if (out.rows() != 1 || out.cols() != x.cols()) throw bad(op, "out " + out.shape() + " for x " + x.shape());
        numel(op, "w", w, x.rows());
        double[] wc = w.toDoubleArray();
        for (int t = 0; t < x.cols(); t++) {
            double acc = bias;
            for (int c = 0; c < x.rows(); c++) acc += wc[c] * x.f64[x.at(c, t)];
            out.data[out.at(0, t)] = (float) Math.abs(acc);
        }
    }

    // ---- vocoder: signal ops --------------------------------------------------------------------------------

    /**
     * The polyphase output of a nearest-upsampling conv back to time order (moved from
     * {@code CausalHiftGenerator.decode}): {@code out[co, pad + u * m + ph] = phases[ph * cout + co, m]} with
     * {@code u = phases.rows() / out.rows()}; with {@code reflectPadLeft} {@code pad = 1} and
     * {@code out[co, 0] = out[co, 2]} ({@code ReflectionPad1d((1, 0))}).
     */
    public static void polyphaseInterleave(HostBuf out, HostBuf phases, boolean reflectPadLeft) {
        String op = "polyphaseInterleave";
        f32(op, "out", out);
        f32(op, "phases", phases);
        int cout = out.rows(), t = phases.cols(), off = reflectPadLeft ? 1 : 0;
        int u = cout == 0 ? 0 : phases.rows() / cout;
        if (u < 1 || phases.rows() != u * cout || out.cols() != (long) u * t + off || (reflectPadLeft && out.cols() < 3)) {
            throw bad(op, "phases " + phases.shape() + " do not interleave into out " + out.shape()
                    + (reflectPadLeft ? " with one reflected sample" : ""));
        }
        for (int co = 0; co < cout; co++) {
            int dst = out.at(co, off);
            for (int ph = 0; ph < u; ph++) {
                int src = phases.at(ph * cout + co, 0);
                for (int m = 0; m < t; m++) out.data[dst + u * m + ph] = phases.data[src + m];
            }
            if (reflectPadLeft) out.data[out.at(co, 0)] = out.data[out.at(co, 2)];
        }
    }

    /** The DFT tables of one size: {@code cos/sin(2 pi (k n mod nFft) / nFft)}, {@code [bins][nFft]} flattened. */
    private record DftTables(double[] cos, double[] sin) {}

    private static final ConcurrentHashMap<Integer, DftTables> DFT = new ConcurrentHashMap<>();

    private static DftTables dft(int nFft) {
        return DFT.computeIfAbsent(nFft, n -> {
            int bins = n / 2 + 1;
            double[] cos = new double[bins * n], sin = new double[bins * n];
            for (int k = 0; k < bins; k++) {
                for (int i = 0; i < n; i++) {
                    double ang = 2 * Math.PI * ((long) k * i % n) / n;   // exact table: reduce k*n mod nFft first
                    cos[k * n + i] = StrictMath.cos(ang);
                    sin[k * n + i] = StrictMath.sin(ang);
                }
            }
            return new DftTables(cos, sin);
        });
    }

    private static float[] window(String op, Tensor window, int nFft, int hop) {
        if (nFft < 2 || nFft % 2 != 0 || hop < 1 || hop > nFft) {
            throw bad(op, "unsupported n_fft " + nFft + " with hop " + hop);
        }
        numel(op, "window", window, nFft);
        return window.toFloatArray();
    }

    /**
     * {@code torch.stft(x, nFft, hop, window, center=True, pad_mode='reflect', return_complex=True)} of {@code x [1, len]}
     * as the channels {@code cat([real, imag])} of {@code out [2 * bins, frames]}, the first {@code out.cols()} frames
     * (moved from {@code HiftStft.stft}): each windowed sample the float32 product {@code window[n] * x[j]}, direct
     * DFTs in double, rounded to float32. Needs {@code len > nFft / 2}.
     */
    public static void stft(HostBuf out, HostBuf x, Tensor window, int nFft, int hop) {
        String op = "stft";
        float[] win = window(op, window, nFft, hop);
        f32(op, "out", out);
        f32(op, "x", x);
        int len = x.cols(), pad = nFft / 2, bins = nFft / 2 + 1, frames = out.cols();
        if (x.rows() != 1 || len <= pad) throw bad(op, "x " + x.shape() + " is not [1, len > " + pad + "]");
        if (out.rows() != 2 * bins || frames < 1 || frames > len / hop + 1) {
            throw bad(op, "out " + out.shape() + " is not [" + 2 * bins + ", 1.." + (len / hop + 1) + "] for x " + x.shape());
        }
        DftTables tab = dft(nFft);
        double[] seg = new double[nFft];
        for (int f = 0; f < frames; f++) {
            for (int n = 0; n < nFft; n++) {
                int j = f * hop + n - pad;                            // index into x with reflection
                if (j < 0) j = -j;
                else if (j >= len) j = 2 * (len - 1) - j;
                seg[n] = win[n] * x.data[x.offset + j];
            }
            for (int k = 0; k < bins; k++) {
                double re = 0, im = 0;
                int o = k * nFft;
                for (int n = 0; n < nFft; n++) {
                    re += seg[n] * tab.cos[o + n];
                    im -= seg[n] * tab.sin[o + n];
                }
                out.data[out.at(k, f)] = (float) re;
                out.data[out.at(bins + k, f)] = (float) im;
            }
        }
    }

    /**
     * HiFT's output head (moved from {@code HiftStft.istft}): magnitude {@code min(exp(x[k]), 100)} and phase
     * {@code sin(x[bins + k])} in float32 ({@link FloatMath}), {@code re = mag * cos(phase)}, {@code im = mag *
     * sin(phase)}; {@code torch.istft(center=True)}: per frame irfft in double (imaginary parts of DC and Nyquist
     * ignored), times the window, overlap-add, divided by the overlap-added squared window, {@code nFft/2} samples
     * dropped; the first {@code out.cols() <= hop * (frames - 1)} samples clamped to {@code +-clamp}.
     * {@code x [2 * bins, frames]}, {@code out [1, samples]}.
     */
    public static void istftFromLogits(HostBuf out, HostBuf x, Tensor window, int nFft, int hop, float clamp) {
        String op = "istftFromLogits";
        float[] win = window(op, window, nFft, hop);
        f32(op, "out", out);
        f32(op, "x", x);
        int bins = nFft / 2 + 1, frames = x.cols(), samples = out.cols();
        if (x.rows() != 2 * bins || frames < 1) throw bad(op, "x " + x.shape() + " is not [" + 2 * bins + ", frames >= 1]");
        if (out.rows() != 1 || samples > (long) hop * (frames - 1)) {
            throw bad(op, "out " + out.shape() + " is not [1, <= " + (long) hop * (frames - 1) + "] for x " + x.shape());
        }
        DftTables tab = dft(nFft);
        int full = nFft + hop * (frames - 1);
        double[] y = new double[full], env = new double[full];
        double[] re = new double[bins], im = new double[bins];
        for (int f = 0; f < frames; f++) {
            for (int k = 0; k < bins; k++) {
                // float32 as torch computes them, with the deterministic functions every backend shares
                float mag = Math.min(FloatMath.exp(x.data[x.at(k, f)]), 100f);
                float phase = FloatMath.sin(x.data[x.at(bins + k, f)]);
                re[k] = mag * FloatMath.cos(phase);
                im[k] = mag * FloatMath.sin(phase);
            }
            int base = f * hop;
            for (int n = 0; n < nFft; n++) {
                double s = re[0] + ((n & 1) == 0 ? re[bins - 1] : -re[bins - 1]);
                for (int k = 1; k < bins - 1; k++) {
                    s += 2 * (re[k] * tab.cos[k * nFft + n] - im[k] * tab.sin[k * nFft + n]);
                }
                double w = win[n];
                y[base + n] += s / nFft * w;
                env[base + n] += w * w;
            }
        }
        int pad = nFft / 2;
        for (int i = 0; i < samples; i++) {
            float v = (float) (y[pad + i] / env[pad + i]);
            out.data[out.offset + i] = Math.max(-clamp, Math.min(clamp, v));
        }
    }

    /**
     * The NSF excitation (moved from {@code SourceModuleHnNsf.forward}; see {@link NsfSpec} for the formula): sines
     * evaluated once per phase frame, then one pass over the samples. {@code source [1, T * upsampleScale]} from
     * {@code f0 [1, T]}; {@code trace} (or null; any of its arrays may be null) receives the intermediates.
     */
    public static void nsfSource(HostBuf source, HostBuf f0Buf, NsfSpec spec, NsfSpec.Trace trace) {
        nsfSource("nsfSource", source, f0Buf, 0, null, null, spec, trace);
    }

    /**
     * {@code Backend.nsfSourceFrom}: the same excitation over the tail of a longer signal. {@code f0 [1, W]} holds
     * frames {@code [frameOffset, frameOffset + W)} of a call with {@code T = frameOffset + W} frames (indices,
     * noise rows and torch's float index rounding are those of the whole call), {@code source [1, S]} receives its
     * last S samples, {@code phaseIn} (float64 {@code [1, H]}, or null for zeros) is the phase cumsum accumulator
     * before frame {@code frameOffset}, {@code phaseOut} (float64 {@code [W, H]}, or null) receives it after each frame.
     */
    public static void nsfSourceFrom(HostBuf source, HostBuf f0Buf, long frameOffset, HostBuf phaseIn, HostBuf phaseOut,
                                     NsfSpec spec) {
        nsfSource("nsfSourceFrom", source, f0Buf, frameOffset, phaseIn, phaseOut, spec, null);
    }

    private static void nsfSource(String op, HostBuf source, HostBuf f0Buf, long frameOffset, HostBuf phaseIn,
                                  HostBuf phaseOut, NsfSpec spec, NsfSpec.Trace trace) {
        f32(op, "source", source);
        f32(op, "f0", f0Buf);
        int upsampleScale = spec.upsampleScale(), dim = spec.harmonics();
        int window = f0Buf.cols();
        long totalFrames = frameOffset + window, lenL = totalFrames * upsampleScale;
        if (frameOffset < 0 || f0Buf.rows() != 1 || source.rows() != 1 || lenL > Integer.MAX_VALUE
                || source.cols() > (long) window * upsampleScale || (frameOffset == 0 && source.cols() != lenL)) {
            throw bad(op, "source " + source.shape() + " is not the tail of [1, " + lenL + "] for f0 " + f0Buf.shape()
                    + " from frame " + frameOffset + " at " + upsampleScale + " samples per frame");
        }
        if (phaseIn != null) {
            f64(op, "phaseIn", phaseIn);
            if (phaseIn.rows() != 1 || phaseIn.cols() != dim) throw bad(op, "phaseIn " + phaseIn.shape() + " is not [1, " + dim + "]");
        }
        if (phaseOut != null) {
            f64(op, "phaseOut", phaseOut);
            if (phaseOut.rows() != window || phaseOut.cols() != dim) {
                throw bad(op, "phaseOut " + phaseOut.shape() + " is not [" + window + ", " + dim + "]");
            }
        }
        int len = (int) lenL, first = len - source.cols(), off = (int) frameOffset;
        if (trace != null && ((trace.f0Upsampled() != null && trace.f0Upsampled().length < len)
                || (trace.sineWaves() != null && trace.sineWaves().length < (long) len * dim)
                || (trace.uv() != null && trace.uv().length < len))) {
            throw bad(op, "trace arrays are shorter than " + len + " samples x " + dim + " harmonics");
        }
        if (len == 0) return;
        float[] f0 = java.util.Arrays.copyOfRange(f0Buf.data, f0Buf.offset, f0Buf.offset + window);
        float[] linearWeight = spec.linearWeight().toFloatArray();
        float linearBias = spec.linearBias(), sineAmp = spec.sineAmp();
        NsfNoise noise = spec.noise();
        // Linear down-sampling of rad by 1/scale (upsample_linear1d, align_corners False). torch: output size
        // trunc(L * (1/scale)); source index scale' * (i + 0.5) - 0.5 with scale' = float(1 / (1/scale)).
        double down = 1.0 / upsampleScale;
        int phaseFrames = (int) (len * down);
        float scaleF = (float) (1.0 / down);
        boolean linear = spec.linearPhase();
        if (linear && off != 0) throw bad(op, "a linear-phase source (non-causal HiFT) has no windowed form");
        float[] sines = new float[Math.max(0, phaseFrames - off) * dim];   // linearPhase: the phases themselves (times scale)
        double[] cum = new double[dim];
        if (phaseIn != null) System.arraycopy(phaseIn.f64, phaseIn.offset, cum, 0, dim);
        for (int i = off; i < phaseFrames; i++) {
            float real = (float) (scaleF * (i + 0.5) - 0.5);
            if (real < 0) real = 0;
            int i0 = (int) real;
            int i1 = i0 < len - 1 ? i0 + 1 : i0;
            float l1 = Math.min(Math.max(real - i0, 0f), 1f);
            float l0 = 1f - l1;
            for (int h = 0; h < dim; h++) {
                float r = l0 * rad(op, f0, off, totalFrames, i0, h, spec) + l1 * rad(op, f0, off, totalFrames, i1, h, spec);
                cum[h] += r;                                         // double accumulator, float outputs
                float phase = ((float) cum[h] * 2f) * PI_F * upsampleScale;
                sines[(i - off) * dim + h] = linear ? phase : (float) StrictMath.sin(phase) * sineAmp;
            }
            if (phaseOut != null) System.arraycopy(cum, 0, phaseOut.f64, phaseOut.offset + (i - off) * dim, dim);
        }
        // nearest up-sampling of the phase frames back to samples: floor(n * float(1/scale))
        float invScale = (float) (1.0 / upsampleScale);
        float unvoicedAmp = (1f - 0f) * sineAmp / 3f;               // (1 - uv) * sine_amp / 3 at uv = 0
        int chunk = upsampleScale;
        float[] buf = new float[chunk * dim];
        for (int start = first; start < len; start += chunk) {
            int rows = Math.min(chunk, len - start);
            noise.sineWaves(start, rows, buf, 0);
            for (int r = 0; r < rows; r++) {
                int n = start + r;
                float f = f0[frameIndex(op, nearest(n, invScale, (int) totalFrames), off)];
                boolean voiced = f > spec.voicedThreshold();
                float uv = voiced ? 1f : 0f;
                float namp = voiced ? spec.noiseStd() : unvoicedAmp;
                int so = frameIndex(op, nearest(n, invScale, phaseFrames), off) * dim;
                int so1 = so;
                float l0 = 1f, l1 = 0f;
                if (linear) {                                        // upsample_linear1d, align_corners False
                    float real = invScale * ((float) n + 0.5f) - 0.5f;
                    if (real < 0) real = 0;
                    int i0 = (int) real;
                    so = i0 * dim;
                    so1 = (i0 < phaseFrames - 1 ? i0 + 1 : i0) * dim;
                    l1 = Math.min(Math.max(real - i0, 0f), 1f);
                    l0 = 1f - l1;
                }
                float acc = 0f;
                for (int h = 0; h < dim; h++) {
                    float sine = linear ? (float) StrictMath.sin(l0 * sines[so + h] + l1 * sines[so1 + h]) * sineAmp : sines[so + h];
                    float sw = sine * uv + namp * buf[r * dim + h];
                    if (trace != null && trace.sineWaves() != null) trace.sineWaves()[n * dim + h] = sw;
                    acc += linearWeight[h] * sw;
                }
                source.data[source.offset + n - first] = (float) StrictMath.tanh(acc + linearBias);
                if (trace != null) {
                    if (trace.f0Upsampled() != null) trace.f0Upsampled()[n] = f;
                    if (trace.uv() != null) trace.uv()[n] = uv;
                }
            }
        }
    }

    /** Index into a window starting at frame {@code offset}; the caller must pass every frame a sample reads. */
    private static int frameIndex(String op, int frame, int offset) {
        if (frame < offset) throw bad(op, "the samples read frame " + frame + ", before the f0 window's first frame " + offset);
        return frame - offset;
    }

    private static final float PI_F = (float) Math.PI;

    /** {@code rad_values[n, h]}: {@code (f0_up[n] * (h + 1) / sr) % 1}, plus {@code rand_ini[h]} at sample 0 (f0 from frame {@code offset}). */
    private static float rad(String op, float[] f0, int offset, long f0Frames, int n, int h, NsfSpec spec) {
        float fn = f0[frameIndex(op, nearest(n, (float) (1.0 / spec.upsampleScale()), (int) f0Frames), offset)] * (h + 1);
        float v = fn / spec.samplingRate();
        v = v - (float) Math.floor(v);                              // torch remainder(v, 1), v >= 0
        return n == 0 ? v + spec.noise().randIni(h) : v;
    }

    /** torch nearest up-sampling source index: {@code min(floor(dst * scale), inputSize - 1)} in float. */
    private static int nearest(int dst, float scale, int inputSize) {
        return Math.min((int) Math.floor((float) dst * scale), inputSize - 1);
    }
}
