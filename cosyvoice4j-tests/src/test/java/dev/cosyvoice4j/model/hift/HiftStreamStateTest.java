package dev.cosyvoice4j.model.hift;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.HiftConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.io.WeightStore;
import dev.cosyvoice4j.synthetic.SyntheticLayout;
import dev.cosyvoice4j.synthetic.TensorSpec;
import dev.cosyvoice4j.synthetic.WeightGenerator;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HiftStreamState} against the reference's recompute-and-slice ({@code CosyVoice3Model.token2wav}: the
 * generator over all mel so far, the samples after the previous speech offset), on both fixture vocoders (different
 * channel counts, and a random vocoder of other kernel shapes) and both backends: equal chunk lengths, equal samples.
 */
class HiftStreamStateTest {
    static final Path[] MODELS = {Path.of("src/test/resources/fixtures/cosyvoice3-tiny"),
            Path.of("src/test/resources/fixtures/cosyvoice3-tiny-c")};
    /**
     * Bit-identical: every layer computes an output position with the same operations in the same order wherever the
     * window starts (the backends' sums do not depend on the column). A window 3 frames short of the derived context
     * already moves samples by 1e-7..1e-6, so a 1e-6 tolerance would not catch a slightly too small window.
     */
    static final float TOLERANCE = 0f;

    /** Chunk splits in mel frames; the last entry is the finalizing call. */
    static List<int[]> splits() {
        List<int[]> s = new ArrayList<>();
        s.add(new int[] {50, 100, 200, 37});          // the official schedule: hop 25, 50, 100 tokens x 2, then the rest
        s.add(new int[] {42, 100, 14});               // official-like with a short final chunk
        s.add(new int[] {5, 3, 7, 2, 30, 6, 1, 11});   // chunks smaller than the 8 withheld frames, first call below 9
        s.add(new int[] {60, 0});                     // finalize right after a non-final call, no new frames
        s.add(new int[] {20, 0, 17, 9});              // a non-final call without new frames in between
        s.add(new int[] {45});                        // one finalizing call
        Random r = new Random(11);
        for (int k = 0; k < 3; k++) {
            int[] split = new int[2 + r.nextInt(5)];
            for (int i = 0; i < split.length; i++) split[i] = r.nextInt(i == 0 ? 70 : 45);
            s.add(split);
        }
        return s;
    }

    static Stream<Arguments> cases() {
        return Stream.of("scalar", "cpu").flatMap(b -> Stream.of(MODELS).map(m -> Arguments.of(b, m.getFileName().toString())));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void streamingEqualsRecomputeAndSlice(String backendName, String model) throws Exception {
        Path dir = Path.of("src/test/resources/fixtures").resolve(model);
        try (Backend backend = Backends.open(backendName, BackendOptions.defaults().withThreads(2));
             WeightStore store = WeightStore.openPt(dir.resolve("hift.pt"))) {
            CausalHiftGenerator hift = CausalHiftGenerator.load(store, ModelConfig.load(dir).hift(), backend);
            float worst = 0;
            long seed = 100;
            for (int[] split : splits()) {
                float diff = compare(hift, split, seed++);
                worst = Math.max(worst, diff);
            }
            System.out.printf("HiftStreamStateTest %s %s: max |stream - recompute| = %.3g (context %d frames)%n",
                    backendName, model, worst, hift.newStream().contextFrames());
        }
    }

    /**
     * A vocoder of other shapes than the fixtures' (random weights in the official layout): upsampling 5 x 4 x 2 with
     * kernels 10, 9, 5, n_fft 8 / hop 2 (80 samples per frame), conv_pre look-ahead 2 (6 frames held back), two
     * ResBlock kernels 3 and 5 with dilations (1, 2) and (1, 3, 7), source ResBlocks of other kernels and dilations.
     * The stream's window comes from these layers, not from the reference's numbers.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "cpu"})
    void streamingEqualsRecomputeAndSliceOnOtherShapes(String backendName) throws Exception {
        ModelConfig tiny = ModelConfig.load(MODELS[0]);
        HiftConfig h = tiny.hift();
        HiftConfig other = new HiftConfig(h.inChannels(), 24, h.nbHarmonics(), h.samplingRate(), h.nsfAlpha(), h.nsfSigma(),
                h.nsfVoicedThreshold(), List.of(5, 4, 2), List.of(10, 9, 5), 8, 2, List.of(3, 5),
                List.of(List.of(1, 2), List.of(1, 3, 7)), List.of(5, 3, 3), List.of(List.of(1, 2), List.of(1), List.of(1, 3)),
                h.lreluSlope(), h.audioLimit(), 2, h.f0NumClass(), h.f0InChannels(), 16);
        ModelConfig c = new ModelConfig(tiny.sampleRate(), tiny.tokenFrameRate(), tiny.tokenMelRatio(), tiny.chunkSize(),
                tiny.llm(), tiny.flow(), other, tiny.qwen2());
        WeightGenerator gen = new WeightGenerator(7);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorSpec spec : SyntheticLayout.hift(c)) tensors.put(spec.name(), Tensor.of(gen.values(spec), spec.shape()));
        try (Backend backend = Backends.open(backendName, BackendOptions.defaults().withThreads(2))) {
            CausalHiftGenerator hift = CausalHiftGenerator.load(new WeightStore(Path.of("<other shapes>"), tensors, null), other,
                    backend);
            assertEquals(80, hift.samplesPerFrame());
            assertEquals(6, hift.heldBackFrames());
            float worst = 0;
            long seed = 200;
            for (int[] split : splits()) worst = Math.max(worst, compare(hift, split, seed++));
            System.out.printf("HiftStreamStateTest %s other shapes: max |stream - recompute| = %.3g (context %d frames)%n",
                    backendName, worst, hift.newStream().contextFrames());
        }
    }

    /** Runs one split both ways; returns the largest sample difference. */
    static float compare(CausalHiftGenerator hift, int[] split, long seed) {
        int total = Arrays.stream(split).sum();
        float[] mel = CausalHiftGeneratorTest.randomMel(Math.max(total, 1), seed);
        HiftStreamState stream = hift.newStream();
        HiftSession session = hift.newSession();
        long offset = 0;
        int frames = 0;
        float worst = 0;
        for (int c = 0; c < split.length; c++) {
            boolean finalize = c == split.length - 1;
            float[] fresh = slice(mel, Math.max(total, 1), frames, split[c]);
            frames += split[c];
            // the reference: inference over all mel so far, then [speech_offset:]
            int minFrames = finalize ? 1 : hift.heldBackFrames() + 1;
            float[] all = frames < minFrames ? new float[0]
                    : hift.inference(session, slice(mel, Math.max(total, 1), 0, frames), frames, finalize).speech();
            float[] expected = Arrays.copyOfRange(all, (int) Math.min(offset, all.length), all.length);
            offset += expected.length;
            float[] actual = stream.next(fresh, split[c], finalize);
            String where = "split " + Arrays.toString(split) + " call " + c;
            assertEquals(expected.length, actual.length, where + ": chunk length");
            for (int i = 0; i < expected.length; i++) {
                float d = Math.abs(expected[i] - actual[i]);
                worst = Math.max(worst, d);
                if (!(d <= TOLERANCE)) {
                    throw new AssertionError(where + ": sample " + i + " is " + actual[i] + ", recompute gives " + expected[i]);
                }
            }
            assertTrue(stream.heldFrames() <= stream.contextFrames() + hift.heldBackFrames() + 1 + split[c],
                    where + ": holds " + stream.heldFrames() + " frames");
        }
        assertEquals(offset, stream.speechOffset());
        return worst;
    }

    @Test
    void stateStaysBoundedOverALongUtterance() throws Exception {
        try (Backend backend = Backends.open("cpu", BackendOptions.defaults().withThreads(2));
             WeightStore store = WeightStore.openPt(MODELS[0].resolve("hift.pt"))) {
            CausalHiftGenerator hift = CausalHiftGenerator.load(store, ModelConfig.load(MODELS[0]).hift(), backend);
            HiftStreamState stream = hift.newStream();
            int chunk = 20, calls = 60;
            float[] mel = CausalHiftGeneratorTest.randomMel(chunk, 3);
            long samples = 0;
            for (int c = 0; c < calls; c++) {
                samples += stream.next(mel, chunk, false).length;
                assertTrue(stream.heldFrames() <= stream.contextFrames() + hift.heldBackFrames() + 1,
                        "call " + c + " holds " + stream.heldFrames() + " frames");
            }
            assertEquals(480L * (chunk * calls - 8), samples);
            samples += stream.next(new float[0], 0, true).length;
            assertEquals(480L * chunk * calls, samples);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> stream.next(mel, chunk, true));
            assertTrue(e.getMessage().contains("finalized"), e.getMessage());
        }
    }

    @Test
    void badMelIsRejectedWithItsShape() throws Exception {
        try (Backend backend = Backends.open("scalar", BackendOptions.defaults());
             WeightStore store = WeightStore.openPt(MODELS[0].resolve("hift.pt"))) {
            CausalHiftGenerator hift = CausalHiftGenerator.load(store, ModelConfig.load(MODELS[0]).hift(), backend);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> hift.newStream().next(new float[80 * 3], 4, false));
            assertTrue(e.getMessage().contains("80 x 4"), e.getMessage());
        }
    }

    /** Frames {@code [from, from + n)} of a channel-major {@code [80, frames]} mel. */
    static float[] slice(float[] mel, int frames, int from, int n) {
        float[] out = new float[80 * n];
        for (int c = 0; c < 80; c++) System.arraycopy(mel, c * frames + from, out, c * n, n);
        return out;
    }
}
