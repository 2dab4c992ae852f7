package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.tensor.Tensor;

/**
 * The compute operations the CosyVoice3 networks need, destination-passing style: every method writes into
 * a caller-provided output and allocates nothing on the hot path.
 *
 * <p>Layout conventions: activations are row-major {@code float[]}; weights are {@link Tensor}s (memory-mapped
 * checkpoint views). A "row" is one time step / token. 1-d convolutions use PyTorch's channel-major layout
 * {@code [C, T]} for one batch item. {@code out} never aliases an input unless a method says so.
 *
 * <p>{@code ScalarKernels} is the specification of every method; faster implementations must agree with it
 * within float32 rounding (their tests use it as the oracle).
 */
public interface Kernels {

    /** Threads used by parallel kernels (1 for the scalar reference). */
    int threads();

    /**
     * Runs {@code task.accept(i)} for every {@code i < n}, spread over this backend's threads; kernels called inside a
     * task run on that task's thread alone. For independent parts of a batch (the flow's two CFG rows) this beats
     * splitting every kernel across the threads: no per-kernel synchronisation, each GEMM on one core (measured: two
     * concurrent 1-thread GEMMs 330-350 GFLOP/s vs 250-280 for one 2-thread GEMM at the DiT shapes, GemmScaling). The default
     * runs the tasks in order on the caller.
     */
    default void parallelTasks(int n, java.util.function.IntConsumer task) {
        for (int i = 0; i < n; i++) task.accept(i);
    }

    /** How many {@link #parallelTasks} run at once (1: in order on the caller, the default). */
    default int taskThreads() { return 1; }

    // ---- matrix products ------------------------------------------------------------------------------------

    /**
     * PyTorch {@code Linear}: {@code out[m, n] = sum_k x[m, k] * w[n, k] + bias[n]} for {@code m < rows}.
     * {@code w} is {@code [N, K]}; {@code bias} is {@code [N]} or null.
     */
    void linear(float[] out, float[] x, int rows, Tensor w, Tensor bias);

    /**
     * Heap matrix product {@code c[m, n] = sum_k a[m, k] * b'[k, n]} where {@code b' = b^T} (b is {@code [n, k]})
     * when {@code transB}, else {@code b} ({@code [k, n]}). Offsets are element offsets; matrices are dense.
     */
    void matmul(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k, boolean transB);

    // ---- normalisation --------------------------------------------------------------------------------------

    /** Qwen2 RMSNorm in float32: {@code out = x / sqrt(mean(x^2) + eps) * weight}, per row of {@code dim}. */
    void rmsNorm(float[] out, float[] x, int rows, int dim, Tensor weight, float eps);

    /**
     * LayerNorm per row: {@code (x - mean) / sqrt(var + eps) * weight + bias} (biased variance); weight and bias
     * may be null (no affine). {@code out} may alias {@code x}.
     */
    void layerNorm(float[] out, float[] x, int rows, int dim, Tensor weight, Tensor bias, float eps);

    /** In-place softmax of each row of {@code cols} values (max-subtracted, float32). */
    void softmaxRows(float[] x, int off, int rows, int cols);

    // ---- attention ------------------------------------------------------------------------------------------

    /**
     * Scaled dot-product attention with grouped KV heads. {@code q} is {@code [tq, heads * headDim]}, {@code k}
     * and {@code v} are {@code [tk, kvHeads * headDim]}, {@code out} is {@code [tq, heads * headDim]}. Head h uses
     * KV head {@code h / (heads / kvHeads)}. Scores are scaled by {@code scale}, masked per {@code mask}
     * (masked scores are -inf), softmaxed in float32. A query row that sees no key gets zeros.
     */
    void attention(float[] out, float[] q, float[] k, float[] v, int tq, int tk, int heads, int kvHeads,
                   int headDim, float scale, AttentionMask mask);

    // ---- positional ----------------------------------------------------------------------------------------

    /**
     * NeoX / HF {@code rotate_half} RoPE in place on {@code x} = {@code [rows, heads * headDim]}: for each head,
     * pairs (i, i + headDim/2) are rotated by angle {@code (startPos + row) * invFreq[i]}.
     */
    void ropeNeox(float[] x, int rows, int heads, int headDim, int startPos, float[] invFreq);

    /**
     * x-transformers interleaved RoPE in place on the first {@code rotDim} channels of each row of
     * {@code x} = {@code [rows, rowStride]}: pairs (2i, 2i+1) rotated by angle {@code row * invFreq[i]}.
     */
    void ropeInterleaved(float[] x, int rows, int rowStride, int rotDim, float[] invFreq);

    // ---- convolutions (channel-major [C, T], one batch item) --------------------------------------------------

    /**
     * PyTorch {@code Conv1d}: {@code x} is {@code [cin, t]}, {@code w} is {@code [cout, cin/groups, k]},
     * {@code out} is {@code [cout, spec.outLength(t, k)]}; zero padding per {@code spec}.
     */
    void conv1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, ConvSpec spec);

    /**
     * The vocoder's float64 weight-normed Conv1d over an already padded input (no padding, stride and dilation 1):
     * {@code out[co, t] = bias[co] + sum over ci, j of (v[co, ci, j] * scale[co]) * xp[ci, t + j]}, the fold
     * {@code (double) v * scale} as torch computes it; {@code v} float32 {@code [cout, cin, k]}, {@code xp}
     * {@code [cin, tp]}, {@code out} {@code [cout, tp - k + 1]}. (The F0 predictor runs in float64, as the reference.)
     */
    void conv1dF64(double[] out, double[] xp, int cin, int tp, Tensor v, double[] scale, double[] bias, int cout, int k);

    /**
     * PyTorch {@code ConvTranspose1d} (groups 1, dilation 1): {@code x} {@code [cin, t]}, {@code w}
     * {@code [cin, cout, k]}, output length {@code (t - 1) * stride - 2 * padding + k}.
     */
    void convTranspose1d(float[] out, float[] x, int cin, int t, Tensor w, Tensor bias, int stride, int padding);

    // ---- element-wise ---------------------------------------------------------------------------------------

    /** {@code out[i] = silu(gate[i]) * up[i]} (SwiGLU). {@code out} may alias {@code gate}. */
    void siluMul(float[] out, float[] gate, float[] up, int n);

    /** In place: SiLU {@code x * sigmoid(x)}. */
    void silu(float[] x, int off, int n);

    /** In place: tanh-approximated GELU {@code 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))}. */
    void geluTanh(float[] x, int off, int n);

    /** In place: Mish {@code x * tanh(softplus(x))} (softplus threshold 20 as PyTorch). */
    void mish(float[] x, int off, int n);

    /** In place: leaky ReLU with an explicit slope (0.01 and 0.1 both occur; there is no default). */
    void leakyRelu(float[] x, int off, int n, float slope);

    /**
     * In place Snake on {@code x} = {@code [channels, t]}: {@code x + 1/(alpha_c + 1e-9) * sin(alpha_c * x)^2}
     * with {@code alpha} of shape {@code [channels]} (or any shape of that many values).
     */
    void snake(float[] x, int channels, int t, Tensor alpha);

    /** {@code out[i] = a[i] + b[i]}; out may alias a or b. */
    void add(float[] out, float[] a, float[] b, int n);
}
