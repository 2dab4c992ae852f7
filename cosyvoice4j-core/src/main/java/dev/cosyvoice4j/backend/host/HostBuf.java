package dev.cosyvoice4j.backend.host;

import dev.cosyvoice4j.backend.Buf;

/**
 * A {@link Buf} in Java heap memory, shared by the host backends ({@code scalar}, {@code cpu}): {@code rows x cols}
 * float32 values of {@link #data} from {@link #offset} (row-major, dense), or float64 values of {@link #f64}, or
 * bfloat16 bits in {@link #bf16} (storage: written by {@code copy}, read by {@code copy} and {@code attention}).
 * Views share the array. Kernels index {@code data[offset + r * cols + c]}.
 */
public final class HostBuf implements Buf {
    /** float32 storage (null for a float64 buffer). */
    public final float[] data;
    /** float64 storage (null for a float32 buffer). */
    public final double[] f64;
    /** bfloat16 storage, the upper 16 bits of the float32 values (null unless {@link #isBf16()}). */
    public final short[] bf16;
    public final int offset;
    private final int rows, cols;

    private HostBuf(float[] data, double[] f64, int offset, int rows, int cols) {
        this(data, f64, null, offset, rows, cols);
    }

    private HostBuf(float[] data, double[] f64, short[] bf16, int offset, int rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative buffer shape [" + rows + ", " + cols + "]");
        long end = offset + (long) rows * cols;
        int length = data != null ? data.length : f64 != null ? f64.length : bf16.length;
        if (offset < 0 || end > length) {
            throw new IllegalArgumentException("view [" + rows + ", " + cols + "] at " + offset + " exceeds " + length + " values");
        }
        this.data = data;
        this.f64 = f64;
        this.bf16 = bf16;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
    }

    /** A new zeroed float32 buffer. */
    public static HostBuf f32(int rows, int cols) {
        return new HostBuf(new float[Math.toIntExact((long) rows * cols)], null, 0, rows, cols);
    }

    /** A new zeroed float64 buffer. */
    public static HostBuf f64(int rows, int cols) {
        return new HostBuf(null, new double[Math.toIntExact((long) rows * cols)], 0, rows, cols);
    }

    /** A new zeroed bfloat16 storage buffer. */
    public static HostBuf bf16(int rows, int cols) {
        return new HostBuf(null, null, new short[Math.toIntExact((long) rows * cols)], 0, rows, cols);
    }

    /** A float32 buffer over an existing array (no copy). */
    public static HostBuf wrap(float[] data, int offset, int rows, int cols) {
        return new HostBuf(data, null, offset, rows, cols);
    }

    /** The float32 or float64 host buffer behind {@code b}; {@code b} must come from a host backend. */
    public static HostBuf of(Buf b) {
        HostBuf h = storage(b);
        if (h.bf16 != null) {
            throw new IllegalArgumentException("bf16 storage buffer " + h.shape() + " given to an operation that takes float32: only copy and attention's keys/values take it");
        }
        return h;
    }

    /** The host buffer behind {@code b} of any kind, bfloat16 storage included (for {@code copy} and attention's keys/values). */
    public static HostBuf storage(Buf b) {
        if (b instanceof HostBuf h) return h;
        throw new IllegalArgumentException("buffer " + (b == null ? "null" : b.getClass().getName()) + " is not a host buffer");
    }

    /** {@link #of} for a float32 buffer. */
    public static HostBuf f32(Buf b) {
        HostBuf h = of(b);
        if (h.data == null) throw new IllegalArgumentException("expected a float32 buffer, got " + h.shape());
        return h;
    }

    /** {@link #of} for a float64 buffer. */
    public static HostBuf f64(Buf b) {
        HostBuf h = of(b);
        if (h.f64 == null) throw new IllegalArgumentException("expected a float64 buffer, got " + h.shape());
        return h;
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public boolean isF64() { return f64 != null; }

    @Override public boolean isBf16() { return bf16 != null; }

    @Override
    public HostBuf rows(int from, int to) {
        if (from < 0 || to < from || to > rows) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + shape());
        }
        return new HostBuf(data, f64, bf16, offset + from * cols, to - from, cols);
    }

    @Override
    public HostBuf view(int rows, int cols) {
        if ((long) rows * cols > size()) {
            throw new IllegalArgumentException("view [" + rows + ", " + cols + "] is larger than " + shape());
        }
        return new HostBuf(data, f64, bf16, offset, rows, cols);
    }

    /** Index of element (r, c). */
    public int at(int r, int c) { return offset + r * cols + c; }

    /** One past the last element. */
    public int end() { return offset + rows * cols; }

    /** Backend.write for host buffers: all of {@code dst} from {@code src[srcOff..]}, bounds named on failure. */
    public static void write(Buf dst, float[] src, int srcOff) {
        HostBuf d = f32(dst);
        int n = Math.toIntExact(d.size());
        if (srcOff < 0 || (long) srcOff + n > src.length) {
            throw new IllegalArgumentException("write: " + n + " values from " + srcOff + " of " + src.length + " into " + d.shape());
        }
        System.arraycopy(src, srcOff, d.data, d.offset, n);
    }

    /** Backend.read for host buffers: all of {@code src} into {@code dst[dstOff..]}, bounds named on failure. */
    public static void read(Buf src, float[] dst, int dstOff) {
        HostBuf s = f32(src);
        int n = Math.toIntExact(s.size());
        if (dstOff < 0 || (long) dstOff + n > dst.length) {
            throw new IllegalArgumentException("read: " + s.shape() + " into " + dst.length + " values at " + dstOff);
        }
        System.arraycopy(s.data, s.offset, dst, dstOff, n);
    }

    /** Backend.readF64 for host buffers. */
    public static void readF64(Buf src, double[] dst, int dstOff) {
        HostBuf s = f64(src);
        int n = Math.toIntExact(s.size());
        if (dstOff < 0 || (long) dstOff + n > dst.length) {
            throw new IllegalArgumentException("readF64: " + s.shape() + " into " + dst.length + " values at " + dstOff);
        }
        System.arraycopy(s.f64, s.offset, dst, dstOff, n);
    }

    @Override
    public String toString() { return "HostBuf" + shape() + "@" + offset; }
}
