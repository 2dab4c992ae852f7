package dev.cosyvoice4j.backend.cpu;

import dev.cosyvoice4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Cache-blocked, packed-panel float32 GEMM {@code C[m, n] = bias + A[m, k] * B[k, n]} for many rows (the DiT's
 * 2 x frames rows, Qwen2 prefill, im2col convolutions).
 *
 * <p>B is the operand whose columns are output columns: for {@code linear} it is {@code W^T} with {@code W [N, K]}
 * (read from the memory-mapped checkpoint). Each call packs B once, {@code KC x NR} micro-panel by micro-panel
 * (a transpose for {@code [N, K]} weights; the cost, ~1 load+store per weight, is amortised over the m rows), and A
 * once into {@code [k][MR]} micro-panels shared by all threads. The register-blocked micro-kernel keeps a
 * {@code MR x NR = 12 x 32} tile of C in 24 of the 32 AVX-512 registers and issues 24 FMAs per 2 B loads and 12
 * broadcasts. Threads split the output columns in chunks of {@code NR}-multiples (each packs only its own part of B).
 *
 * <p>Loop nest per column chunk: {@code for kc-block: pack B chunk (L2); for each A micro-panel (L1): for each B
 * micro-panel (L2): micro-kernel}. Ragged edges (m, n not multiples of the tile) go through a zero-padded tile, so
 * every shape is exact. Accumulation is float32 in k order, as the scalar specification, except that the bias is
 * the sum's initial value rather than its last term (equal within rounding).
 */
final class Gemm {
    private Gemm() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final int MR = 12;
    static final int NR = 2 * L;
    /** Depth of a packed block: B block KC x chunk stays in L2, an A micro-panel 12 x KC in L1 (256 measured best of 256..1024). */
    static final int KC = 256;
    /** Widest column chunk of one task. */
    static final int MAX_CHUNK = 8 * NR;

    /** Source of A (m x k) packed into [p][MR] micro-panels. */
    interface ASource {
        /** Packs rows {@code panel*MR ..} (zeros past m), depth 0..k, into {@code ap[panel*MR*k + p*MR + i]}. */
        void pack(float[] ap, int panel, int m, int k);
    }

    /** A is a row-major [m, k] float32 native segment (weights) starting at byte {@code off}; heap arrays use {@link ArrayA}. */
    record RowMajorA(MemorySegment a, long off) implements ASource {
        @Override
        public void pack(float[] ap, int panel, int m, int k) {
            int m0 = panel * MR, rows = Math.min(MR, m - m0), base = panel * MR * k, p = 0;
            long rowBytes = (long) k * Float.BYTES, first = off + m0 * rowBytes;
            if (rows == MR && MR == 12 && Transpose.SUPPORTED) {
                for (; p + 16 <= k; p += 16) Transpose.rows12(a, first + (long) p * Float.BYTES, rowBytes, ap, base + p * MR);
            }
            for (int i = 0; i < MR; i++) {
                long src = first + i * rowBytes;
                for (int q = p, d = base + p * MR + i; q < k; q++, d += MR) ap[d] = i < rows ? a.get(Tensor.F32_LE, src + (long) q * Float.BYTES) : 0f;
            }
        }
    }

    /**
     * A is a row-major [m, k] heap array from {@code off}. Kept apart from {@link RowMajorA} on purpose: heap segments
     * passing through the JDK's segment-access code pollute its shared type profile, and the decode mat-vec over the
     * mapped weights then compiles to a slower, type-checking loop (measured 1.5-2x slower decode).
     */
    record ArrayA(float[] a, int off) implements ASource {
        @Override
        public void pack(float[] ap, int panel, int m, int k) {
            int m0 = panel * MR, rows = Math.min(MR, m - m0), base = panel * MR * k, p = 0, first = off + m0 * k;
            if (rows == MR && MR == 12 && Transpose.SUPPORTED) {
                for (; p + 16 <= k; p += 16) Transpose.rows12(a, first + p, k, ap, base + p * MR);
            }
            for (int i = 0; i < MR; i++) {
                int src = first + i * k;
                for (int q = p, d = base + p * MR + i; q < k; q++, d += MR) ap[d] = i < rows ? a[src + q] : 0f;
            }
        }
    }

    /** A given by its transpose: a row-major [k, m] float32 segment at byte {@code off}, so packing copies rows. */
    record TransposedA(MemorySegment at, long off) implements ASource {
        @Override
        public void pack(float[] ap, int panel, int m, int k) {
            int m0 = panel * MR, rows = Math.min(MR, m - m0), base = panel * MR * k;
            for (int p = 0; p < k; p++) {
                long src = off + ((long) p * m + m0) * Float.BYTES;
                int d = base + p * MR;
                for (int i = 0; i < MR; i++) ap[d + i] = i < rows ? at.get(Tensor.F32_LE, src + (long) i * Float.BYTES) : 0f;
            }
        }
    }

    /** Source of B (k x n) packed into [p][NR] micro-panels. */
    interface BSource {
        /** Packs columns {@code n0 .. n0+NR} (zeros past n) and depth {@code k0 .. k0+kc} into {@code dst[off + p*NR + j]}. */
        void pack(float[] dst, int off, int n0, int k0, int kc);
    }

    /** B = W^T where W is a row-major [n, k] float32 segment (PyTorch Linear weight, possibly memory-mapped). */
    record SegmentNK(MemorySegment w, int n, int k) implements BSource {
        @Override
        public void pack(float[] dst, int off, int n0, int k0, int kc) {
            int cols = Math.min(NR, n - n0), p = 0;
            if (cols == NR && NR == 32 && Transpose.SUPPORTED) {
                long rowBytes = (long) k * Float.BYTES;
                int p16 = kc / 16 * 16;
                // rows n0..n0+15 over the whole depth, then n0+16..n0+31: 16 read streams at a time, not 32
                for (int half = 0; half < 2; half++) {
                    long src = ((long) (n0 + 16 * half) * k + k0) * Float.BYTES;
                    for (int q = 0; q < p16; q += 16) {
                        Transpose.fromSegment(w, src + (long) q * Float.BYTES, rowBytes, dst, off + q * NR + 16 * half, NR);
                    }
                }
                p = p16;
            }
            for (int j = 0; j < cols; j++) {
                long row = ((long) (n0 + j) * k + k0) * Float.BYTES;
                for (int q = p, d = off + p * NR + j; q < kc; q++, d += NR) dst[d] = w.get(Tensor.F32_LE, row + (long) q * Float.BYTES);
            }
            zeroColumns(dst, off, cols, kc);
        }
    }

    /** B = b^T for a heap [n, k] array at {@code bOff} (matmul with transB). */
    record ArrayNK(float[] b, int bOff, int n, int k) implements BSource {
        @Override
        public void pack(float[] dst, int off, int n0, int k0, int kc) {
            int cols = Math.min(NR, n - n0), p = 0;
            if (cols == NR && NR == 32 && Transpose.SUPPORTED) {
                for (; p + 16 <= kc; p += 16) {
                    int src = bOff + n0 * k + k0 + p;
                    Transpose.fromArray(b, src, k, dst, off + p * NR, NR);
                    Transpose.fromArray(b, src + 16 * k, k, dst, off + p * NR + 16, NR);
                }
            }
            for (int j = 0; j < cols; j++) {
                int row = bOff + (n0 + j) * k + k0;
                for (int q = p, d = off + p * NR + j; q < kc; q++, d += NR) dst[d] = b[row + q];
            }
            zeroColumns(dst, off, cols, kc);
        }
    }

    /** B is a heap [k, n] array at {@code bOff} with row stride {@code ldb} (>= n): packing copies row pieces. */
    record ArrayKN(float[] b, int bOff, int n, int k, int ldb) implements BSource {
        ArrayKN(float[] b, int bOff, int n, int k) { this(b, bOff, n, k, n); }

        @Override
        public void pack(float[] dst, int off, int n0, int k0, int kc) {
            int cols = Math.min(NR, n - n0);
            if (cols == NR && NR == 2 * L) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (k0 + p) * ldb + n0, d = off + p * NR;
                    FloatVector.fromArray(F, b, src).intoArray(dst, d);
                    FloatVector.fromArray(F, b, src + L).intoArray(dst, d + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (k0 + p) * ldb + n0, d = off + p * NR;
                    for (int j = 0; j < NR; j++) dst[d + j] = j < cols ? b[src + j] : 0f;
                }
            }
        }
    }

    private static void zeroColumns(float[] dst, int off, int cols, int kc) {
        if (cols == NR) return;
        for (int p = 0; p < kc; p++) java.util.Arrays.fill(dst, off + p * NR + cols, off + (p + 1) * NR, 0f);
    }

    /** Per-thread packing buffers (pool threads are fixed, callers are session threads). */
    static final class Scratch {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];

        float[] a(int size) { return a.length >= size ? a : (a = new float[size]); }
        float[] b(int size) { return b.length >= size ? b : (b = new float[size]); }
    }

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code c[cOff + i*n + j] = bias[j] + sum_p A[i, p] * B[p, j]} (bias may be null: zero). Uses the pool's
     * threads; exact for every shape.
     */
    static void gemm(KernelPool pool, float[] c, int cOff, ASource a, int m, int n, int k, BSource b, float[] bias) {
        int mPanels = (m + MR - 1) / MR;
        float[] ap = SCRATCH.get().a(mPanels * MR * k);
        pool.parallelFor(mPanels, panel -> a.pack(ap, panel, m, k));
        int threads = pool.threads();
        int nPanels = (n + NR - 1) / NR;
        // enough chunks for every thread to get two (balance on a shared machine), at most MAX_CHUNK wide
        int perChunk = Math.max(1, Math.min(MAX_CHUNK / NR, nPanels / (2 * threads)));
        int chunks = (nPanels + perChunk - 1) / perChunk;
        pool.parallelFor(chunks, q -> {
            int n0 = q * perChunk * NR, n1 = Math.min(n, n0 + perChunk * NR);
            chunk(c, cOff, ap, m, n, k, n0, n1, b, bias);
        });
    }

    private static void chunk(float[] c, int cOff, float[] ap, int m, int n, int k, int n0, int n1, BSource b, float[] bias) {
        Scratch s = SCRATCH.get();
        int width = n1 - n0, panels = (width + NR - 1) / NR;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * n;
            if (bias == null) java.util.Arrays.fill(c, row + n0, row + n1, 0f);
            else System.arraycopy(bias, n0, c, row + n0, width);
        }
        float[] bp = s.b(panels * NR * Math.min(KC, k));
        float[] tile = s.tile;
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            for (int q = 0; q < panels; q++) b.pack(bp, q * kc * NR, n0 + q * NR, k0, kc);
            // A micro-panel (MR x kc) stays in L1 while the B micro-panels stream from L2
            for (int m0 = 0; m0 < m; m0 += MR) {
                for (int q = 0; q < panels; q++) tile(c, cOff, ap, bp, m, n, k, n1, kc, k0, m0, q, n0, tile);
            }
        }
    }

    /** One MR x NR tile of C for depth block k0..k0+kc; ragged tiles go through a zero-padded copy. */
    private static void tile(float[] c, int cOff, float[] ap, float[] bp, int m, int n, int k, int n1, int kc, int k0, int m0, int q, int n0, float[] tile) {
        int aOff = m0 * k + k0 * MR;
        int nq = n0 + q * NR;
        if (m0 + MR <= m && nq + NR <= n1) {
            kernel(ap, aOff, bp, q * kc * NR, kc, c, cOff + m0 * n + nq, n);
        } else if (m - m0 <= 4 && nq + NR <= n1) {
            // the last rows of A (e.g. 314 frames = 26 x 12 + 2): a 4-row kernel instead of 12 rows of which most are
            // padding; it touches only its rows of C, and each value is the same chain of FMAs as in the 12-row kernel
            kernel4(ap, aOff, bp, q * kc * NR, kc, c, cOff + m0 * n + nq, n, m - m0);
        } else if (m - m0 <= 8 && nq + NR <= n1) {
            kernel8(ap, aOff, bp, q * kc * NR, kc, c, cOff + m0 * n + nq, n, m - m0);   // e.g. 127 prefill rows: 10 x 12 + 7
        } else {
            int rows = Math.min(MR, m - m0), cols = Math.min(NR, n1 - nq);
            java.util.Arrays.fill(tile, 0f);
            for (int i = 0; i < rows; i++) System.arraycopy(c, cOff + (m0 + i) * n + nq, tile, i * NR, cols);
            kernel(ap, aOff, bp, q * kc * NR, kc, tile, 0, NR);
            for (int i = 0; i < rows; i++) System.arraycopy(tile, i * NR, c, cOff + (m0 + i) * n + nq, cols);
        }
    }

    /**
     * The first {@code rows} (1..4) rows of {@link #kernel}: C[rows x NR] += A rows 0..3 of the micro-panel times B.
     * Rows past {@code rows} are computed from A's zero padding and not stored.
     */
    static void kernel4(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, int rows) {
        FloatVector c00 = FloatVector.fromArray(F, c, co), c01 = FloatVector.fromArray(F, c, co + L);
        FloatVector c10 = rows > 1 ? FloatVector.fromArray(F, c, co + ldc) : c00, c11 = rows > 1 ? FloatVector.fromArray(F, c, co + ldc + L) : c01;
        FloatVector c20 = rows > 2 ? FloatVector.fromArray(F, c, co + 2 * ldc) : c00, c21 = rows > 2 ? FloatVector.fromArray(F, c, co + 2 * ldc + L) : c01;
        FloatVector c30 = rows > 3 ? FloatVector.fromArray(F, c, co + 3 * ldc) : c00, c31 = rows > 3 ? FloatVector.fromArray(F, c, co + 3 * ldc + L) : c01;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo), b1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[ao]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[ao + 1]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[ao + 2]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[ao + 3]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            ao += MR;
            bo += 2 * L;
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        if (rows > 1) { c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L); }
        if (rows > 2) { c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L); }
        if (rows > 3) { c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L); }
    }

    /** {@link #kernel4} for 5..8 rows (rows 0..7 of the micro-panel; past {@code rows} computed and not stored). */
    static void kernel8(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, int rows) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = FloatVector.fromArray(F, c, co), c01 = FloatVector.fromArray(F, c, co + L);
        FloatVector c10 = FloatVector.fromArray(F, c, co + ldc), c11 = FloatVector.fromArray(F, c, co + ldc + L);
        FloatVector c20 = FloatVector.fromArray(F, c, co + 2 * ldc), c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
        FloatVector c30 = FloatVector.fromArray(F, c, co + 3 * ldc), c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
        FloatVector c40 = FloatVector.fromArray(F, c, co + 4 * ldc), c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
        FloatVector c50 = rows > 5 ? FloatVector.fromArray(F, c, co + 5 * ldc) : z, c51 = rows > 5 ? FloatVector.fromArray(F, c, co + 5 * ldc + L) : z;
        FloatVector c60 = rows > 6 ? FloatVector.fromArray(F, c, co + 6 * ldc) : z, c61 = rows > 6 ? FloatVector.fromArray(F, c, co + 6 * ldc + L) : z;
        FloatVector c70 = rows > 7 ? FloatVector.fromArray(F, c, co + 7 * ldc) : z, c71 = rows > 7 ? FloatVector.fromArray(F, c, co + 7 * ldc + L) : z;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo), b1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[ao]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[ao + 1]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[ao + 2]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[ao + 3]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[ao + 4]); c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[ao + 5]); c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, a[ao + 6]); c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, a[ao + 7]); c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
            ao += MR;
            bo += 2 * L;
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L);
        if (rows > 5) { c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L); }
        if (rows > 6) { c60.intoArray(c, co + 6 * ldc); c61.intoArray(c, co + 6 * ldc + L); }
        if (rows > 7) { c70.intoArray(c, co + 7 * ldc); c71.intoArray(c, co + 7 * ldc + L); }
    }

    /**
     * C[MR x NR] += A micro-panel (MR x kc, packed [k][MR]) times B micro-panel (kc x NR, packed [k][NR]).
     * Accumulators live in 24 of the 32 vector registers; the A value is broadcast and B is the fma receiver
     * (the receiver's exact vector class is then known to C2, so every lanewise call is intrinsified).
     */
    static void kernel(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.fromArray(F, c, co + 0 * ldc); FloatVector c01 = FloatVector.fromArray(F, c, co + 0 * ldc + L);
        FloatVector c10 = FloatVector.fromArray(F, c, co + 1 * ldc); FloatVector c11 = FloatVector.fromArray(F, c, co + 1 * ldc + L);
        FloatVector c20 = FloatVector.fromArray(F, c, co + 2 * ldc); FloatVector c21 = FloatVector.fromArray(F, c, co + 2 * ldc + L);
        FloatVector c30 = FloatVector.fromArray(F, c, co + 3 * ldc); FloatVector c31 = FloatVector.fromArray(F, c, co + 3 * ldc + L);
        FloatVector c40 = FloatVector.fromArray(F, c, co + 4 * ldc); FloatVector c41 = FloatVector.fromArray(F, c, co + 4 * ldc + L);
        FloatVector c50 = FloatVector.fromArray(F, c, co + 5 * ldc); FloatVector c51 = FloatVector.fromArray(F, c, co + 5 * ldc + L);
        FloatVector c60 = FloatVector.fromArray(F, c, co + 6 * ldc); FloatVector c61 = FloatVector.fromArray(F, c, co + 6 * ldc + L);
        FloatVector c70 = FloatVector.fromArray(F, c, co + 7 * ldc); FloatVector c71 = FloatVector.fromArray(F, c, co + 7 * ldc + L);
        FloatVector c80 = FloatVector.fromArray(F, c, co + 8 * ldc); FloatVector c81 = FloatVector.fromArray(F, c, co + 8 * ldc + L);
        FloatVector c90 = FloatVector.fromArray(F, c, co + 9 * ldc); FloatVector c91 = FloatVector.fromArray(F, c, co + 9 * ldc + L);
        FloatVector c100 = FloatVector.fromArray(F, c, co + 10 * ldc); FloatVector c101 = FloatVector.fromArray(F, c, co + 10 * ldc + L);
        FloatVector c110 = FloatVector.fromArray(F, c, co + 11 * ldc); FloatVector c111 = FloatVector.fromArray(F, c, co + 11 * ldc + L);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo), b1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[ao + 0]); c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, a[ao + 1]); c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, a[ao + 2]); c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, a[ao + 3]); c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, a[ao + 4]); c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, a[ao + 5]); c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, a[ao + 6]); c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, a[ao + 7]); c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
            x = FloatVector.broadcast(F, a[ao + 8]); c80 = b0.fma(x, c80); c81 = b1.fma(x, c81);
            x = FloatVector.broadcast(F, a[ao + 9]); c90 = b0.fma(x, c90); c91 = b1.fma(x, c91);
            x = FloatVector.broadcast(F, a[ao + 10]); c100 = b0.fma(x, c100); c101 = b1.fma(x, c101);
            x = FloatVector.broadcast(F, a[ao + 11]); c110 = b0.fma(x, c110); c111 = b1.fma(x, c111);
            ao += 12;
            bo += 2 * L;
        }
        c00.intoArray(c, co + 0 * ldc); c01.intoArray(c, co + 0 * ldc + L);
        c10.intoArray(c, co + 1 * ldc); c11.intoArray(c, co + 1 * ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc); c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc); c71.intoArray(c, co + 7 * ldc + L);
        c80.intoArray(c, co + 8 * ldc); c81.intoArray(c, co + 8 * ldc + L);
        c90.intoArray(c, co + 9 * ldc); c91.intoArray(c, co + 9 * ldc + L);
        c100.intoArray(c, co + 10 * ldc); c101.intoArray(c, co + 10 * ldc + L);
        c110.intoArray(c, co + 11 * ldc); c111.intoArray(c, co + 11 * ldc + L);
    }
}
