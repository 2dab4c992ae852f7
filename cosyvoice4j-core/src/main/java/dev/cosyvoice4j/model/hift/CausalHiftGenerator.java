package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.NsfNoise;
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
 * <p>Immutable after {@link #load}; the memory of a request lives in a {@link HiftSession}, so one instance serves any
 * number of threads. Mel layout is channel-major {@code [80, frames]} (the official {@code [1, 80, T]} without batch).
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
    private final HiftStages stages;                 // source fusion and ResBlocks per stage
    private final WeightNormConv convPost;
    private final CausalConvRnnF0Predictor f0Predictor;
    private final SourceModuleHnNsf mSource;
    private final Backend backend;
    /** The iSTFT's periodic Hann window ({@code get_window("hann", n_fft, fftbins=True)}, float32). */
    private final Tensor stftWindow;
    private final int nFft, hop;

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
        this.stages = b.stages;
        this.convPost = b.convPost;
        this.f0Predictor = b.f0Predictor;
        this.mSource = b.mSource;
        this.backend = b.backend;
        this.nFft = b.config.istftNFft();
        this.hop = b.config.istftHopLen();
        float[] w = new float[nFft];
        for (int n = 0; n < nFft; n++) w[n] = (float) (0.5 - 0.5 * StrictMath.cos(2 * Math.PI * n / nFft));
        this.stftWindow = Tensor.of(w, nFft);
    }

    /**
     * Loads every tensor of {@code hift.pt} (strict: anything left over is an error). Channel counts and kernel
     * sizes are derived from the tensor shapes and cross-checked with {@code config}. Most weights stay views of
     * {@code store} (weight norm applied to the conv outputs, {@link WeightNormConv}), so the store must stay open
     * while the vocoder is used; only the polyphase upsampling weights are folded copies.
     */
    public static CausalHiftGenerator load(WeightStore store, HiftConfig config, Backend backend) {
        HiftWeights w = new HiftWeights(store);
        Builder b = new Builder();
        b.config = config;
        b.backend = backend;
        HiftStages.checkListLengths(w, config);
        int n = config.upsampleRates().size();
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
            float[] scale = repeat(up.scale().toFloatArray(), u), bias = repeat(up.bias().toFloatArray(), u);
            b.ups[i] = new WeightNormConv(polyphase(up.v(), u), Tensor.of(scale, scale.length), Tensor.of(bias, bias.length),
                    ConvSpec.of(1, ceilDiv(k - 1, u), 0, 1, 1));
            ch = cout;
        }

        int nFft = config.istftNFft();
        if (nFft < 2 || nFft % 2 != 0 || config.istftHopLen() < 1 || config.istftHopLen() > nFft) {
            throw new ModelFormatException(store.file(), "unsupported iSTFT params n_fft " + nFft + " hop " + config.istftHopLen());
        }
        int stftCh = nFft + 2;
        b.stages = HiftStages.load(w, config, b.baseChannels, stftCh, true);
        b.convPost = w.weightNormConv("conv_post", ResBlock.leftCausal(7, 1), stftCh, ch, 7);

        b.f0Predictor = CausalConvRnnF0Predictor.load(w, config.f0InChannels(), config.f0CondChannels(),
                config.f0NumClass());
        int scale = Math.multiplyExact(product(b.upsampleRates), config.istftHopLen());
        b.mSource = SourceModuleHnNsf.load(w, config.samplingRate(), scale, config.nbHarmonics(),
                config.nsfAlpha(), config.nsfSigma(), config.nsfVoicedThreshold());
        if (w.has("resblocks." + n * b.stages.numKernels + ".convs1.0.bias") || w.has("ups." + n + ".bias")) {
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

    /** What {@link #inference} returns, on the host: the waveform {@code [samples]}, the source {@code [480 T']}, f0 {@code [T']}. */
    public record Result(float[] speech, float[] source, float[] f0) {}

    /** The memory of one request's vocoder calls. */
    public HiftSession newSession() { return new HiftSession(backend); }

    public Backend backend() { return backend; }

    /** {@link #inference(HiftSession, float[], int, boolean, NsfNoise)} with the default (fixtures') noise buffers. */
    public Result inference(HiftSession s, float[] mel, int frames, boolean finalize) {
        return inference(s, mel, frames, finalize, SourceModuleHnNsf.defaultNoise());
    }

    /**
     * {@code CausalHiFTGenerator.inference(speech_feat, finalize)}: mel {@code [80, frames]} (host, channel-major) to a
     * waveform of {@link #outputSamples} samples in [-audio_limit, audio_limit]. Not finalizing (streaming), the last 3
     * mel frames are the f0 look-ahead, the 4 before them the conv_pre look-ahead, and the last 480 samples are
     * trimmed: the official code recomputes from frame 0 on every call and the caller keeps the new tail.
     */
    public Result inference(HiftSession s, float[] mel, int frames, boolean finalize, NsfNoise noise) {
        checkMel(mel, frames, finalize ? 1 : heldBackFrames());
        int tOut = f0Predictor.outputFrames(frames, finalize), samples = mSource.samples(tOut);
        s.ensureInput(inChannels, frames, samplesPerFrame(), 2 * (nFft / 2 + 1), stftFramesFor(samples, finalize));
        Buf melBuf = s.mel.view(inChannels, frames), f0 = s.f0.view(1, tOut), source = s.source.view(1, samples);
        backend.write(melBuf, mel, 0);
        f0Predictor.forward(backend, s, melBuf, finalize, f0);                        // f0_predictor (float64)
        mSource.forward(backend, f0, noise, source, null);                            // m_source(f0_upsamp(f0))
        int decodeFrames = finalize ? frames : frames - f0Predictor.lookAheadFrames();
        Buf decodeMel = melBuf;
        if (decodeFrames != frames) {
            decodeMel = s.decodeMel.view(inChannels, decodeFrames);
            backend.copyCols(decodeMel, melBuf, 0);
        }
        Buf speech = decode(s, decodeMel, source, finalize);
        return new Result(backend.read(speech), backend.read(source), backend.read(f0));
    }

    /** A streaming vocoder for one request ({@link HiftStreamState}) with the default (fixtures') noise buffers. */
    public HiftStreamState newStream() { return newStream(SourceModuleHnNsf.defaultNoise()); }

    /** A streaming vocoder for one request: feed it the new mel frames of each call ({@link HiftStreamState#next}). */
    public HiftStreamState newStream(NsfNoise noise) { return new HiftStreamState(this, noise); }

    int inChannels() { return inChannels; }

    /**
     * Mel frames of left context that the decoder's output needs (its receptive field; the source counted from the
     * STFT): iSTFT overlap, conv_post, per stage the widest ResBlock, the source branch (source_resblocks,
     * source_downs, the STFT window) and the polyphase upsampling conv, all from the layers' causal paddings, rounded
     * up, plus one frame for the nearest-upsampling and reflection-pad alignment.
     */
    int decoderContextFrames() {
        int n = upsampleRates.length, prodUp = product(upsampleRates);
        double c = (double) nFft / hop / prodUp + convPost.spec().padLeft() / (double) prodUp;    // _istft, conv_post
        double need = 0;
        int rate = prodUp;
        for (int i = n - 1; i >= 0; i--) {
            int widest = 0;
            for (int j = 0; j < stages.numKernels; j++) {
                widest = Math.max(widest, stages.resblocks[i * stages.numKernels + j].leftContext());
            }
            c += (widest + 1) / (double) rate;                                         // resblocks (+ reflection pad)
            double source = c + stages.sourceResblocks[i].leftContext() / (double) rate
                    + stages.sourceDownsSpec[i].padLeft() / (double) prodUp             // source_downs over STFT frames
                    + (nFft / 2.0) / samplesPerFrame();                                 // stft window (centered)
            need = Math.max(need, source);
            rate /= upsampleRates[i];
            c += (ups[i].spec().padLeft() + 1) / (double) rate;                        // ups (polyphase, input rate)
        }
        need = Math.max(need, c);                                                      // conv_pre only looks right
        return (int) Math.ceil(need) + 1;
    }

    /**
     * One step of {@link HiftStreamState}: {@code inference} of a call over T mel frames, restricted to a window.
     * {@code mel} holds frames {@code [melFrom, T)}; f0 is computed for them (exact from frame {@code melFrom +
     * f0Predictor.leftContextFrames()} on), the source from frame {@code nsfFrom} on with the phase accumulator
     * {@code phaseIn} before it ({@code phaseOut [T' - nsfFrom, harmonics]} receives it per frame), and the decoder
     * runs from frame {@code decodeFrom}. Returns the audio view whose sample j is sample {@code 480 decodeFrom + j} of
     * the full call's waveform (exact after the decoder's context).
     */
    Buf inferenceWindow(HiftSession s, Buf mel, int melFrom, int nsfFrom, int decodeFrom, boolean finalize, NsfNoise noise,
                        Buf phaseIn, Buf phaseOut) {
        int frames = mel.cols(), tOut = f0Predictor.outputFrames(frames, finalize), f0End = melFrom + tOut;
        if (nsfFrom < melFrom || decodeFrom < nsfFrom || decodeFrom >= f0End) {
            throw new IllegalArgumentException("window frames: mel from " + melFrom + ", source from " + nsfFrom
                    + ", decoder from " + decodeFrom + ", f0 up to " + f0End);
        }
        int decodeFrames = f0End - decodeFrom, samples = mSource.samples(decodeFrames);
        s.ensureInput(inChannels, frames, samplesPerFrame(), 2 * (nFft / 2 + 1), stftFramesFor(samples, finalize));
        Buf f0 = s.f0.view(1, tOut);
        f0Predictor.forward(backend, s, mel, finalize, f0);                           // f0_predictor (float64)
        Buf f0Tail = backend.alloc(1, f0End - nsfFrom);
        backend.copyCols(f0Tail, f0, nsfFrom - melFrom);
        Buf source = s.source.view(1, samples);
        backend.nsfSourceFrom(source, f0Tail, nsfFrom, phaseIn, phaseOut, mSource.spec(noise));   // m_source, carried phase
        Buf decodeMel = s.decodeMel.view(inChannels, decodeFrames);
        backend.copyCols(decodeMel, mel, decodeFrom - melFrom);
        return decode(s, decodeMel, source, finalize);
    }

    /** The F0 predictor alone on a host mel {@code [80, frames]}: f0 in Hz per output frame (golden {@code hift/f0_predictor}). */
    public float[] f0(HiftSession s, float[] mel, int frames, boolean finalize) {
        checkMel(mel, frames, finalize ? 1 : f0Predictor.lookAheadFrames() + 1);
        int tOut = f0Predictor.outputFrames(frames, finalize);
        s.ensureInput(inChannels, frames, samplesPerFrame(), 2 * (nFft / 2 + 1), 1);
        Buf melBuf = s.mel.view(inChannels, frames), f0 = s.f0.view(1, tOut);
        backend.write(melBuf, mel, 0);
        f0Predictor.forward(backend, s, melBuf, finalize, f0);
        return backend.read(f0);
    }

    /**
     * {@code CausalHiFTGenerator.decode(x=mel, s=source, finalize)} on host arrays: mel {@code [80, frames]} plus the
     * source {@code [480 * frames]} to the waveform ({@code 480 * frames} samples; not finalizing, the last 4 frames
     * are conv_pre look-ahead and {@code 480 * (frames - 5)} samples come out).
     */
    public float[] decode(HiftSession s, float[] mel, int frames, float[] source, boolean finalize) {
        checkMel(mel, frames, finalize ? 1 : convPreLookRight + 1);
        if (source.length != (long) samplesPerFrame() * frames) {
            throw new IllegalArgumentException("source has " + source.length + " samples; " + frames
                    + " mel frames need " + (long) samplesPerFrame() * frames);
        }
        s.ensureInput(inChannels, frames, samplesPerFrame(), 2 * (nFft / 2 + 1), stftFramesFor(source.length, finalize));
        Buf melBuf = s.mel.view(inChannels, frames), sourceBuf = s.source.view(1, source.length);
        backend.write(melBuf, mel, 0);
        backend.write(sourceBuf, source, 0);
        return backend.read(decode(s, melBuf, sourceBuf, finalize));
    }

    /** STFT frames of the source the decoder uses: all, or trimmed by the conv_pre look-ahead when not finalizing. */
    private int stftFramesFor(int sourceSamples, boolean finalize) {
        return sourceSamples / hop + 1 - (finalize ? 0 : product(upsampleRates) * convPreLookRight);
    }

    /** The decoder on backend buffers; returns a view of the session's audio buffer. */
    private Buf decode(HiftSession s, Buf mel, Buf source, boolean finalize) {
        int frames = mel.cols();
        int prodUp = product(upsampleRates);
        // conv_pre: right-causal; look-ahead = zeros (finalize) or the real last frames
        int tx = finalize ? frames : frames - convPreLookRight;
        // s_stft trimmed by prod(upsample_rates) * conv_pre_look_right frames when not finalizing
        int stftFrames = stftFramesFor(source.cols(), finalize);
        int stftCh = 2 * (nFft / 2 + 1);
        Buf s18 = s.stft.view(stftCh, stftFrames);
        backend.stft(s18, source, stftWindow, nFft, hop);                             // _stft(s)

        int maxLen = Math.max(baseChannels * tx, stftCh * stftFrames);
        int t = tx;
        int ch = baseChannels;
        for (int i = 0; i < upsampleRates.length; i++) {
            ch /= 2;
            t = t * upsampleRates[i] + (i == upsampleRates.length - 1 ? 1 : 0);
            maxLen = Math.max(maxLen, ch * t);                       // stage activations and polyphase output
        }
        s.ensureDecoder(maxLen, stages.numKernels);

        Buf x = s.x.view(baseChannels, tx);
        (finalize ? convPre.withSpec(ConvSpec.of(1, 0, convPreLookRight, 1, 1)) : convPre).forward(backend, x, mel);
        // ups[i] = CausalConv1dUpsample in polyphase form: phases[ph * cout + co, m] = out[co, u * m + ph]
        x = stages.upsample(backend, s, x, upsampleRates, lreluSlope, (i, phases, in) -> ups[i].forward(backend, phases, in),
                s18, stftFrames);
        t = x.cols();
        backend.leakyRelu(x, 0.01f);                                                 // F.leaky_relu default slope
        Buf post = s.scratch[0].view(stftCh, t);
        convPost.forward(backend, post, x);                                          // conv_post
        int samples = hop * (t - 1) - (finalize ? 0 : prodUp * hop);
        Buf audio = s.audio.view(1, samples);
        backend.istftFromLogits(audio, post, stftWindow, nFft, hop, audioLimit);     // _istft + clamp
        return audio;
    }

    private void checkMel(float[] mel, int frames, int minFrames) {
        if (frames < minFrames) {
            throw new IllegalArgumentException("the vocoder needs at least " + minFrames + " mel frames here, got " + frames);
        }
        if (mel.length != (long) inChannels * frames) {
            throw new IllegalArgumentException("mel has " + mel.length + " values, expected " + inChannels + " x " + frames);
        }
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
        int inChannels, baseChannels;
        int[] upsampleRates;
        WeightNormConv convPre, convPost;
        WeightNormConv[] ups;
        HiftStages stages;
        CausalConvRnnF0Predictor f0Predictor;
        SourceModuleHnNsf mSource;
        Backend backend;
    }
}
