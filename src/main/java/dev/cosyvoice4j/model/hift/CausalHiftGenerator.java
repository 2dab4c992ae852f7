package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.config.HiftConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Port of {@code CausalHiFTGenerator} ({@code cosyvoice/hifigan/generator.py:572-726} @ ace7c47): mel (50 Hz) to
 * a 24 kHz waveform through the float64 F0 predictor, the causal NSF sine source and the ISTFTNet decoder.
 * Golden: {@code hift/decode}, {@code hift/inference} (and {@code hift/f0_predictor}, {@code hift/nsf_source}
 * for the parts).
 *
 * <p>Immutable after {@link #load}; every call allocates its own activations, so one instance serves any number of
 * threads. Mel layout is channel-major {@code [80, frames]} (the official {@code [1, 80, T]} without batch).
 *
 * <p>Decode ({@code decode}, l. 672-711): right-causal {@code conv_pre} ({@code conv_pre_look_right} frames of
 * look-ahead: zeros when finalizing, the real last frames otherwise); per stage {@code leaky_relu(0.1)},
 * {@code CausalConv1dUpsample} (nearest x u, left pad k-1, conv k), a (1, 0) reflection pad after the last one,
 * {@code + source_resblocks[i](source_downs[i](stft(source)))}, the mean of the stage's ResBlocks; then
 * {@code leaky_relu(0.01)} (the default slope, not lrelu_slope), {@code conv_post}, magnitude/phase, iSTFT, clamp.
 * The nearest-upsample + conv is computed in polyphase form (one conv with the taps that read the same input
 * sample pre-summed, kernel ceil((k-1)/u)+1 instead of k, outputs interleaved): the same function, ~k/3 fewer MACs.
 */
public final class CausalHiftGenerator {
    private final HiftConfig config;
    private final int inChannels;
    private final int baseChannels;
    private final int[] upsampleRates;
    private final int convPreLookRight;
    private final float lreluSlope;
    private final float audioLimit;
    private final WeightNormConv convPre;            // spec without the finalize padding
    private final WeightNormConv[] ups;                // polyphase: v [u * cout, cin, K], scale and bias repeated u times
    private final Tensor[] sourceDownsWeight, sourceDownsBias;
    private final ConvSpec[] sourceDownsSpec;
    private final ResBlock[] sourceResblocks;
    private final ResBlock[] resblocks;                // [stage * numKernels + j]
    private final int numKernels;
    private final WeightNormConv convPost;
    private final CausalConvRnnF0Predictor f0Predictor;
    private final SourceModuleHnNsf mSource;
    private final HiftStft stft;

    private CausalHiftGenerator(Builder b) {
        this.config = b.config;
        this.inChannels = b.inChannels;
        this.baseChannels = b.baseChannels;
        this.upsampleRates = b.upsampleRates;
        this.convPreLookRight = b.config.convPreLookRight();
        this.lreluSlope = (float) b.config.lreluSlope();
        this.audioLimit = (float) b.config.audioLimit();
        this.convPre = b.convPre;
        this.ups = b.ups;
        this.sourceDownsWeight = b.sourceDownsWeight;
        this.sourceDownsBias = b.sourceDownsBias;
        this.sourceDownsSpec = b.sourceDownsSpec;
        this.sourceResblocks = b.sourceResblocks;
        this.resblocks = b.resblocks;
        this.numKernels = b.numKernels;
        this.convPost = b.convPost;
        this.f0Predictor = b.f0Predictor;
        this.mSource = b.mSource;
        this.stft = b.stft;
    }

    /**
     * Loads every tensor of {@code hift.pt} (strict: anything left over is an error). Channel counts and kernel
     * sizes are derived from the tensor shapes and cross-checked with {@code config}. Most weights stay views of
     * {@code store} (weight norm applied to the conv outputs, {@link WeightNormConv}), so the store must stay open
     * while the vocoder is used; only the polyphase upsampling weights are folded copies.
     */
    public static CausalHiftGenerator load(WeightStore store, HiftConfig config) {
        HiftWeights w = new HiftWeights(store);
        Builder b = new Builder();
        b.config = config;
        int n = config.upsampleRates().size();
        if (n == 0 || config.upsampleKernelSizes().size() != n || config.sourceResblockKernelSizes().size() != n
                || config.sourceResblockDilationSizes().size() != n
                || config.resblockKernelSizes().size() != config.resblockDilationSizes().size()) {
            throw new ModelFormatException(store.file(), "inconsistent hift config list lengths: " + config);
        }
        long[] pre = w.weightNormShape("conv_pre");
        b.baseChannels = Math.toIntExact(pre[0]);
        b.inChannels = Math.toIntExact(pre[1]);
        if (pre.length != 3 || b.baseChannels != config.baseChannels() || b.inChannels != config.inChannels()
                || pre[2] != config.convPreLookRight() + 1) {
            throw new ModelFormatException(store.file(), "conv_pre weight is " + HiftWeights.shape(pre)
                    + " but the config says base_channels " + config.baseChannels() + ", in_channels "
                    + config.inChannels() + ", conv_pre_look_right " + config.convPreLookRight());
        }
        b.convPre = w.weightNormConv("conv_pre", ConvSpec.of(1, 0, 0, 1, 1), pre);

        b.upsampleRates = config.upsampleRates().stream().mapToInt(Integer::intValue).toArray();
        b.ups = new WeightNormConv[n];
        int ch = b.baseChannels;
        for (int i = 0; i < n; i++) {
            int cout = ch / 2, k = config.upsampleKernelSizes().get(i), u = b.upsampleRates[i];
            // weight norm on the polyphase outputs: phase rows of channel co share its scale and bias
            WeightNormConv up = w.weightNormConv("ups." + i, ConvSpec.of(1, 0, 0, 1, 1), cout, ch, k);
            b.ups[i] = new WeightNormConv(polyphase(up.v(), u), repeat(up.scale(), u), repeat(up.bias(), u),
                    ConvSpec.of(1, ceilDiv(k - 1, u), 0, 1, 1));
            ch = cout;
        }

        int nFft = config.istftNFft();
        int stftCh = nFft + 2;
        // downsample_rates = [1] + upsample_rates[::-1][:-1]; cumprod, reversed (generator.py:638-640)
        int[] cum = new int[n];
        cum[0] = 1;
        for (int i = 1; i < n; i++) cum[i] = cum[i - 1] * b.upsampleRates[n - i];
        b.sourceDownsWeight = new Tensor[n];
        b.sourceDownsBias = new Tensor[n];
        b.sourceDownsSpec = new ConvSpec[n];
        b.sourceResblocks = new ResBlock[n];
        for (int i = 0; i < n; i++) {
            int u = cum[n - 1 - i], c = b.baseChannels >> (i + 1);
            int k = u == 1 ? 1 : 2 * u;
            b.sourceDownsWeight[i] = w.take("source_downs." + i + ".weight", c, stftCh, k);
            b.sourceDownsBias[i] = w.take("source_downs." + i + ".bias", c);
            // u == 1: CausalConv1d(k=1, left) = no padding; else CausalConv1dDownSample: left pad stride - 1
            b.sourceDownsSpec[i] = u == 1 ? ConvSpec.of(1, 0, 0, 1, 1) : ConvSpec.of(u, u - 1, 0, 1, 1);
            b.sourceResblocks[i] = ResBlock.load(w, "source_resblocks." + i + ".", c,
                    config.sourceResblockKernelSizes().get(i), config.sourceResblockDilationSizes().get(i));
        }

        b.numKernels = config.resblockKernelSizes().size();
        b.resblocks = new ResBlock[n * b.numKernels];
        for (int i = 0; i < n; i++) {
            int c = b.baseChannels >> (i + 1);
            for (int j = 0; j < b.numKernels; j++) {
                int r = i * b.numKernels + j;
                b.resblocks[r] = ResBlock.load(w, "resblocks." + r + ".", c, config.resblockKernelSizes().get(j),
                        config.resblockDilationSizes().get(j));
            }
        }
        b.convPost = w.weightNormConv("conv_post", ResBlock.leftCausal(7, 1), stftCh, ch, 7);

        b.f0Predictor = CausalConvRnnF0Predictor.load(w, config.f0InChannels(), config.f0CondChannels(),
                config.f0NumClass());
        int scale = Math.multiplyExact(product(b.upsampleRates), config.istftHopLen());
        b.mSource = SourceModuleHnNsf.load(w, config.samplingRate(), scale, config.nbHarmonics(),
                config.nsfAlpha(), config.nsfSigma(), config.nsfVoicedThreshold());
        b.stft = new HiftStft(nFft, config.istftHopLen());
        if (w.has("resblocks." + n * b.numKernels + ".convs1.0.bias") || w.has("ups." + n + ".bias")) {
            throw new ModelFormatException(store.file(), "hift.pt has more upsampling stages than the config's " + n);
        }
        store.checkAllUsed();
        return new CausalHiftGenerator(b);
    }

    public HiftConfig config() { return config; }

    public CausalConvRnnF0Predictor f0Predictor() { return f0Predictor; }

    public SourceModuleHnNsf mSource() { return mSource; }

    /** Waveform samples per mel frame: prod(upsample_rates) * hop (480). */
    public int samplesPerFrame() { return mSource.upsampleScale(); }

    /** Mel frames the streaming path holds back: f0 look-ahead + conv_pre look-ahead + 1 (iSTFT overlap) = 8. */
    public int heldBackFrames() { return f0Predictor.lookAheadFrames() + convPreLookRight + 1; }

    /** Samples {@link #inference} returns for {@code frames} mel frames: 480 T, or 480 (T - 8) if not finalizing. */
    public int outputSamples(int frames, boolean finalize) {
        return samplesPerFrame() * (finalize ? frames : frames - heldBackFrames());
    }

    /** What {@link #inference} returns: the waveform {@code [samples]}, the source {@code [480 T']}, f0 {@code [T']}. */
    public record Result(float[] speech, float[] source, float[] f0) {}

    /** {@link #inference(float[], int, boolean, SourceNoise, Kernels)} with the fixtures' noise buffers. */
    public Result inference(float[] mel, int frames, boolean finalize, Kernels k) {
        return inference(mel, frames, finalize, SourceNoise.goldenUniform(), k);
    }

    /**
     * {@code CausalHiFTGenerator.inference(speech_feat, finalize)}: mel {@code [80, frames]} to a waveform of
     * {@link #outputSamples} samples in [-audio_limit, audio_limit]. Not finalizing (streaming), the last 3 mel
     * frames are the f0 look-ahead, the 4 before them the conv_pre look-ahead, and the last 480 samples are
     * trimmed: the official code recomputes from frame 0 on every call and the caller keeps the new tail.
     */
    public Result inference(float[] mel, int frames, boolean finalize, SourceNoise noise, Kernels k) {
        checkMel(mel, frames, finalize ? 1 : heldBackFrames());
        float[] f0 = f0Predictor.forward(mel, frames, finalize, k);
        float[] source = mSource.forward(f0, f0.length, noise, null);
        int decodeFrames = finalize ? frames : frames - f0Predictor.lookAheadFrames();
        float[] decodeMel = decodeFrames == frames ? mel : firstFrames(mel, frames, decodeFrames);
        float[] speech = decode(decodeMel, decodeFrames, source, finalize, k);
        return new Result(speech, source, f0);
    }

    /**
     * {@code CausalHiFTGenerator.decode(x=mel, s=source, finalize)}: mel {@code [80, frames]} plus the source
     * {@code [480 * frames]} to the waveform ({@code 480 * frames} samples; not finalizing, the last 4 frames are
     * conv_pre look-ahead and {@code 480 * (frames - 5)} samples come out).
     */
    public float[] decode(float[] mel, int frames, float[] source, boolean finalize, Kernels k) {
        checkMel(mel, frames, finalize ? 1 : convPreLookRight + 1);
        int scale = samplesPerFrame();
        if (source.length != (long) scale * frames) {
            throw new IllegalArgumentException("source has " + source.length + " samples; " + frames
                    + " mel frames need " + (long) scale * frames);
        }
        int prodUp = product(upsampleRates);
        int hop = stft.hop();
        // conv_pre: right-causal; look-ahead = zeros (finalize) or the real last frames
        int tx = finalize ? frames : frames - convPreLookRight;
        // s_stft trimmed by prod(upsample_rates) * conv_pre_look_right frames when not finalizing
        int stftFrames = stft.frames(source.length) - (finalize ? 0 : prodUp * convPreLookRight);
        float[] s18 = stft.stft(source, source.length, stftFrames);
        int stftCh = 2 * stft.bins();

        int maxLen = Math.max(baseChannels * tx, stftCh * stftFrames);
        int t = tx;
        int ch = baseChannels;
        for (int i = 0; i < upsampleRates.length; i++) {
            ch /= 2;
            t = t * upsampleRates[i] + (i == upsampleRates.length - 1 ? 1 : 0);
            maxLen = Math.max(maxLen, ch * t);                       // stage activations and polyphase output
        }
        float[] x = new float[maxLen], acc = new float[maxLen], r = new float[maxLen];
        float[] a = new float[maxLen], bb = new float[maxLen], big = new float[maxLen];
        // buffers of the ResBlocks run as parallel tasks: more outputs, and scratch for each task after the first
        int tasks = Math.min(k.taskThreads(), numKernels);
        float[][] spare = new float[tasks <= 1 ? 0 : numKernels - 2 + 2 * (tasks - 1)][maxLen];

        (finalize ? convPre.withSpec(ConvSpec.of(1, 0, convPreLookRight, 1, 1)) : convPre).forward(k, x, mel, inChannels, frames);
        t = tx;
        ch = baseChannels;
        for (int i = 0; i < upsampleRates.length; i++) {
            int u = upsampleRates[i], cout = ch / 2;
            boolean last = i == upsampleRates.length - 1;
            k.leakyRelu(x, 0, ch * t, lreluSlope);
            // CausalConv1dUpsample in polyphase form: big[ph * cout + co, m] = out[co, u * m + ph]
            ups[i].forward(k, big, x, ch, t);
            int off = last ? 1 : 0;
            int tn = u * t + off;
            for (int co = 0; co < cout; co++) {
                int dst = co * tn + off;
                for (int ph = 0; ph < u; ph++) {
                    int src = (ph * cout + co) * t;
                    for (int m = 0; m < t; m++) x[dst + u * m + ph] = big[src + m];
                }
                if (last) x[co * tn] = x[co * tn + 2];               // ReflectionPad1d((1, 0))
            }
            t = tn;
            ch = cout;
            // fusion: x += source_resblocks[i](source_downs[i](s_stft))
            int srcLen = sourceDownsSpec[i].outLength(stftFrames, sourceDownsWeight[i].dim(2));
            if (srcLen != t) {
                throw new IllegalStateException("source branch has " + srcLen + " frames at stage " + i + ", x has " + t);
            }
            k.conv1d(a, s18, stftCh, stftFrames, sourceDownsWeight[i], sourceDownsBias[i], sourceDownsSpec[i]);
            sourceResblocks[i].forward(a, r, t, bb, big, k);
            k.add(x, x, r, ch * t);
            // x = mean of the stage's ResBlocks
            resblockSum(i, x, acc, r, a, bb, t, spare, k);
            float nk = numKernels;
            for (int q = 0, e = ch * t; q < e; q++) x[q] = acc[q] / nk;
        }
        k.leakyRelu(x, 0, ch * t, 0.01f);                           // F.leaky_relu default slope
        convPost.forward(k, a, x, ch, t);
        int samples = hop * (t - 1) - (finalize ? 0 : prodUp * hop);
        return stft.istft(a, t, samples, audioLimit);
    }

    /**
     * {@code acc = ((rb_0(x) + rb_1(x)) + rb_2(x)) ...} over stage {@code stage}'s ResBlocks, in that order. They are
     * independent, so with several task threads they run as whole tasks (each conv then a one-core GEMM, which is
     * faster per core than splitting every conv), grouped by cost; the sum keeps the sequential order, so the result
     * is the same either way.
     */
    private void resblockSum(int stage, float[] x, float[] acc, float[] r, float[] a, float[] bb, int t,
                             float[][] spare, Kernels k) {
        ResBlock[] blocks = java.util.Arrays.copyOfRange(resblocks, stage * numKernels, (stage + 1) * numKernels);
        int n = blocks[0].channels() * t;
        int tasks = Math.min(k.taskThreads(), blocks.length);
        if (tasks <= 1) {
            blocks[0].forward(x, acc, t, a, bb, k);
            for (int j = 1; j < blocks.length; j++) {
                blocks[j].forward(x, r, t, a, bb, k);
                k.add(acc, acc, r, n);
            }
            return;
        }
        int[] taskOf = costGroups(java.util.Arrays.stream(blocks).mapToInt(ResBlock::cost).toArray(), tasks);
        float[][] out = new float[blocks.length][];
        int next = 0;
        out[0] = acc;
        for (int j = 1; j < blocks.length; j++) out[j] = j == 1 ? r : spare[next++];
        float[][] scratchA = new float[tasks][], scratchB = new float[tasks][];
        scratchA[0] = a;
        scratchB[0] = bb;
        for (int q = 1; q < tasks; q++) {
            scratchA[q] = spare[next++];
            scratchB[q] = spare[next++];
        }
        k.parallelTasks(tasks, q -> {
            for (int j = 0; j < blocks.length; j++) {
                if (taskOf[j] == q) blocks[j].forward(x, out[j], t, scratchA[q], scratchB[q], k);
            }
        });
        for (int j = 1; j < blocks.length; j++) k.add(acc, acc, out[j], n);
    }

    /** Task of each block: largest first onto the least loaded task (kernel sizes 3, 7, 11 on 2 tasks: {11} and {7, 3}). */
    static int[] costGroups(int[] cost, int tasks) {
        Integer[] order = new Integer[cost.length];
        for (int j = 0; j < order.length; j++) order[j] = j;
        java.util.Arrays.sort(order, (p, q) -> Integer.compare(cost[q], cost[p]));
        long[] load = new long[tasks];
        int[] taskOf = new int[cost.length];
        for (int j : order) {
            int best = 0;
            for (int q = 1; q < tasks; q++) if (load[q] < load[best]) best = q;
            taskOf[j] = best;
            load[best] += cost[j];
        }
        return taskOf;
    }

    private void checkMel(float[] mel, int frames, int minFrames) {
        if (frames < minFrames) {
            throw new IllegalArgumentException("the vocoder needs at least " + minFrames + " mel frames here, got " + frames);
        }
        if (mel.length != (long) inChannels * frames) {
            throw new IllegalArgumentException("mel has " + mel.length + " values, expected " + inChannels + " x " + frames);
        }
    }

    private float[] firstFrames(float[] mel, int frames, int keep) {
        float[] out = new float[inChannels * keep];
        for (int c = 0; c < inChannels; c++) System.arraycopy(mel, c * frames, out, c * keep, keep);
        return out;
    }

    /**
     * Polyphase form of nearest-upsample(u) + left-padded conv (pad k-1) with weight {@code [cout, cin, k]}:
     * output phase ph (sample u*m + ph) reads input sample m + floor((ph + j - (k-1)) / u) for tap j, so the
     * taps landing on the same input sample are summed. Returns {@code [u * cout, cin, K]}, K = ceil((k-1)/u) + 1,
     * taps aligned so that a conv with left padding K-1 over the input yields phase ph in rows ph*cout..
     */
    static Tensor polyphase(Tensor w, int u) {
        int cout = w.dim(0), cin = w.dim(1), k = w.dim(2), kk = ceilDiv(k - 1, u) + 1;
        int[] tapOf = new int[u * k];
        for (int ph = 0; ph < u; ph++) {
            for (int j = 0; j < k; j++) tapOf[ph * k + j] = kk - 1 + Math.floorDiv(ph + j - (k - 1), u);   // q in [-(kk-1), 0]
        }
        // one output channel at a time through small reused buffers: the only fresh memory is the result's
        MemorySegment dst = Arena.ofAuto().allocate((long) u * cout * cin * kk * Float.BYTES, 64);
        float[] src = new float[cin * k], row = new float[cin * kk];
        for (int co = 0; co < cout; co++) {
            MemorySegment.copy(w.data(), Tensor.F32_LE, (long) co * cin * k * Float.BYTES, src, 0, cin * k);
            for (int ph = 0; ph < u; ph++) {
                java.util.Arrays.fill(row, 0f);
                for (int ci = 0; ci < cin; ci++) {
                    for (int j = 0; j < k; j++) row[ci * kk + tapOf[ph * k + j]] += src[ci * k + j];
                }
                MemorySegment.copy(row, 0, dst, Tensor.F32_LE, ((long) ph * cout + co) * cin * kk * Float.BYTES, cin * kk);
            }
        }
        return new Tensor(DType.F32, new long[] {(long) u * cout, cin, kk}, dst);
    }

    /** {@code src} repeated {@code times} (the polyphase rows of all phases share scale and bias). */
    private static float[] repeat(float[] src, int times) {
        float[] dst = new float[src.length * times];
        for (int i = 0; i < times; i++) System.arraycopy(src, 0, dst, i * src.length, src.length);
        return dst;
    }

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }

    private static int product(int[] v) {
        int p = 1;
        for (int x : v) p = Math.multiplyExact(p, x);
        return p;
    }

    private static final class Builder {
        HiftConfig config;
        int inChannels, baseChannels, numKernels;
        int[] upsampleRates;
        WeightNormConv convPre, convPost;
        WeightNormConv[] ups;
        Tensor[] sourceDownsWeight, sourceDownsBias;
        ConvSpec[] sourceDownsSpec;
        ResBlock[] sourceResblocks, resblocks;
        CausalConvRnnF0Predictor f0Predictor;
        SourceModuleHnNsf mSource;
        HiftStft stft;
    }
}
