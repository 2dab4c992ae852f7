package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.config.HiftConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.tensor.Tensor;

/**
 * The source fusion and ResBlocks of the upsampling stages, the same in {@code HiFTGenerator.decode} and
 * {@code CausalHiFTGenerator.decode} ({@code cosyvoice/hifigan/generator.py} @ ace7c47) but for the paddings:
 * {@code x += source_resblocks[i](source_downs[i](s_stft))}, then {@code x = mean of the stage's ResBlocks}. Used by
 * {@link HiftGenerator} (symmetric paddings) and {@link CausalHiftGenerator} (causal ones); checked by their golden
 * cases ({@code hift/decode}, {@code hift/inference} of both families).
 */
final class HiftStages {
    final Tensor[] sourceDownsWeight, sourceDownsBias;
    final ConvSpec[] sourceDownsSpec;
    final ResBlock[] sourceResblocks;
    final ResBlock[] resblocks;                // [stage * numKernels + j]
    final int numKernels;

    private HiftStages(Tensor[] sourceDownsWeight, Tensor[] sourceDownsBias, ConvSpec[] sourceDownsSpec,
                       ResBlock[] sourceResblocks, ResBlock[] resblocks, int numKernels) {
        this.sourceDownsWeight = sourceDownsWeight;
        this.sourceDownsBias = sourceDownsBias;
        this.sourceDownsSpec = sourceDownsSpec;
        this.sourceResblocks = sourceResblocks;
        this.resblocks = resblocks;
        this.numKernels = numKernels;
    }

    /** The config's per-stage lists must have one entry per upsampling stage (and kernels match dilations). */
    static void checkListLengths(HiftWeights w, HiftConfig config) {
        int n = config.upsampleRates().size();
        if (n == 0 || config.upsampleKernelSizes().size() != n || config.sourceResblockKernelSizes().size() != n
                || config.sourceResblockDilationSizes().size() != n
                || config.resblockKernelSizes().size() != config.resblockDilationSizes().size()) {
            throw new ModelFormatException(w.store().file(), "inconsistent hift config list lengths: " + config);
        }
    }

    /**
     * Takes {@code source_downs.*}, {@code source_resblocks.*} and {@code resblocks.*} for {@code base} channels before
     * the first stage. {@code causal}: {@code CausalConv1dDownSample} (left pad stride - 1) and causal ResBlocks;
     * otherwise {@code Conv1d(padding u/2)} and symmetric ResBlocks.
     */
    static HiftStages load(HiftWeights w, HiftConfig config, int base, int stftCh, boolean causal) {
        int n = config.upsampleRates().size();
        // downsample_rates = [1] + upsample_rates[::-1][:-1]; cumprod, reversed (generator.py:453-456, 638-640)
        int[] cum = new int[n];
        cum[0] = 1;
        for (int i = 1; i < n; i++) cum[i] = cum[i - 1] * config.upsampleRates().get(n - i);
        Tensor[] sdW = new Tensor[n], sdB = new Tensor[n];
        ConvSpec[] sdSpec = new ConvSpec[n];
        ResBlock[] srb = new ResBlock[n];
        for (int i = 0; i < n; i++) {
            int u = cum[n - 1 - i], c = base >> (i + 1);
            sdW[i] = w.take("source_downs." + i + ".weight", c, stftCh, u == 1 ? 1 : 2L * u);
            sdB[i] = w.take("source_downs." + i + ".bias", c);
            // u == 1: a k 1 conv, no padding; else CausalConv1dDownSample (left pad stride - 1) or Conv1d(padding u/2)
            sdSpec[i] = u == 1 ? ConvSpec.of(1, 0, 0, 1, 1) : causal ? ConvSpec.of(u, u - 1, 0, 1, 1) : ConvSpec.of(u, u / 2, u / 2, 1, 1);
            srb[i] = ResBlock.load(w, "source_resblocks." + i + ".", c, config.sourceResblockKernelSizes().get(i),
                    config.sourceResblockDilationSizes().get(i), causal);
        }
        int kernels = config.resblockKernelSizes().size();
        ResBlock[] rb = new ResBlock[n * kernels];
        for (int i = 0; i < n; i++) {
            int c = base >> (i + 1);
            for (int j = 0; j < kernels; j++) {
                int r = i * kernels + j;
                rb[r] = ResBlock.load(w, "resblocks." + r + ".", c, config.resblockKernelSizes().get(j),
                        config.resblockDilationSizes().get(j), causal);
            }
        }
        return new HiftStages(sdW, sdB, sdSpec, srb, rb, kernels);
    }

    /** {@code ups[i]} in polyphase form: {@code phases [u * cout, t]}, row {@code ph * cout + co} = output sample u m + ph. */
    interface Upsample {
        void forward(int stage, Buf phases, Buf x);
    }

    /**
     * The upsampling stages on {@code x [ch, t]} (conv_pre's output): per stage {@code leaky_relu(lreluSlope)},
     * {@code ups[i]} (polyphase, interleaved; + reflection pad after the last), then {@link #fuse}. Returns the last
     * stage's x, a view of the session's {@code x}.
     */
    Buf upsample(Backend backend, HiftSession s, Buf x, int[] upsampleRates, float lreluSlope, Upsample ups, Buf s18,
                 int stftFrames) {
        int t = x.cols(), ch = x.rows();
        for (int i = 0; i < upsampleRates.length; i++) {
            int u = upsampleRates[i], cout = ch / 2;
            boolean last = i == upsampleRates.length - 1;
            backend.leakyRelu(x, lreluSlope);
            Buf phases = s.scratch[0].view(u * cout, t);
            ups.forward(i, phases, x);                                               // ups[i]
            int tn = u * t + (last ? 1 : 0);
            x = s.x.view(cout, tn);
            backend.polyphaseInterleave(x, phases, last);                            // (+ reflection_pad on the last)
            t = tn;
            ch = cout;
            fuse(backend, s, i, x, s18, stftFrames, ch, t);                          // + source branch, ResBlock mean
        }
        return x;
    }

    /**
     * Stage {@code i} after its upsampling ({@code x [ch, t]}): {@code x += source_resblocks[i](source_downs[i](s_stft))}
     * over the STFT of the source {@code s18 [n_fft + 2, stftFrames]}, then {@code x = mean of the stage's ResBlocks}.
     */
    private void fuse(Backend backend, HiftSession s, int i, Buf x, Buf s18, int stftFrames, int ch, int t) {
        int srcLen = sourceDownsSpec[i].outLength(stftFrames, sourceDownsWeight[i].dim(2));
        if (srcLen != t) {
            throw new IllegalStateException("source branch has " + srcLen + " frames at stage " + i + ", x has " + t);
        }
        Buf si = (numKernels >= 2 ? s.outs[1] : s.scratch[2]).view(ch, t), sr = s.outs[0].view(ch, t);
        backend.conv1d(si, s18, sourceDownsWeight[i], sourceDownsBias[i], sourceDownsSpec[i]);   // source_downs[i]
        sourceResblocks[i].forward(backend, si, sr, s.scratch[0].view(ch, t), s.scratch[1].view(ch, t));
        backend.add(x, x, sr);                                                   // x = x + si
        resblockMean(backend, i, s, x, ch, t);                                   // x = xs / num_kernels
    }

    /**
     * {@code x = ((rb_0(x) + rb_1(x)) + rb_2(x)) / n} over stage {@code stage}'s ResBlocks. They are independent, so the
     * backend may run them as parts (cpu: each whole on one core, grouped by cost); the sum keeps the order.
     */
    private void resblockMean(Backend backend, int stage, HiftSession s, Buf x, int ch, int t) {
        int[] cost = new int[numKernels];
        for (int j = 0; j < numKernels; j++) cost[j] = resblocks[stage * numKernels + j].cost();
        backend.parts(cost, j -> resblocks[stage * numKernels + j].forward(backend, x, s.outs[j].view(ch, t),
                s.scratch[2 * j].view(ch, t), s.scratch[2 * j + 1].view(ch, t)));
        Buf acc = s.outs[0].view(ch, t);
        for (int j = 1; j < numKernels; j++) backend.add(acc, acc, s.outs[j].view(ch, t));
        backend.div(x, acc, numKernels);
    }
}
