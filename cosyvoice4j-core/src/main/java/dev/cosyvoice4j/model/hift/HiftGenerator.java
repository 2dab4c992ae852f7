package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.backend.ConvSpec;
import dev.cosyvoice4j.backend.GaussianGoldenNoise;
import dev.cosyvoice4j.backend.NsfNoise;
import dev.cosyvoice4j.config.HiftConfig;
import dev.cosyvoice4j.io.ModelFormatException;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Port of CosyVoice2's non-causal {@code HiFTGenerator} ({@code cosyvoice/hifigan/generator.py:378-570} @ ace7c47):
 * mel (50 Hz) to a 24 kHz waveform through the {@link ConvRnnF0Predictor}, the NSF source with linearly up-sampled
 * phase and per-call Gaussian noise, and the ISTFTNet decoder. Golden: {@code golden-cv2} {@code hift/f0_predictor},
 * {@code hift/nsf_source}, {@code hift/decode}, {@code hift/inference}.
 *
 * <p>Decode ({@code decode}, l. 507-539): {@code conv_pre} (k 7, padding 3); per stage {@code leaky_relu(0.1)},
 * {@code ConvTranspose1d(k, u, padding (k-u)/2)} (weight norm on dim 0 of the {@code [in, out, k]} weight), a (1, 0)
 * reflection pad after the last one, {@code + source_resblocks[i](source_downs[i](stft(source)))}
 * ({@code Conv1d(18, c, 2u, u, padding u/2)}, or k 1), the mean of the stage's non-causal ResBlocks; then
 * {@code leaky_relu(0.01)}, {@code conv_post}, magnitude/phase, iSTFT, clamp. The transposed conv runs in polyphase
 * form: output phase ph (sample u m + ph) is an ordinary conv over the input with the taps
 * {@code w[:, :, ph + p - u d]} at input offset d, all phases in one conv, interleaved afterwards.
 *
 * <p>Immutable after {@link #load}; a request's memory is a {@link HiftSession}. Mel layout channel-major
 * {@code [80, frames]}.
 */
public final class HiftGenerator {
    private final HiftConfig config;
    private final int inChannels, baseChannels, nFft, hop;
    private final int[] upsampleRates;
    private final float lreluSlope, audioLimit;
    private final WeightNormConv convPre, convPost;
    /** Polyphase transposed convs: weight {@code [u * cout, cin, K]}, bias repeated per phase, folded weight norm. */
    private final Tensor[] upsWeight, upsBias;
    private final ConvSpec[] upsSpec;
    private final HiftStages stages;
    private final ConvRnnF0Predictor f0Predictor;
    private final SourceModuleHnNsf mSource;
    private final Backend backend;
    private final Tensor stftWindow;

    private HiftGenerator(HiftConfig config, Backend backend, int inChannels, int baseChannels, WeightNormConv convPre,
                          Tensor[] upsWeight, Tensor[] upsBias, ConvSpec[] upsSpec, HiftStages stages,
                          WeightNormConv convPost, ConvRnnF0Predictor f0Predictor,
                          SourceModuleHnNsf mSource) {
        this.config = config;
        this.backend = backend;
        this.inChannels = inChannels;
        this.baseChannels = baseChannels;
        this.upsampleRates = config.upsampleRates().stream().mapToInt(Integer::intValue).toArray();
        this.lreluSlope = (float) config.lreluSlope();
        this.audioLimit = (float) config.audioLimit();
        this.nFft = config.istftNFft();
        this.hop = config.istftHopLen();
        this.convPre = convPre;
        this.upsWeight = upsWeight;
        this.upsBias = upsBias;
        this.upsSpec = upsSpec;
        this.stages = stages;
        this.convPost = convPost;
        this.f0Predictor = f0Predictor;
        this.mSource = mSource;
        float[] w = new float[nFft];
        for (int n = 0; n < nFft; n++) w[n] = (float) (0.5 - 0.5 * StrictMath.cos(2 * Math.PI * n / nFft));
        this.stftWindow = Tensor.of(w, nFft);          // get_window("hann", n_fft, fftbins=True), float32
    }

    /**
     * Loads every tensor of {@code hift.pt} (strict). Channel counts and kernel sizes come from the tensor shapes and
     * are checked against {@code config}. The store must stay open while the vocoder is used (most weights are views);
     * the transposed-conv weights are folded polyphase copies.
     */
    public static HiftGenerator load(WeightStore store, HiftConfig config, Backend backend) {
        HiftWeights w = new HiftWeights(store);
        HiftStages.checkListLengths(w, config);
        int n = config.upsampleRates().size();
        long[] pre = w.weightNormShape("conv_pre");
        int base = Math.toIntExact(pre[0]), in = Math.toIntExact(pre[1]);
        if (pre.length != 3 || base != config.baseChannels() || in != config.inChannels() || pre[2] % 2 != 1) {
            throw new ModelFormatException(store.file(), "conv_pre weight is " + HiftWeights.shape(pre)
                    + " but the config says base_channels " + config.baseChannels() + ", in_channels " + config.inChannels());
        }
        WeightNormConv convPre = w.weightNormConv("conv_pre", ConvSpec.same((int) (pre[2] / 2)), pre);

        Tensor[] upsW = new Tensor[n], upsB = new Tensor[n];
        ConvSpec[] upsSpec = new ConvSpec[n];
        int ch = base;
        for (int i = 0; i < n; i++) {
            int cout = ch / 2, k = config.upsampleKernelSizes().get(i), u = config.upsampleRates().get(i);
            if ((k - u) % 2 != 0 || k < u) {
                throw new ModelFormatException(store.file(), "ups." + i + ": kernel " + k + " and rate " + u
                        + " do not give an output of exactly rate x input frames (k - u must be even)");
            }
            String module = "ups." + i;
            Tensor v = w.weightNormDirection(module, ch, cout, k);
            double[] scale = w.weightNormScalesDouble(module, v);           // dim 0 = input channels: g is [in, 1, 1]
            upsW[i] = polyphaseTransposed(v, scale, u, (k - u) / 2);
            float[] b = w.take(module + ".bias", cout).toFloatArray(), rep = new float[u * cout];
            for (int ph = 0; ph < u; ph++) System.arraycopy(b, 0, rep, ph * cout, cout);
            upsB[i] = Tensor.of(rep, rep.length);
            int[] d = tapRange(u, k, (k - u) / 2);
            upsSpec[i] = ConvSpec.of(1, -d[0], d[1], 1, 1);
            ch = cout;
        }

        int stftCh = config.istftNFft() + 2;
        HiftStages stages = HiftStages.load(w, config, base, stftCh, false);
        long[] post = w.weightNormShape("conv_post");
        if (post.length != 3 || post[0] != stftCh || post[1] != ch || post[2] % 2 != 1) {
            throw new ModelFormatException(store.file(), "conv_post weight is " + HiftWeights.shape(post)
                    + ", expected [" + stftCh + ", " + ch + ", odd k]");
        }
        WeightNormConv convPost = w.weightNormConv("conv_post", ConvSpec.same((int) (post[2] / 2)), post);
        ConvRnnF0Predictor f0 = ConvRnnF0Predictor.load(w, config.f0InChannels(), config.f0CondChannels(), config.f0NumClass());
        int scale = Math.multiplyExact(product(config.upsampleRates().stream().mapToInt(Integer::intValue).toArray()),
                config.istftHopLen());
        SourceModuleHnNsf source = SourceModuleHnNsf.load(w, config.samplingRate(), scale, config.nbHarmonics(),
                config.nsfAlpha(), config.nsfSigma(), config.nsfVoicedThreshold(), GaussianGoldenNoise.instance(), true);
        if (w.has("resblocks." + n * stages.numKernels + ".convs1.0.bias") || w.has("ups." + n + ".bias")) {
            throw new ModelFormatException(store.file(), "hift.pt has more upsampling stages than the config's " + n);
        }
        store.checkAllUsed();
        return new HiftGenerator(config, backend, in, base, convPre, upsW, upsB, upsSpec, stages, convPost, f0, source);
    }

    /**
     * Input offsets {@code [dMin, dMax]} the phases of a transposed conv (rate u, kernel k, padding p) read: phase ph
     * uses tap {@code j = ph + p - u d} for every d with {@code 0 <= j < k}.
     */
    static int[] tapRange(int u, int k, int p) {
        int dMin = Integer.MAX_VALUE, dMax = Integer.MIN_VALUE;
        for (int ph = 0; ph < u; ph++) {
            dMin = Math.min(dMin, -Math.floorDiv(-(ph + p - k + 1), u));      // ceil((ph + p - k + 1) / u)
            dMax = Math.max(dMax, Math.floorDiv(ph + p, u));
        }
        return new int[] {dMin, dMax};
    }

    /**
     * {@code ConvTranspose1d(cin, cout, k, stride u, padding p)} with the weight-normed weight
     * {@code v[ci] * scale[ci]} ({@code [cin, cout, k]}) as one conv {@code [u * cout, cin, K]}: row
     * {@code ph * cout + co}, tap {@code d - dMin} holds {@code w[ci, co, ph + p - u d]} (0 outside the kernel).
     * The fold is torch's {@code v * (g / ||v||)} in float32.
     */
    static Tensor polyphaseTransposed(Tensor v, double[] scale, int u, int p) {
        int cin = v.dim(0), cout = v.dim(1), k = v.dim(2);
        int[] d = tapRange(u, k, p);
        int kk = d[1] - d[0] + 1;
        MemorySegment dst = Arena.ofAuto().allocate((long) u * cout * cin * kk * Float.BYTES, 64);
        float[] src = new float[cout * k], row = new float[kk];
        for (int ci = 0; ci < cin; ci++) {
            MemorySegment.copy(v.data(), Tensor.F32_LE, (long) ci * cout * k * Float.BYTES, src, 0, cout * k);
            float sc = (float) scale[ci];
            for (int ph = 0; ph < u; ph++) {
                for (int co = 0; co < cout; co++) {
                    java.util.Arrays.fill(row, 0f);
                    for (int tap = 0; tap < kk; tap++) {
                        int j = ph + p - u * (tap + d[0]);
                        if (j >= 0 && j < k) row[tap] = src[co * k + j] * sc;
                    }
                    long at = (((long) ph * cout + co) * cin + ci) * kk;
                    MemorySegment.copy(row, 0, dst, Tensor.F32_LE, at * Float.BYTES, kk);
                }
            }
        }
        return new Tensor(DType.F32, new long[] {(long) u * cout, cin, kk}, dst);
    }

    public HiftConfig config() { return config; }

    /** Waveform samples per mel frame: prod(upsample_rates) * hop (480). */
    public int samplesPerFrame() { return mSource.upsampleScale(); }

    /** The memory of one request's vocoder calls. */
    public HiftSession newSession() { return new HiftSession(backend); }

    public Backend backend() { return backend; }

    /** The fixtures' per-call noise buffers, the engine's default (deterministic synthesis). */
    public static NsfNoise defaultNoise() { return GaussianGoldenNoise.instance(); }

    /** What {@link #inference} returns, on the host: the waveform and the source {@code [480 T]}, f0 {@code [T]}. */
    public record Result(float[] speech, float[] source, float[] f0) {}

    /**
     * {@code HiFTGenerator.inference(speech_feat, cache_source)}: mel {@code [80, frames]} to {@code 480 * frames}
     * samples; a non-empty {@code cacheSource} OVERWRITES the first samples of the source before decoding
     * (l. 565-566). Returns the waveform and the (overwritten) source.
     */
    public Result inference(HiftSession s, float[] mel, int frames, float[] cacheSource, NsfNoise noise) {
        checkMel(mel, frames);
        int samples = Math.multiplyExact(frames, samplesPerFrame());
        if (cacheSource != null && cacheSource.length > samples) {
            throw new IllegalArgumentException("cache_source has " + cacheSource.length + " samples, the source only " + samples);
        }
        int stftCh = nFft + 2;
        s.ensureInput(inChannels, frames, samplesPerFrame(), stftCh, samples / hop + 1);
        Buf melBuf = s.mel.view(inChannels, frames), f0 = s.f0.view(1, frames), source = s.source.view(1, samples);
        backend.write(melBuf, mel, 0);
        f0Predictor.forward(backend, s, melBuf, f0);                                   // f0_predictor
        mSource.forward(backend, f0, noise, source, null);                            // m_source(f0_upsamp(f0))
        if (cacheSource != null && cacheSource.length > 0) {
            backend.setCols(source, 0, backend.upload(cacheSource, 1, cacheSource.length));   // s[:, :, :C] = cache
        }
        Buf speech = decode(s, melBuf, source);
        return new Result(backend.read(speech), backend.read(source), backend.read(f0));
    }

    /** The F0 predictor alone: f0 in Hz per mel frame (golden {@code hift/f0_predictor}). */
    public float[] f0(HiftSession s, float[] mel, int frames) {
        checkMel(mel, frames);
        s.ensureInput(inChannels, frames, samplesPerFrame(), nFft + 2, 1);
        Buf melBuf = s.mel.view(inChannels, frames), f0 = s.f0.view(1, frames);
        backend.write(melBuf, mel, 0);
        f0Predictor.forward(backend, s, melBuf, f0);
        return backend.read(f0);
    }

    /** The source module alone on a host f0 {@code [T]}: the source and (optionally) its intermediates. */
    public float[] source(HiftSession s, float[] f0, NsfNoise noise, dev.cosyvoice4j.backend.NsfSpec.Trace traceOrNull) {
        int samples = Math.multiplyExact(f0.length, samplesPerFrame());
        Buf f0Buf = backend.upload(f0, 1, f0.length), source = backend.alloc(1, samples);
        mSource.forward(backend, f0Buf, noise, source, traceOrNull);
        return backend.read(source);
    }

    /** {@code HiFTGenerator.decode(x=mel, s=source)} on host arrays ({@code 480 * frames} samples in and out). */
    public float[] decode(HiftSession s, float[] mel, int frames, float[] source) {
        checkMel(mel, frames);
        if (source.length != (long) samplesPerFrame() * frames) {
            throw new IllegalArgumentException("source has " + source.length + " samples; " + frames
                    + " mel frames need " + (long) samplesPerFrame() * frames);
        }
        s.ensureInput(inChannels, frames, samplesPerFrame(), nFft + 2, source.length / hop + 1);
        Buf melBuf = s.mel.view(inChannels, frames), sourceBuf = s.source.view(1, source.length);
        backend.write(melBuf, mel, 0);
        backend.write(sourceBuf, source, 0);
        return backend.read(decode(s, melBuf, sourceBuf));
    }

    /** The decoder on backend buffers; returns a view of the session's audio buffer. */
    private Buf decode(HiftSession s, Buf mel, Buf source) {
        int frames = mel.cols();
        int stftFrames = source.cols() / hop + 1, stftCh = nFft + 2;
        Buf s18 = s.stft.view(stftCh, stftFrames);
        backend.stft(s18, source, stftWindow, nFft, hop);                             // _stft(s)

        int maxLen = Math.max(baseChannels * frames, stftCh * stftFrames);
        int t = frames, ch = baseChannels;
        for (int i = 0; i < upsampleRates.length; i++) {
            maxLen = Math.max(maxLen, ch * t);                                       // polyphase output u * cout = 2 u ch / 2
            ch /= 2;
            t = t * upsampleRates[i] + (i == upsampleRates.length - 1 ? 1 : 0);
            maxLen = Math.max(maxLen, Math.max(ch * t, upsampleRates[i] * ch * (t / upsampleRates[i])));
        }
        s.ensureDecoder(maxLen, stages.numKernels);

        Buf x = s.x.view(baseChannels, frames);
        convPre.forward(backend, x, mel);                                            // conv_pre
        x = stages.upsample(backend, s, x, upsampleRates, lreluSlope,
                (i, phases, in) -> backend.conv1d(phases, in, upsWeight[i], upsBias[i], upsSpec[i]), s18, stftFrames);
        t = x.cols();
        backend.leakyRelu(x, 0.01f);                                                 // F.leaky_relu default slope
        Buf post = s.scratch[0].view(stftCh, t);
        convPost.forward(backend, post, x);                                          // conv_post
        Buf audio = s.audio.view(1, hop * (t - 1));
        backend.istftFromLogits(audio, post, stftWindow, nFft, hop, audioLimit);     // _istft + clamp
        return audio;
    }

    private void checkMel(float[] mel, int frames) {
        if (frames < 1) throw new IllegalArgumentException("the vocoder needs at least 1 mel frame, got " + frames);
        if (mel.length != (long) inChannels * frames) {
            throw new IllegalArgumentException("mel has " + mel.length + " values, expected " + inChannels + " x " + frames);
        }
    }

    private static int product(int[] v) {
        int p = 1;
        for (int x : v) p = Math.multiplyExact(p, x);
        return p;
    }
}
