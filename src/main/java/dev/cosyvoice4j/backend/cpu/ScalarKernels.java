package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.backend.AttentionMask;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.FloatMath;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The specification of every {@link Kernels} operation: plain single-threaded loops written for clarity,
 * accumulating in float32 in index order. It is the oracle of the fast kernels' tests and the fallback for
 * anything they do not cover. Weights are read element by element through {@link Tensor#getFloat}, so any
 * storage dtype works here.
 */
public class ScalarKernels implements Kernels {

    @Override
    public int threads() { return 1; }

    @Override
    public void linear(float[] out, float[] x, int rows, Tensor w, Tensor bias) {
        int n = w.dim(0), k = w.dim(1);
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                long wRow = (long) j * k;
                for (int i = 0; i < k; i++) acc += x[m * k + i] * w.getFloat(wRow + i);
                out[m * n + j] = acc + (bias == null ? 0f : bias.getFloat(j));
            }
        }
    }

    @Override
    public void matmul(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k, boolean transB) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int p = 0; p < k; p++) {
                    float bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    acc += a[aOff + i * k + p] * bv;
                }
                c[cOff + i * n + j] = acc;
            }
        }
    }

    @Override
    public void rmsNorm(float[] out, float[] x, int rows, int dim, Tensor weight, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            float ss = 0;
            for (int i = 0; i < dim; i++) ss += x[o + i] * x[o + i];
            float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
            for (int i = 0; i < dim; i++) out[o + i] = weight.getFloat(i) * (x[o + i] * inv);
        }
    }

    @Override
    public void layerNorm(float[] out, float[] x, int rows, int dim, Tensor weight, Tensor bias, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            float mean = 0;
            for (int i = 0; i < dim; i++) mean += x[o + i];
            mean /= dim;
            float var = 0;
            for (int i = 0; i < dim; i++) {
                float d = x[o + i] - mean;
                var += d * d;
            }
            var /= dim;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int i = 0; i < dim; i++) {
                float y = (x[o + i] - mean) * inv;
                if (weight != null) y *= weight.getFloat(i);
                if (bias != null) y += bias.getFloat(i);
                out[o + i] = y;
            }
        }
    }

    @Override
    public void softmaxRows(float[] x, int off, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < cols; i++) max = Math.max(max, x[o + i]);
            float sum = 0;
            for (int i = 0; i < cols; i++) {
                float e = max == Float.NEGATIVE_INFINITY ? 0f : FloatMath.exp(x[o + i] - max);
                x[o + i] = e;
                sum += e;
            }
            for (int i = 0; i < cols; i++) x[o + i] = sum == 0 ? 0f : x[o + i] / sum;
        }
    }

    @Override
    public void attention(float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads, int kvHeads,
                          int headDim, float scale, AttentionMask mask) {
        int group = heads / kvHeads;
        int qStride = heads * headDim, kStride = kvHeads * headDim;
        float[] scores = new float[tk];
        for (int h = 0; h < heads; h++) {
            int kvh = h / group;
            for (int i = 0; i < tq; i++) {
                int visible = mask.visibleKeys(i, tk);
                int qo = i * qStride + h * headDim, oo = i * qStride + h * headDim;
                if (visible <= 0) {
                    for (int d = 0; d < headDim; d++) out[oo + d] = 0;
                    continue;
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    int ko = j * kStride + kvh * headDim;
                    float s = 0;
                    for (int d = 0; d < headDim; d++) s += q[qo + d] * k[ko + d];
                    scores[j] = s * scale;
                    max = Math.max(max, scores[j]);
                }
                float sum = 0;
                for (int j = 0; j < visible; j++) {
                    scores[j] = FloatMath.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int d = 0; d < headDim; d++) out[oo + d] = 0;
                for (int j = 0; j < visible; j++) {
                    float p = scores[j] / sum;
                    int vo = j * kStride + kvh * headDim;
                    for (int d = 0; d < headDim; d++) out[oo + d] += p * v[vo + d];
                }
            }
        }
    }

    @Override
    public void ropeNeox(float[] x, int rows, int heads, int headDim, int startPos, float[] invFreq) {
        int half = headDim / 2;
        for (int r = 0; r < rows; r++) {
            int pos = startPos + r;
            for (int i = 0; i < half; i++) {
                // HF computes freqs = pos * inv_freq in float32, then cos/sin of it
                float angle = pos * invFreq[i];
                float cos = FloatMath.cos(angle), sin = FloatMath.sin(angle);
                for (int h = 0; h < heads; h++) {
                    int o = r * heads * headDim + h * headDim;
                    float x1 = x[o + i], x2 = x[o + i + half];
                    x[o + i] = x1 * cos - x2 * sin;
                    x[o + i + half] = x2 * cos + x1 * sin;
                }
            }
        }
    }

    @Override
    public void ropeInterleaved(float[] x, int rows, int rowStride, int rotDim, float[] invFreq) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < rotDim / 2; i++) {
                float angle = r * invFreq[i];
                float cos = FloatMath.cos(angle), sin = FloatMath.sin(angle);
                int o = r * rowStride + 2 * i;
                float x1 = x[o], x2 = x[o + 1];
                x[o] = x1 * cos - x2 * sin;
                x[o + 1] = x2 * cos + x1 * sin;
            }
        }
    }

    @Override
    public void conv1dF64(double[] out, double[] xp, int cin, int tp, Tensor v, double[] scale, double[] bias, int cout, int k) {
        checkConv1dF64(out, xp, cin, tp, v, scale, bias, cout, k);
        int rowLen = cin * k;
        double[] w = new double[rowLen];
        float[] vRows = new float[rowLen];
        for (int co = 0; co < cout; co++) {
            foldWeightNorm(v, scale, co, 1, rowLen, vRows, w);
            conv1dF64Rows(out, xp, cin, tp, w, bias, co, 1, k, tp - k + 1, 0);
        }
    }

    static void checkConv1dF64(double[] out, double[] xp, int cin, int tp, Tensor v, double[] scale, double[] bias, int cout, int k) {
        if (k < 1 || tp < k || v.rank() != 3 || v.dim(0) != cout || v.dim(1) != cin || v.dim(2) != k
                || (long) cin * tp > xp.length || (long) cout * (tp - k + 1) > out.length || scale.length < cout || bias.length < cout) {
            throw new IllegalArgumentException("conv1dF64: weight " + v + " for " + cin + " x " + tp + " -> " + cout
                    + " channels, kernel " + k + ": inconsistent sizes");
        }
    }

    /**
     * {@code w[r * rowLen + i] = (double) v[co + r, i] * scale[co + r]} for {@code r < rows}: torch's weight-norm fold
     * ({@code vRows}: scratch of at least {@code rows * rowLen} floats).
     */
    static void foldWeightNorm(Tensor v, double[] scale, int co, int rows, int rowLen, float[] vRows, double[] w) {
        java.lang.foreign.MemorySegment.copy(v.data(), Tensor.F32_LE, (long) co * rowLen * Float.BYTES, vRows, 0, rows * rowLen);
        for (int r = 0; r < rows; r++) {
            double s = scale[co + r];
            for (int i = r * rowLen; i < (r + 1) * rowLen; i++) w[i] = vRows[i] * s;
        }
    }

    /**
     * Frames {@code [tFrom, tOut)} of output channels {@code co .. co + rows - 1}, folded weights {@code w}
     * {@code [rows][cin * k]}: {@code out[c, t] = bias[c] + sum over ci, j (in order) of w * xp[ci, t + j]}.
     */
    static void conv1dF64Rows(double[] out, double[] xp, int cin, int tp, double[] w, double[] bias, int co, int rows,
                              int k, int tOut, int tFrom) {
        int rowLen = cin * k;
        for (int r = 0; r < rows; r++) {
            for (int t = tFrom; t < tOut; t++) {
                double s = bias[co + r];
                for (int ci = 0; ci < cin; ci++) {
                    for (int j = 0; j < k; j++) s += w[r * rowLen + ci * k + j] * xp[ci * tp + t + j];
                }
                out[(co + r) * tOut + t] = s;
            }
        }
    }

    @Override
    public void conv1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, ConvSpec spec) {
        int cout = w.dim(0), cinG = w.dim(1), kw = w.dim(2);
        int groups = spec.groups();
        if (cinG * groups != cin || cout % groups != 0) {
            throw new IllegalArgumentException("conv1d: weight " + w + " does not fit cin " + cin + " groups " + groups);
        }
        int coutG = cout / groups;
        int tOut = spec.outLength(t, kw);
        for (int co = 0; co < cout; co++) {
            int g = co / coutG;
            float b = bias == null ? 0f : bias.getFloat(co);
            for (int to = 0; to < tOut; to++) {
                float acc = 0;
                for (int ci = 0; ci < cinG; ci++) {
                    int xc = g * cinG + ci;
                    long wo = ((long) co * cinG + ci) * kw;
                    for (int kk = 0; kk < kw; kk++) {
                        int ti = to * spec.stride() - spec.padLeft() + kk * spec.dilation();
                        if (ti >= 0 && ti < t) acc += w.getFloat(wo + kk) * x[xc * t + ti];
                    }
                }
                out[co * tOut + to] = acc + b;
            }
        }
    }

    @Override
    public void convTranspose1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, int stride, int padding) {
        int cout = w.dim(1), kw = w.dim(2);
        int tOut = (t - 1) * stride - 2 * padding + kw;
        for (int co = 0; co < cout; co++) {
            float b = bias == null ? 0f : bias.getFloat(co);
            for (int to = 0; to < tOut; to++) out[co * tOut + to] = b;
        }
        for (int ci = 0; ci < cin; ci++) {
            for (int ti = 0; ti < t; ti++) {
                float xv = x[ci * t + ti];
                for (int co = 0; co < cout; co++) {
                    long wo = ((long) ci * cout + co) * kw;
                    for (int kk = 0; kk < kw; kk++) {
                        int to = ti * stride - padding + kk;
                        if (to >= 0 && to < tOut) out[co * tOut + to] += xv * w.getFloat(wo + kk);
                    }
                }
            }
        }
    }

    @Override
    public void siluMul(float[] out, float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = FloatMath.silu(gate[i]) * up[i];
        }
    }

    @Override
    public void silu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = FloatMath.silu(x[i]);
    }

    @Override
    public void geluTanh(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = FloatMath.geluTanh(x[i]);
    }

    @Override
    public void mish(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = FloatMath.mish(x[i]);   // = x * tanh(softplus(x)), threshold 20
    }

    @Override
    public void leakyRelu(float[] x, int off, int n, float slope) {
        for (int i = off; i < off + n; i++) if (x[i] < 0) x[i] *= slope;
    }

    @Override
    public void snake(float[] x, int channels, int t, Tensor alpha) {
        for (int c = 0; c < channels; c++) {
            float a = alpha.getFloat(c);
            float inv = 1f / (a + 1e-9f);
            for (int i = c * t; i < (c + 1) * t; i++) x[i] = FloatMath.snake(x[i], a, inv);
        }
    }

    @Override
    public void add(float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
    }
}
