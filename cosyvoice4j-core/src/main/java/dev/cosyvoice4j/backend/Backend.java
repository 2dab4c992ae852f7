package dev.cosyvoice4j.backend;

import dev.cosyvoice4j.tensor.Tensor;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Where the networks compute: memory for activations ({@link Buf}), weights prepared once per loaded model, and every
 * operation of a forward pass, destination-passing (each writes into a caller-provided {@code out} and allocates no
 * activation memory). Model code calls only these methods; it holds {@link Buf} handles and reads values back at stage
 * edges (logits for sampling, mel and audio out). Implementations are found at run time through
 * {@link dev.cosyvoice4j.backend.spi.BackendProvider}: {@code scalar} (plain loops, the specification and test oracle of
 * every operation) and {@code cpu} (Vector API kernels, oneDNN for bf16); a new backend implements this interface and
 * passes the conformance suite against {@code scalar}.
 *
 * <p>Shapes: a Buf is {@code [rows, cols]}; a transformer activation is time-major {@code [positions, width]}, a 1-d
 * convolution's channel-major {@code [channels, time]}. {@code out} never aliases an input unless a method says so.
 * Weights are {@link Tensor}s (memory-mapped checkpoint views, or this backend's prepared form).
 *
 * <p>Thread safety: every method may be called concurrently by several sessions, on different buffers.
 */
public interface Backend extends AutoCloseable {

    // ---- identity -------------------------------------------------------------------------------------------

    /** The provider name ({@code scalar}, {@code cpu}). */
    String name();

    /** One line for logs and reports: what computes, on how many threads, in which precisions. */
    String description();

    /** Threads the backend computes on. */
    int threads();

    /** Whether {@link #prepare} accepts {@code precision} for {@link WeightKind#LINEAR} weights. */
    boolean supports(Precision precision);

    // ---- memory ---------------------------------------------------------------------------------------------

    /** A zeroed float32 buffer. */
    Buf alloc(int rows, int cols);

    /** A zeroed float64 buffer (the vocoder's F0 predictor runs in float64, as the reference). */
    Buf allocF64(int rows, int cols);

    /**
     * A zeroed bfloat16 storage buffer, half the memory of float32: for state kept and read back by {@link #copy} or as
     * {@link #attention}'s keys and values (a bf16 DiT's streaming caches, which its attention rounds the same way anyway).
     */
    Buf allocBf16(int rows, int cols);

    /** Host to backend: {@code dst.size()} values of {@code src} from {@code srcOff} into a float32 buffer. */
    void write(Buf dst, float[] src, int srcOff);

    /** Backend to host: the {@code src.size()} values of a float32 buffer into {@code dst} at {@code dstOff}. */
    void read(Buf src, float[] dst, int dstOff);

    /** Backend to host for a float64 buffer. */
    void readF64(Buf src, double[] dst, int dstOff);

    /** A new float32 buffer holding {@code values} ({@code rows * cols} of them). */
    default Buf upload(float[] values, int rows, int cols) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(values.length + " values for a [" + rows + ", " + cols + "] buffer");
        }
        Buf b = alloc(rows, cols);
        write(b, values, 0);
        return b;
    }

    /** The values of a float32 buffer as a new host array. */
    default float[] read(Buf src) {
        float[] out = new float[Math.toIntExact(src.size())];
        read(src, out, 0);
        return out;
    }

    // ---- weights ----------------------------------------------------------------------------------------------

    /**
     * This backend's form of one weight, prepared once when a model loads. {@link WeightKind#LINEAR} matrices take
     * {@code precision} (cpu: Q8_0/Q4_0 quantised here; BF16 converted and packed by oneDNN on first use; a GPU
     * backend: a device copy); everything else is returned as given. BF16 asked of an already quantised (Q8_0/Q4_0)
     * weight marks it for bf16 products over many rows (cpu: its values rounded to bf16 per call, for 16 rows or
     * more; fewer rows keep the blocks' own kernel): a quantised LLM's prefill. {@code release} is told when the
     * original's float32 pages are no longer read (the store then drops them from memory).
     *
     * @throws IllegalArgumentException when this backend does not support {@code precision}
     */
    Tensor prepare(Tensor weight, WeightKind kind, Precision precision, Consumer<Tensor> release);

    // ---- scheduling -------------------------------------------------------------------------------------------

    /**
     * Runs {@code part.accept(i)} for every independent part {@code i < costs.length} (the DiT's two CFG rows, the
     * vocoder's parallel ResBlocks); part i costs about {@code costs[i]}. The cpu backend runs them as whole tasks on
     * its threads, grouped by cost (each part's operations then use one core: measured faster than splitting every
     * operation); a backend that batches runs them in order. Returns when all have run.
     */
    void parts(int[] costs, IntConsumer part);

    /** A contiguous range {@code [from, to)} of batch rows. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over the batch rows {@code [0, n)} whose computations never mix (the DiT's CFG rows): in one
     * call {@code body.run(0, n)} (one set of batched products: the default, and what a GPU backend wants), or the
     * cpu backend with several threads as one part per row ({@link #parts}).
     */
    default void rowRanges(int n, Range body) { body.run(0, n); }

    /**
     * Marks the calling thread's operations as latency-critical until the handle is closed (a speech-token decode
     * step): while any such section is open, other threads' operations stop taking the backend's shared threads and
     * run on their callers alone, so that audio being computed beside the decoder does not slow it. Sections nest.
     * Default: no effect (a backend without shared threads).
     */
    default Foreground foreground() { return Foreground.NONE; }

    /** An open {@link #foreground()} section; {@link #close()} ends it (once). */
    interface Foreground extends AutoCloseable {
        Foreground NONE = () -> { };

        @Override
        void close();
    }

    // ---- matrix products --------------------------------------------------------------------------------------

    /** PyTorch {@code Linear}: {@code out[m, n] = sum_k x[m, k] w[n, k] + bias[n]}; {@code w [N, K]}, bias {@code [N]} or null. */
    void linear(Buf out, Buf x, Tensor w, Tensor bias);

    /**
     * {@link #linear} then {@link #geluTanh} on its output (a feed-forward's first half), the same values; a backend may
     * apply the GELU while the product's rows are still in cache.
     */
    default void linearGeluTanh(Buf out, Buf x, Tensor w, Tensor bias) {
        linear(out, x, w, bias);
        geluTanh(out);
    }

    // ---- normalisation ------------------------------------------------------------------------------------------

    /** Qwen2 RMSNorm per row in float32: {@code x / sqrt(mean(x^2) + eps) * weight}. {@code out} may alias {@code x}. */
    void rmsNorm(Buf out, Buf x, Tensor weight, float eps);

    /** LayerNorm per row (biased variance); weight and bias may be null (no affine). {@code out} may alias {@code x}. */
    void layerNorm(Buf out, Buf x, Tensor weight, Tensor bias, float eps);

    /** In place {@code log_softmax} of each row in float32: {@code x - (max + log(sum(exp(x - max))))}. */
    void logSoftmax(Buf x);

    // ---- attention ----------------------------------------------------------------------------------------------

    /**
     * Scaled dot-product attention with grouped KV heads: {@code q [tq, heads * d]}, {@code k}, {@code v}
     * {@code [tk, kvHeads * d]}, {@code out [tq, heads * d]}; head h reads KV head {@code h / (heads / kvHeads)};
     * scores times {@code scale}, masked per {@code mask}, softmax in float32; a query that sees no key gets zeros.
     * {@code precision} is F32, or BF16 for the products where the backend supports it (the flow in bf16).
     * {@code k} and {@code v} may be bf16 storage buffers ({@link #allocBf16}: a bf16 DiT's streaming caches), read as
     * their exact float32 values.
     */
    void attention(Buf out, Buf q, Buf k, Buf v, int heads, int kvHeads, float scale, AttentionMask mask,
                   Precision precision);

    /**
     * ESPnet relative-position self-attention ({@code RelPositionMultiHeadedAttention}, cosyvoice/transformer/
     * attention.py:200-335, {@code rel_shift} included): {@code q}, {@code k}, {@code v} {@code [t, heads * d]},
     * {@code p [2t - 1, heads * d]} the projected positional encoding whose row m is relative position
     * {@code t - 1 - m}; per head h, {@code score[i, j] = ((q_i + posBiasU_h) . k_j + (q_i + posBiasV_h) .
     * p_(t - 1 - i + j)) / divisor} (each dot product accumulated in float32 in index order, then added), masked per
     * {@code mask} (a masked probability is 0; a query that sees no key gets zeros), softmax in float32, times
     * {@code v} into {@code out [t, heads * d]}. {@code posBiasU}, {@code posBiasV} {@code [heads, d]}.
     */
    void relPositionAttention(Buf out, Buf q, Buf k, Buf v, Buf p, Tensor posBiasU, Tensor posBiasV, int heads,
                              float divisor, AttentionMask mask);

    // ---- positions ----------------------------------------------------------------------------------------------

    /**
     * NeoX / HF {@code rotate_half} RoPE in place on {@code x [rows, heads * d]}: per head, pairs (i, i + d/2) rotated
     * by angle {@code (startPos + row) * invFreq[i]} (float32 angle, as HF); {@code invFreq [d/2]}.
     */
    void ropeNeox(Buf x, int heads, int startPos, Tensor invFreq);

    /**
     * x-transformers' interleaved RoPE in place on the first {@code rotDim} columns of each row of {@code x}: pairs
     * (2i, 2i+1) rotated by angle {@code (startPos + row) * invFreq[i]} (float32; the DiT's positions restart at 0 in
     * every call, a call that continues cached frames starts at their count).
     */
    void ropeInterleaved(Buf x, int rotDim, Tensor invFreq, int startPos);

    /** {@link #ropeInterleaved(Buf, int, Tensor, int)} from position 0. */
    default void ropeInterleaved(Buf x, int rotDim, Tensor invFreq) { ropeInterleaved(x, rotDim, invFreq, 0); }

    /**
     * Sinusoidal timestep embedding ({@code SinusPositionEmbedding}): for each value {@code t[b]}, row b of
     * {@code out [B, dim]} is {@code sin(scale t[b] e^(i s))} for {@code i < dim/2} then the cosines, with
     * {@code s = -ln(10000) / (dim/2 - 1)} (evaluated in double, rounded to float32).
     */
    void sinusPositionEmbedding(Buf out, float[] t, float scale);

    // ---- convolutions (channel-major [channels, time]) -----------------------------------------------------------

    /**
     * PyTorch {@code Conv1d}: {@code x [cin, t]}, {@code w [cout, cin / groups, k]}, {@code out [cout,
     * spec.outLength(t, k)]}, zero padding per {@code spec}; bias {@code [cout]} or null.
     */
    void conv1d(Buf out, Buf x, Tensor w, Tensor bias, ConvSpec spec);

    /**
     * The F0 predictor's float64 weight-normed Conv1d over an already padded float64 input (stride, dilation 1):
     * {@code out[co, t] = bias[co] + sum_{ci, j} ((double) v[co, ci, j] * scale[co]) * xp[ci, t + j]} (torch's fold
     * of the weight norm, exactly); {@code v} float32 {@code [cout, cin, k]}, {@code scale}, {@code bias} float64
     * {@code [cout]}, {@code xp [cin, tp]}, {@code out [cout, tp - k + 1]}, both float64.
     */
    void conv1dF64(Buf out, Buf xp, Tensor v, Tensor scale, Tensor bias);

    /** In place ELU (alpha 1) on a float64 buffer: {@code x > 0 ? x : expm1(x)}. */
    void eluF64(Buf x);

    /**
     * The F0 classifier head: float32 {@code out[0, t] = |bias + sum_c w[c] x[c, t]|} of a float64 {@code x [C, T]}
     * with float64 {@code w [C]} (accumulated in double from bias, channel by channel).
     */
    void classifierAbsF64(Buf out, Buf x, Tensor w, double bias);

    // ---- element-wise -----------------------------------------------------------------------------------------

    /** {@code out = silu(gate) * up} (SwiGLU). {@code out} may alias {@code gate}. */
    void siluMul(Buf out, Buf gate, Buf up);

    /** In place SiLU {@code x / (1 + e^-x)}. */
    void silu(Buf x);

    /** In place tanh-approximated GELU. */
    void geluTanh(Buf x);

    /**
     * In place exact-erf GELU {@code x * 0.5 * (1 + erf(x * (float) sqrt(1/2)))} with {@link FloatMath#erf} (the
     * diffusers {@code GELU} of the CosyVoice2 estimator; torch's default {@code approximate='none'}).
     */
    void geluErf(Buf x);

    /** In place Mish {@code x tanh(softplus(x))} (softplus threshold 20, as PyTorch). */
    void mish(Buf x);

    /** In place leaky ReLU with an explicit slope (0.01 and 0.1 both occur). */
    void leakyRelu(Buf x, float slope);

    /** In place Snake on {@code x [channels, t]}: {@code x + 1/(alpha_c + 1e-9) sin(alpha_c x)^2}, alpha {@code [channels]}. */
    void snake(Buf x, Tensor alpha);

    /** {@code out = a + b}; {@code out} may alias either. */
    void add(Buf out, Buf a, Buf b);

    /** {@code out = x / divisor} (the mean of the vocoder's ResBlocks); {@code out} may alias {@code x}. */
    void div(Buf out, Buf x, float divisor);

    /** In place per row r: {@code x[r, :] = x[r, :] * scale[r] + bias[r]} (weight norm applied to a conv's outputs). */
    void affineRows(Buf x, Tensor scale, Tensor bias);

    /**
     * adaLN modulation in place: {@code x = x * (1 + scale) + shift}, where the rows of {@code x} form
     * {@code mod.rows()} equal groups (one per batch row) and group g reads {@code shift = mod[g, shiftCol ..
     * shiftCol + x.cols())}, {@code scale} likewise from {@code scaleCol}.
     */
    void modulate(Buf x, Buf mod, int shiftCol, int scaleCol);

    /** Gated residual in place: {@code x += gate * y}, gate {@code mod[g, gateCol ..]} per row group as in {@link #modulate}. */
    void addGated(Buf x, Buf mod, int gateCol, Buf y);

    /**
     * One Euler step of the classifier-free-guided flow ODE in place: {@code x += dt * (cfgCond * vCond -
     * cfgUncond * vUncond)}, evaluated in that order in float32.
     */
    void cfgEulerStep(Buf x, Buf vCond, Buf vUncond, float dt, float cfgCond, float cfgUncond);

    /** Every value of {@code x} set to {@code value}. */
    void fill(Buf x, float value);

    /**
     * {@code dst = src} (same shape; float32 to float64 converts; float32 to bfloat16 rounds to nearest even, NaN
     * staying NaN; bfloat16 to float32 is exact).
     */
    void copy(Buf dst, Buf src);

    /** {@code out [cols, rows] = x^T}. */
    void transpose(Buf out, Buf x);

    /**
     * {@code dst[:, col .. col + src.cols()) = src}; {@code src} has {@code dst.rows()} rows, or one row broadcast to
     * all (float32 to float64 converts).
     */
    void setCols(Buf dst, int col, Buf src);

    /** {@code out = x[:, fromCol .. fromCol + out.cols())} (a column slice; same row count). */
    void copyCols(Buf out, Buf x, int fromCol);

    /** {@code nn.Embedding}: row i of {@code out} = row {@code ids[i]} of {@code table [vocab, cols]}. */
    void gatherRows(Buf out, Tensor table, int[] ids);

    /** {@code repeat_interleave} along rows: row r of {@code out} = row {@code r / times} of {@code x}. */
    void repeatRows(Buf out, Buf x, int times);

    /** In place {@code F.normalize} of each row: {@code x / max(||x||, 1e-12)} (norm accumulated in double). */
    void l2NormalizeRows(Buf x);

    // ---- vocoder signal ops -------------------------------------------------------------------------------------

    /**
     * Polyphase output of a nearest-upsampling conv back to time order: {@code phases [u * cout, t]} (row
     * {@code ph * cout + co} holds output samples {@code u * m + ph}) into {@code out [cout, u * t + pad]}; with
     * {@code reflectPadLeft} one leading sample {@code out[co, 0] = out[co, 2]} ({@code ReflectionPad1d((1, 0))}).
     */
    void polyphaseInterleave(Buf out, Buf phases, boolean reflectPadLeft);

    /**
     * {@code torch.stft(x, nFft, hop, window, center=True, pad_mode='reflect')} of {@code x [1, len]} as the
     * {@code [2 * bins, frames]} channels {@code cat([real, imag])} of the first {@code out.cols()} frames; DFTs in
     * double, rounded to float32. Needs {@code len > nFft / 2}.
     */
    void stft(Buf out, Buf x, Tensor window, int nFft, int hop);

    /**
     * HiFT's output head: {@code istft(exp(x[:bins]) clipped at 100, sin(x[bins:]))} of {@code x [2 * bins, frames]}
     * ({@code torch.istft} center=True: irfft per frame, windowed overlap-add divided by the summed squared window,
     * n_fft/2 samples dropped at both ends), the first {@code out.cols()} samples clamped to +-{@code clamp}.
     */
    void istftFromLogits(Buf out, Buf x, Tensor window, int nFft, int hop, float clamp);

    /**
     * The NSF excitation ({@code SourceModuleHnNSF} with {@code SineGen2(causal=True)}): {@code source [1, T * scale]}
     * from the frame-rate {@code f0 [1, T]} (Hz), see {@link NsfSpec}. {@code traceOrNull} receives the
     * intermediates on the host (golden {@code hift/nsf_source}; a backend may refuse a trace).
     */
    void nsfSource(Buf source, Buf f0, NsfSpec spec, NsfSpec.Trace traceOrNull);

    /**
     * {@link #nsfSource} over the tail of a longer call, for a streaming vocoder that carries the phase: {@code f0
     * [1, W]} holds frames {@code [frameOffset, frameOffset + W)} of a call over {@code T = frameOffset + W} f0 frames
     * and {@code source [1, S]} receives the last S of its {@code T * scale} samples, each exactly as
     * {@code nsfSource} over all T frames computes it (absolute sample index for the noise rows and torch's float
     * index rounding). {@code phaseIn} (float64 {@code [1, harmonics]}, null for zeros) is the phase cumsum's double
     * accumulator before frame {@code frameOffset}; {@code phaseOut} (float64 {@code [W, harmonics]}, or null)
     * receives the accumulator after each frame. Every frame a sample reads must be in the window.
     */
    void nsfSourceFrom(Buf source, Buf f0, long frameOffset, Buf phaseIn, Buf phaseOut, NsfSpec spec);

    @Override
    void close();
}
