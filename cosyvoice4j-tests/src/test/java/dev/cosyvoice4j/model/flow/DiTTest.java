package dev.cosyvoice4j.model.flow;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.backend.Buf;
import dev.cosyvoice4j.config.FlowConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the DiT beyond the golden cases, on a model shaped unlike the fixture (3 heads of 16, dim 48). */
class DiTTest {
    static final Backend B = Backends.open("scalar", BackendOptions.defaults());
    static final FlowConfig CFG = RandomFlowModels.config(32, 48, 2, 3, 16, 2);
    static final DiT DIT = RandomFlowModels.model(CFG, 7, B).estimator();

    @AfterAll
    static void closeBackend() { B.close(); }

    record Call(float[] x, float[] mu, float[] cond, float[] spks, float[] t) {}

    static Call randomCall(int batch, int frames, long seed) {
        Random r = new Random(seed);
        int mel = DIT.melDim();
        return new Call(gauss(r, batch * frames * mel), gauss(r, batch * frames * DIT.muDim()), gauss(r, batch * frames * mel),
                gauss(r, batch * DIT.spkDim()), batch == 2 ? new float[] {0.3f, 0.7f} : new float[] {0.3f}); // rows may differ in t
    }

    static float[] gauss(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    static float[] forward(int batch, int frames, Call c, int valid, boolean streaming) {
        return forward(DIT, DIT.newWorkspace(batch, frames), batch, frames, c, valid, streaming);
    }

    /** One call of {@code dit} on its backend: the host inputs uploaded, the velocity read back. */
    static float[] forward(DiT dit, DitWorkspace ws, int batch, int frames, Call c, int valid, boolean streaming) {
        Backend b = dit.backend;
        int rows = batch * frames;
        Buf out = b.alloc(rows, dit.melDim());
        dit.forward(ws, b.upload(c.x, rows, dit.melDim()), b.upload(c.mu, rows, dit.muDim()), b.upload(c.cond, rows, dit.melDim()),
                b.upload(c.spks, batch, dit.spkDim()), c.t, valid, streaming, out);
        return b.read(out);
    }

    static Call row(Call c, int b, int frames) {
        int mel = DIT.melDim(), mu = DIT.muDim(), spk = DIT.spkDim();
        return new Call(Arrays.copyOfRange(c.x, b * frames * mel, (b + 1) * frames * mel),
                Arrays.copyOfRange(c.mu, b * frames * mu, (b + 1) * frames * mu),
                Arrays.copyOfRange(c.cond, b * frames * mel, (b + 1) * frames * mel),
                Arrays.copyOfRange(c.spks, b * spk, (b + 1) * spk), new float[] {c.t[b]});
    }

    @Test
    void rowsOnSeparateThreadsMatchTheBatchedCall() {
        // the cpu backend on 2 threads runs each CFG row whole as one part (Backend.rowRanges); the scalar
        // specification runs the batch as one set of products. Different summation orders: equal within a bound.
        int frames = 37;
        Call two = randomCall(2, frames, 3);
        float[] batched = forward(2, frames, two, 30, true);
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults().withThreads(2))) {
            DiT split = RandomFlowModels.model(CFG, 7, cpu).estimator();
            DitWorkspace ws = split.newWorkspace(2, frames);
            for (int rep = 0; rep < 2; rep++) {   // the workspace is reused
                float[] out = forward(split, ws, 2, frames, two, 30, true);
                for (int i = 0; i < batched.length; i++) assertEquals(batched[i], out[i], 1e-4f, "index " + i);
            }
            // and one row alone on the same backend (a single part) agrees with its row of the batch
            float[] single = forward(split, split.newWorkspace(1, frames), 1, frames, row(two, 1, frames), 30, true);
            int n = frames * DIT.melDim();
            for (int i = 0; i < n; i++) assertEquals(batched[n + i], single[i], 1e-4f, "row 1 index " + i);
        }
    }

    @Test
    void cachedModulationsGiveTheSameOutputAsComputedOnes() {
        // the first call per t computes the adaLN outputs, later calls take them from the DiT's cache; a model loaded
        // afresh (empty cache) must agree bit for bit with a cached run, also with rows whose t differ
        DiT fresh = RandomFlowModels.model(CFG, 7, B).estimator();
        int frames = 19;
        Call two = randomCall(2, frames, 5);
        float[] first = forward(DIT, DIT.newWorkspace(2, frames), 2, frames, two, frames, false);
        float[] again = forward(DIT, DIT.newWorkspace(2, frames), 2, frames, two, frames, false);
        float[] other = forward(fresh, fresh.newWorkspace(2, frames), 2, frames, two, frames, false);
        assertArrayEquals(first, again);
        assertArrayEquals(first, other);
    }

    @Test
    void aWorkspaceGrownByALargerCallGivesTheSameOutputForASmallerOne() {
        // workspaces are sized to the largest call and viewed per call: stale rows of a longer call never leak in
        int frames = 21;
        Call small = randomCall(2, frames, 8);
        float[] fresh = forward(2, frames, small, 17, true);
        DitWorkspace ws = DIT.newWorkspace(1, 5);
        forward(DIT, ws, 2, 60, randomCall(2, 60, 9), 60, true);
        assertArrayEquals(fresh, forward(DIT, ws, 2, frames, small, 17, true));
        assertEquals(2, ws.batch());
        assertEquals(frames, ws.frames());
    }

    @Test
    void batchRowsAreIndependentAndPositionsRestartPerRow() {
        int frames = 23, n = frames * DIT.melDim();
        Call two = randomCall(2, frames, 1);
        float[] both = forward(2, frames, two, frames, false);
        for (int b = 0; b < 2; b++) {
            float[] single = forward(1, frames, row(two, b, frames), frames, false);
            float[] part = Arrays.copyOfRange(both, b * n, (b + 1) * n);
            for (int i = 0; i < n; i++) assertEquals(single[i], part[i], 1e-5f, "row " + b + " index " + i);
        }
    }

    @Test
    void chunkMaskWithinOneChunkEqualsFullAttention() {
        int frames = 40; // < static chunk (50): every query sees all frames
        Call c = randomCall(2, frames, 2);
        assertArrayEquals(forward(2, frames, c, frames, false), forward(2, frames, c, frames, true));
    }

    @Test
    void chunkMaskMakesEarlyChunksIndependentOfLaterFrames() {
        int frames = 120, mel = DIT.melDim();
        Call a = randomCall(1, frames, 3);
        Call b = new Call(a.x.clone(), a.mu.clone(), a.cond.clone(), a.spks, a.t);
        for (int i = 100 * mel; i < frames * mel; i++) b.x[i] += 1f; // change only the third chunk
        float[] oa = forward(1, frames, a, frames, true), ob = forward(1, frames, b, frames, true);
        // attention is chunk-causal, the conv position embedding causal: frames < 100 are unchanged
        assertArrayEquals(Arrays.copyOf(oa, 100 * mel), Arrays.copyOf(ob, 100 * mel));
        assertTrue(!Arrays.equals(oa, ob));
        // with full attention the change reaches every frame
        float[] fa = forward(1, frames, a, frames, false), fb = forward(1, frames, b, frames, false);
        assertTrue(!Arrays.equals(Arrays.copyOf(fa, mel), Arrays.copyOf(fb, mel)));
    }

    @Test
    void paddedFramesDoNotInfluenceValidOnes() {
        int frames = 30, valid = 21, mel = DIT.melDim();
        Call a = randomCall(1, frames, 4);
        Call b = new Call(a.x.clone(), a.mu.clone(), a.cond.clone(), a.spks, a.t);
        for (int i = valid * mel; i < frames * mel; i++) b.x[i] = 5f;
        assertArrayEquals(Arrays.copyOf(forward(1, frames, a, valid, false), valid * mel),
                Arrays.copyOf(forward(1, frames, b, valid, false), valid * mel));
    }

    @Test
    void rejectsValidFramesOutOfRange() {
        Call c = randomCall(1, 5, 5);
        assertThrows(IllegalArgumentException.class, () -> forward(1, 5, c, 6, false));
        assertThrows(IllegalArgumentException.class, () -> forward(1, 5, c, 0, false));
    }
}
