package dev.cosyvoice4j.backend.scalar;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.FloatMath;
import dev.cosyvoice4j.backend.NsfSpec;
import dev.cosyvoice4j.backend.Precision;
import dev.cosyvoice4j.backend.WeightKind;
import dev.cosyvoice4j.backend.host.GgmlQuant;
import dev.cosyvoice4j.backend.host.HostBuf;
import dev.cosyvoice4j.backend.host.HostOps;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The {@code scalar} backend: every {@link Backend} operation as plain single-threaded loops over Java heap memory
 * ({@link HostBuf}), written for clarity, accumulating in float32 in index order. It is the specification and test
 * oracle of the other backends (the conformance suite compares them with it). The matrix, normalisation, attention,
 * RoPE, convolution and activation loops are ported from the former {@code backend.cpu.ScalarKernels} (same
 * arithmetic, now over buffer views with offsets); everything else is {@link HostOps}, shared with the cpu backend.
 *
 * <p>Weights are read through {@link Tensor#getFloat} (any storage dtype, Q8_0/Q4_0 dequantised on the fly), a row at a
 * time. Float32 only: Q8_0/Q4_0 are weight formats ({@link GgmlQuant}, the same bytes as the cpu backend's), the
 * products stay float32; bf16 products need the cpu backend with oneDNN.
 */
public final class ScalarBackend implements Backend {
    static final String NAME = "scalar";
    private static final String NO_BF16 = "the scalar backend computes in float32 only; bf16 needs the cpu backend with oneDNN";

    @Override public String name() { return NAME; }

    @Override public String description() { return "scalar: plain Java loops, the specification (1 thread)"; }

    @Override public int threads() { return 1; }

    @Override
    public boolean supports(Precision precision) {
        return precision == Precision.F32 || precision == Precision.Q8_0 || precision == Precision.Q4_0;
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    @Override public Buf alloc(int rows, int cols) { return HostBuf.f32(rows, cols); }

    @Override public Buf allocF64(int rows, int cols) { return HostBuf.f64(rows, cols); }

    @Override public Buf allocBf16(int rows, int cols) { return HostBuf.bf16(rows, cols); }

    /** A bf16 storage buffer as a float32 copy (exact); any other buffer as it is. */
    private static Buf widened(Buf b) {
        if (!b.isBf16()) return b;
        HostBuf f = HostBuf.f32(b.rows(), b.cols());
        HostOps.copy(f, HostBuf.storage(b));
        return f;
    }

    @Override
    public void write(Buf dst, float[] src, int srcOff) { HostBuf.write(dst, src, srcOff); }

    @Override
    public void read(Buf src, float[] dst, int dstOff) { HostBuf.read(src, dst, dstOff); }

    @Override
    public void readF64(Buf src, double[] dst, int dstOff) { HostBuf.readF64(src, dst, dstOff); }

    // ---- weights ----------------------------------------------------------------------------------------------

    /**
     * LINEAR weights at Q8_0/Q4_0 are quantised with {@link GgmlQuant} (when float32 with rows of whole 32-value
     * blocks; others stay as they are, as the engine always did) and the original released; everything else is
     * returned as given. BF16 is refused.
     */
    @Override
    public Tensor prepare(Tensor weight, WeightKind kind, Precision precision, Consumer<Tensor> release) {
        if (precision == Precision.BF16) throw new IllegalArgumentException(NO_BF16);
        if (kind != WeightKind.LINEAR || precision == Precision.F32 || !GgmlQuant.quantizable(weight)) return weight;
        Tensor q = GgmlQuant.quantize(weight, precision == Precision.Q8_0 ? DType.Q8_0 : DType.Q4_0);
        if (release != null) release.accept(weight);
        return q;
    }

    // ---- scheduling -------------------------------------------------------------------------------------------

    @Override
    public void parts(int[] costs, IntConsumer part) {
        for (int i = 0; i < costs.length; i++) part.accept(i);
    }

    // ---- checks -----------------------------------------------------------------------------------------------

    private static IllegalArgumentException bad(String op, String message) {
        return new IllegalArgumentException(op + ": " + message);
    }

    private static HostBuf f32(String op, String name, Buf b) {
        HostBuf h = HostBuf.of(b);
        if (h.data == null) throw bad(op, name + " must be float32, got " + h.shape());
        return h;
    }

    private static void sameShape(String op, String na, Buf a, String nb, Buf b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw bad(op, na + " " + a.shape() + " and " + nb + " " + b.shape() + " differ in shape");
        }
    }

    private static void numel(String op, String name, Tensor t, long n) {
        if (t == null || t.numel() != n) throw bad(op, name + " " + t + " must have " + n + " elements");
    }

    // ---- matrix products --------------------------------------------------------------------------------------

    @Override
    public void linear(Buf out, Buf x, Tensor w, Tensor bias) {
        String op = "linear";
        HostBuf o = f32(op, "out", out), xb = f32(op, "x", x);
        if (w.rank() != 2) throw bad(op, "weight " + w + " is not [N, K]");
        int n = w.dim(0), k = w.dim(1), rows = xb.rows();
        if (xb.cols() != k || o.rows() != rows || o.cols() != n) {
            throw bad(op, "x " + xb.shape() + " times weight " + w + " does not give out " + o.shape());
        }
        if (bias != null) numel(op, "bias", bias, n);
        float[] wRow = new float[k];
        for (int j = 0; j < n; j++) {
            HostOps.readRow(w, j, wRow);                             // getFloat: Q8_0/Q4_0 dequantised here
            float b = bias == null ? 0f : bias.getFloat(j);
            for (int m = 0; m < rows; m++) {
                int xo = xb.at(m, 0);
                float acc = 0;
                for (int i = 0; i < k; i++) acc += xb.data[xo + i] * wRow[i];
                o.data[o.at(m, j)] = acc + b;
            }
        }
    }

    // ---- normalisation ------------------------------------------------------------------------------------------

    @Override
    public void rmsNorm(Buf out, Buf x, Tensor weight, float eps) {
        String op = "rmsNorm";
        HostBuf o = f32(op, "out", out), xb = f32(op, "x", x);
        sameShape(op, "out", o, "x", xb);
        int dim = xb.cols();
        numel(op, "weight", weight, dim);
        for (int r = 0; r < xb.rows(); r++) {
            int xo = xb.at(r, 0), oo = o.at(r, 0);
            float ss = 0;
            for (int i = 0; i < dim; i++) ss += xb.data[xo + i] * xb.data[xo + i];
            float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
            for (int i = 0; i < dim; i++) o.data[oo + i] = weight.getFloat(i) * (xb.data[xo + i] * inv);
        }
    }

    @Override
    public void layerNorm(Buf out, Buf x, Tensor weight, Tensor bias, float eps) {
        String op = "layerNorm";
        HostBuf o = f32(op, "out", out), xb = f32(op, "x", x);
        sameShape(op, "out", o, "x", xb);
        int dim = xb.cols();
        if (weight != null) numel(op, "weight", weight, dim);
        if (bias != null) numel(op, "bias", bias, dim);
        for (int r = 0; r < xb.rows(); r++) {
            int xo = xb.at(r, 0), oo = o.at(r, 0);
            float mean = 0;
            for (int i = 0; i < dim; i++) mean += xb.data[xo + i];
            mean /= dim;
            float var = 0;
            for (int i = 0; i < dim; i++) {
                float d = xb.data[xo + i] - mean;
                var += d * d;
            }
            var /= dim;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int i = 0; i < dim; i++) {
                float y = (xb.data[xo + i] - mean) * inv;
                if (weight != null) y *= weight.getFloat(i);
                if (bias != null) y += bias.getFloat(i);
                o.data[oo + i] = y;
            }
        }
    }

    @Override
    public void logSoftmax(Buf x) { HostOps.logSoftmax(HostBuf.of(x)); }

    // ---- attention ----------------------------------------------------------------------------------------------

    @Override
    public void attention(Buf out, Buf q, Buf k, Buf v, int heads, int kvHeads, float scale, AttentionMask mask,
                          Precision precision) {
        String op = "attention";
        if (precision == Precision.BF16) throw new IllegalArgumentException(NO_BF16);
        if (precision != Precision.F32) throw bad(op, "precision " + precision + " (F32 or BF16 only)");
        if (k.isBf16() != v.isBf16()) throw bad(op, "keys " + k.shape() + " and values " + v.shape() + " must both be float32 or both bf16");
        HostBuf o = f32(op, "out", out), qb = f32(op, "q", q), kb = f32(op, "k", widened(k)), vb = f32(op, "v", widened(v));
        if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0 || qb.cols() % heads != 0) {
            throw bad(op, heads + " heads, " + kvHeads + " KV heads over q " + qb.shape());
        }
        int headDim = qb.cols() / heads, tq = qb.rows(), tk = kb.rows();
        if (kb.cols() != kvHeads * headDim) throw bad(op, "k " + kb.shape() + " is not [tk, " + kvHeads * headDim + "]");
        sameShape(op, "k", kb, "v", vb);
        sameShape(op, "out", o, "q", qb);
        int group = heads / kvHeads;
        float[] scores = new float[tk];
        for (int h = 0; h < heads; h++) {
            int kvh = h / group;
            for (int i = 0; i < tq; i++) {
                int visible = mask.visibleKeys(i, tk);
                int qo = qb.at(i, h * headDim), oo = o.at(i, h * headDim);
                if (visible <= 0) {                                  // a query that sees no key gets zeros
                    for (int d = 0; d < headDim; d++) o.data[oo + d] = 0;
                    continue;
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    int ko = kb.at(j, kvh * headDim);
                    float s = 0;
                    for (int d = 0; d < headDim; d++) s += qb.data[qo + d] * kb.data[ko + d];
                    scores[j] = s * scale;
                    max = Math.max(max, scores[j]);
                }
                float sum = 0;
                for (int j = 0; j < visible; j++) {
                    scores[j] = FloatMath.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int d = 0; d < headDim; d++) o.data[oo + d] = 0;
                for (int j = 0; j < visible; j++) {
                    float p = scores[j] / sum;
                    int vo = vb.at(j, kvh * headDim);
                    for (int d = 0; d < headDim; d++) o.data[oo + d] += p * vb.data[vo + d];
                }
            }
        }
    }

    @Override
    public void relPositionAttention(Buf out, Buf q, Buf k, Buf v, Buf p, Tensor posBiasU, Tensor posBiasV, int heads,
                                     float divisor, AttentionMask mask) {
        String op = "relPositionAttention";
        HostBuf o = f32(op, "out", out), qb = f32(op, "q", q), kb = f32(op, "k", k), vb = f32(op, "v", v), pb = f32(op, "p", p);
        if (heads < 1 || qb.cols() % heads != 0) throw bad(op, heads + " heads over q " + qb.shape());
        int t = qb.rows(), hd = qb.cols() / heads;
        sameShape(op, "k", kb, "q", qb);
        sameShape(op, "v", vb, "q", qb);
        sameShape(op, "out", o, "q", qb);
        if (pb.cols() != qb.cols() || pb.rows() != Math.max(0, 2 * t - 1)) {
            throw bad(op, "p " + pb.shape() + " is not [2t - 1 = " + (2 * t - 1) + ", " + qb.cols() + "]");
        }
        numel(op, "posBiasU", posBiasU, (long) heads * hd);
        numel(op, "posBiasV", posBiasV, (long) heads * hd);
        float[] scores = new float[t], qu = new float[hd], qv = new float[hd];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < t; i++) {
                int visible = mask.visibleKeys(i, t);
                int qo = qb.at(i, h * hd), oo = o.at(i, h * hd);
                for (int d = 0; d < hd; d++) o.data[oo + d] = 0;
                if (visible <= 0) continue;                             // a query that sees no key gets zeros
                for (int d = 0; d < hd; d++) {
                    qu[d] = qb.data[qo + d] + posBiasU.getFloat(h * hd + d);
                    qv[d] = qb.data[qo + d] + posBiasV.getFloat(h * hd + d);
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    int ko = kb.at(j, h * hd), po = pb.at(t - 1 - i + j, h * hd);   // rel_shift: relative position i - j
                    float ac = 0, bd = 0;
                    for (int d = 0; d < hd; d++) ac += qu[d] * kb.data[ko + d];
                    for (int d = 0; d < hd; d++) bd += qv[d] * pb.data[po + d];
                    scores[j] = (ac + bd) / divisor;
                    max = Math.max(max, scores[j]);
                }
                float sum = 0;
                for (int j = 0; j < visible; j++) {
                    scores[j] = FloatMath.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j < visible; j++) {
                    float pr = scores[j] / sum;
                    int vo = vb.at(j, h * hd);
                    for (int d = 0; d < hd; d++) o.data[oo + d] += pr * vb.data[vo + d];
                }
            }
        }
    }

    // ---- positions ----------------------------------------------------------------------------------------------

    @Override
    public void ropeNeox(Buf x, int heads, int startPos, Tensor invFreq) {
        String op = "ropeNeox";
        HostBuf xb = f32(op, "x", x);
        if (heads < 1 || xb.cols() % heads != 0 || (xb.cols() / heads) % 2 != 0) {
            throw bad(op, heads + " heads of even width over x " + xb.shape());
        }
        int headDim = xb.cols() / heads, half = headDim / 2;
        numel(op, "invFreq", invFreq, half);
        float[] freq = invFreq.toFloatArray();
        for (int r = 0; r < xb.rows(); r++) {
            int pos = startPos + r;
            for (int i = 0; i < half; i++) {
                float angle = pos * freq[i];                         // HF: freqs = pos * inv_freq in float32
                float cos = FloatMath.cos(angle), sin = FloatMath.sin(angle);
                for (int h = 0; h < heads; h++) {
                    int o = xb.at(r, h * headDim);
                    float x1 = xb.data[o + i], x2 = xb.data[o + i + half];
                    xb.data[o + i] = x1 * cos - x2 * sin;
                    xb.data[o + i + half] = x2 * cos + x1 * sin;
                }
            }
        }
    }

    @Override
    public void ropeInterleaved(Buf x, int rotDim, Tensor invFreq, int startPos) {
        String op = "ropeInterleaved";
        HostBuf xb = f32(op, "x", x);
        if (rotDim < 0 || rotDim % 2 != 0 || rotDim > xb.cols()) throw bad(op, "rotDim " + rotDim + " over x " + xb.shape());
        numel(op, "invFreq", invFreq, rotDim / 2);
        if (startPos < 0) throw bad(op, "startPos " + startPos);
        float[] freq = invFreq.toFloatArray();
        for (int r = 0; r < xb.rows(); r++) {
            for (int i = 0; i < rotDim / 2; i++) {
                float angle = (startPos + r) * freq[i];
                float cos = FloatMath.cos(angle), sin = FloatMath.sin(angle);
                int o = xb.at(r, 2 * i);
                float x1 = xb.data[o], x2 = xb.data[o + 1];
                xb.data[o] = x1 * cos - x2 * sin;
                xb.data[o + 1] = x2 * cos + x1 * sin;
            }
        }
    }

    @Override
    public void sinusPositionEmbedding(Buf out, float[] t, float scale) {
        HostOps.sinusPositionEmbedding(HostBuf.of(out), t, scale);
    }

    // ---- convolutions -------------------------------------------------------------------------------------------

    @Override
    public void conv1d(Buf out, Buf x, Tensor w, Tensor bias, ConvSpec spec) {
        String op = "conv1d";
        HostBuf o = f32(op, "out", out), xb = f32(op, "x", x);
        if (w.rank() != 3) throw bad(op, "weight " + w + " is not [cout, cin / groups, k]");
        int cout = w.dim(0), cinG = w.dim(1), kw = w.dim(2), cin = xb.rows(), t = xb.cols();
        int groups = spec.groups();
        if (cinG * groups != cin || cout % groups != 0) {
            throw bad(op, "weight " + w + " does not fit x " + xb.shape() + " in " + groups + " groups");
        }
        int tOut = spec.outLength(t, kw);
        if (tOut < 1 || o.rows() != cout || o.cols() != tOut) {
            throw bad(op, "weight " + w + " over x " + xb.shape() + " with " + spec + " does not give out " + o.shape());
        }
        if (bias != null) numel(op, "bias", bias, cout);
        int coutG = cout / groups;
        float[] wRow = new float[cinG * kw];
        for (int co = 0; co < cout; co++) {
            int g = co / coutG;
            HostOps.readRow(w, co, wRow);
            float b = bias == null ? 0f : bias.getFloat(co);
            for (int to = 0; to < tOut; to++) {
                float acc = 0;
                for (int ci = 0; ci < cinG; ci++) {
                    int xo = xb.at(g * cinG + ci, 0), wo = ci * kw;
                    for (int kk = 0; kk < kw; kk++) {
                        int ti = to * spec.stride() - spec.padLeft() + kk * spec.dilation();
                        if (ti >= 0 && ti < t) acc += wRow[wo + kk] * xb.data[xo + ti];
                    }
                }
                o.data[o.at(co, to)] = acc + b;
            }
        }
    }

    @Override
    public void conv1dF64(Buf out, Buf xp, Tensor v, Tensor scale, Tensor bias) {
        HostOps.conv1dF64(HostBuf.of(out), HostBuf.of(xp), v, scale, bias);
    }

    @Override
    public void eluF64(Buf x) { HostOps.eluF64(HostBuf.of(x)); }

    @Override
    public void classifierAbsF64(Buf out, Buf x, Tensor w, double bias) {
        HostOps.classifierAbsF64(HostBuf.of(out), HostBuf.of(x), w, bias);
    }

    // ---- element-wise -----------------------------------------------------------------------------------------

    @Override
    public void siluMul(Buf out, Buf gate, Buf up) {
        String op = "siluMul";
        HostBuf o = f32(op, "out", out), g = f32(op, "gate", gate), u = f32(op, "up", up);
        sameShape(op, "out", o, "gate", g);
        sameShape(op, "out", o, "up", u);
        int n = Math.toIntExact(o.size());
        for (int i = 0; i < n; i++) o.data[o.offset + i] = FloatMath.silu(g.data[g.offset + i]) * u.data[u.offset + i];
    }

    @Override
    public void silu(Buf x) {
        HostBuf b = f32("silu", "x", x);
        for (int i = b.offset; i < b.end(); i++) b.data[i] = FloatMath.silu(b.data[i]);
    }

    @Override
    public void geluTanh(Buf x) {
        HostBuf b = f32("geluTanh", "x", x);
        for (int i = b.offset; i < b.end(); i++) b.data[i] = FloatMath.geluTanh(b.data[i]);
    }

    @Override
    public void geluErf(Buf x) {
        HostBuf b = f32("geluErf", "x", x);
        for (int i = b.offset; i < b.end(); i++) b.data[i] = FloatMath.geluErf(b.data[i]);
    }

    @Override
    public void mish(Buf x) {
        HostBuf b = f32("mish", "x", x);
        for (int i = b.offset; i < b.end(); i++) b.data[i] = FloatMath.mish(b.data[i]);   // x tanh(softplus(x)), threshold 20
    }

    @Override
    public void leakyRelu(Buf x, float slope) {
        HostBuf b = f32("leakyRelu", "x", x);
        for (int i = b.offset; i < b.end(); i++) if (b.data[i] < 0) b.data[i] *= slope;
    }

    @Override
    public void snake(Buf x, Tensor alpha) {
        HostBuf b = f32("snake", "x", x);
        numel("snake", "alpha", alpha, b.rows());
        for (int c = 0; c < b.rows(); c++) {
            float a = alpha.getFloat(c);
            float inv = 1f / (a + 1e-9f);
            for (int i = b.at(c, 0), end = i + b.cols(); i < end; i++) b.data[i] = FloatMath.snake(b.data[i], a, inv);
        }
    }

    @Override
    public void add(Buf out, Buf a, Buf b) { HostOps.add(HostBuf.of(out), HostBuf.of(a), HostBuf.of(b)); }

    @Override
    public void div(Buf out, Buf x, float divisor) { HostOps.div(HostBuf.of(out), HostBuf.of(x), divisor); }

    @Override
    public void affineRows(Buf x, Tensor scale, Tensor bias) { HostOps.affineRows(HostBuf.of(x), scale, bias); }

    @Override
    public void modulate(Buf x, Buf mod, int shiftCol, int scaleCol) {
        HostOps.modulate(HostBuf.of(x), HostBuf.of(mod), shiftCol, scaleCol);
    }

    @Override
    public void addGated(Buf x, Buf mod, int gateCol, Buf y) {
        HostOps.addGated(HostBuf.of(x), HostBuf.of(mod), gateCol, HostBuf.of(y));
    }

    @Override
    public void cfgEulerStep(Buf x, Buf vCond, Buf vUncond, float dt, float cfgCond, float cfgUncond) {
        HostOps.cfgEulerStep(HostBuf.of(x), HostBuf.of(vCond), HostBuf.of(vUncond), dt, cfgCond, cfgUncond);
    }

    @Override
    public void fill(Buf x, float value) { HostOps.fill(HostBuf.of(x), value); }

    @Override
    public void copy(Buf dst, Buf src) { HostOps.copy(HostBuf.storage(dst), HostBuf.storage(src)); }

    @Override
    public void transpose(Buf out, Buf x) { HostOps.transpose(HostBuf.of(out), HostBuf.of(x)); }

    @Override
    public void setCols(Buf dst, int col, Buf src) { HostOps.setCols(HostBuf.of(dst), col, HostBuf.of(src)); }

    @Override
    public void copyCols(Buf out, Buf x, int fromCol) { HostOps.copyCols(HostBuf.of(out), HostBuf.of(x), fromCol); }

    @Override
    public void gatherRows(Buf out, Tensor table, int[] ids) { HostOps.gatherRows(HostBuf.of(out), table, ids); }

    @Override
    public void repeatRows(Buf out, Buf x, int times) { HostOps.repeatRows(HostBuf.of(out), HostBuf.of(x), times); }

    @Override
    public void l2NormalizeRows(Buf x) { HostOps.l2NormalizeRows(HostBuf.of(x)); }

    // ---- vocoder signal ops -------------------------------------------------------------------------------------

    @Override
    public void polyphaseInterleave(Buf out, Buf phases, boolean reflectPadLeft) {
        HostOps.polyphaseInterleave(HostBuf.of(out), HostBuf.of(phases), reflectPadLeft);
    }

    @Override
    public void stft(Buf out, Buf x, Tensor window, int nFft, int hop) {
        HostOps.stft(HostBuf.of(out), HostBuf.of(x), window, nFft, hop);
    }

    @Override
    public void istftFromLogits(Buf out, Buf x, Tensor window, int nFft, int hop, float clamp) {
        HostOps.istftFromLogits(HostBuf.of(out), HostBuf.of(x), window, nFft, hop, clamp);
    }

    @Override
    public void nsfSource(Buf source, Buf f0, NsfSpec spec, NsfSpec.Trace traceOrNull) {
        HostOps.nsfSource(HostBuf.of(source), HostBuf.of(f0), spec, traceOrNull);
    }

    @Override
    public void nsfSourceFrom(Buf source, Buf f0, long frameOffset, Buf phaseIn, Buf phaseOut, NsfSpec spec) {
        HostOps.nsfSourceFrom(HostBuf.of(source), HostBuf.of(f0), frameOffset, phaseIn == null ? null : HostBuf.of(phaseIn),
                phaseOut == null ? null : HostBuf.of(phaseOut), spec);
    }

    @Override
    public void close() {}

    @Override
    public String toString() { return description(); }
}
