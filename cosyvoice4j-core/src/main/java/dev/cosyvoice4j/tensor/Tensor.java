package dev.cosyvoice4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable, contiguous, row-major (C order), little-endian n-d array view over a {@link MemorySegment}.
 *
 * <p>Weights are views into memory-mapped checkpoint files (never copied); small computed tensors live in native
 * memory ({@link #of(float[], long...)}). Views are only ever slices along the outermost
 * dimension; any permutation is an explicit copy done by the caller.
 */
public final class Tensor {
    public static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final long[] shape;
    private final MemorySegment data;
    /** A backend's prepared form of this weight (packed layout, device copy), or null for a plain view. */
    private final Object prepared;

    public Tensor(DType dtype, long[] shape, MemorySegment data) {
        this(dtype, shape, data, null);
    }

    private Tensor(DType dtype, long[] shape, MemorySegment data, Object prepared) {
        this.prepared = prepared;
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = numel(this.shape);
        if (shape.length > 0 && dtype.isBlockQuantized() && shape[shape.length - 1] % dtype.blockSize() != 0) {
            throw new IllegalArgumentException(dtype + " tensor needs a last dimension divisible by "
                    + dtype.blockSize() + ", got " + Arrays.toString(shape));
        }
        if (data.byteSize() != dtype.storageBytes(n)) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " " + dtype
                    + " needs " + dtype.storageBytes(n) + " bytes, segment has " + data.byteSize());
        }
        this.data = data;
    }

    /**
     * A float32 tensor holding a copy of {@code values} in native memory (freed when unreachable). Never heap-backed:
     * kernels then see one kind of segment only, which keeps the JIT's type profile of segment access monomorphic
     * (mixing heap and mapped segments measured 1.5-2x slower LLM decode).
     */
    public static Tensor of(float[] values, long... shape) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1L, (long) values.length * Float.BYTES), 64)
                .asSlice(0, (long) values.length * Float.BYTES);
        MemorySegment.copy(values, 0, seg, F32_LE, 0, values.length);
        return new Tensor(DType.F32, shape, seg);
    }

    /** A float64 tensor holding a copy of {@code values} in native memory. */
    public static Tensor ofDoubles(double[] values, long... shape) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1L, (long) values.length * Double.BYTES), 64)
                .asSlice(0, (long) values.length * Double.BYTES);
        MemorySegment.copy(values, 0, seg, F64_LE, 0, values.length);
        return new Tensor(DType.F64, shape, seg);
    }

    /** A copy of {@code t} in native memory (one bulk copy), independent of the file or arena {@code t} views. */
    public static Tensor copyOf(Tensor t) {
        long bytes = t.data.byteSize();
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1L, bytes), 64).asSlice(0, bytes);
        MemorySegment.copy(t.data, 0, seg, 0, bytes);
        return new Tensor(t.dtype, t.shape, seg);
    }

    /** An int64 tensor holding a copy of {@code values} in native memory. */
    public static Tensor ofLongs(long[] values, long... shape) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1L, (long) values.length * Long.BYTES), 64)
                .asSlice(0, (long) values.length * Long.BYTES);
        MemorySegment.copy(values, 0, seg, I64_LE, 0, values.length);
        return new Tensor(DType.I64, shape, seg);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DType dtype() { return dtype; }
    public long[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    /** Size of dimension {@code i}; negative i counts from the end. */
    public int dim(int i) { return Math.toIntExact(shape[i < 0 ? shape.length + i : i]); }
    public long numel() { return numel(shape); }
    public MemorySegment data() { return data; }

    /**
     * The same values carrying a backend's prepared form (e.g. oneDNN's packed bf16 copy, a device copy). Backends
     * recognise their own handle; every other reader still sees the plain values.
     */
    public Tensor withPrepared(Object handle) { return new Tensor(dtype, shape, data, handle); }

    /** The handle of {@link #withPrepared}, or null. */
    public Object prepared() { return prepared; }

    public boolean hasShape(long... expected) { return Arrays.equals(shape, expected); }

    /** Element {@code i} (flat index) converted to float, whatever the storage dtype. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32_LE, i);
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16_LE, i));
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(I16_LE, i) << 16);
            case F64 -> (float) data.getAtIndex(F64_LE, i);
            case I64 -> data.getAtIndex(I64_LE, i);
            case I32 -> data.getAtIndex(I32_LE, i);
            case I16 -> data.getAtIndex(I16_LE, i);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
            case Q8_0 -> {
                long block = (i >>> 5) * 34;
                yield Float.float16ToFloat(data.get(I16_LE, block)) * data.get(ValueLayout.JAVA_BYTE, block + 2 + (i & 31));
            }
            case Q4_0 -> {
                long block = (i >>> 5) * 18;
                int j = (int) (i & 31);
                int b = data.get(ValueLayout.JAVA_BYTE, block + 2 + (j & 15)) & 0xff;
                yield Float.float16ToFloat(data.get(I16_LE, block)) * (((j < 16 ? b : b >>> 4) & 15) - 8);
            }
        };
    }

    /** Element {@code i} as double (exact for F64, I32; F32/F16/BF16 widened). */
    public double getDouble(long i) {
        return dtype == DType.F64 ? data.getAtIndex(F64_LE, i) : dtype == DType.I64 ? data.getAtIndex(I64_LE, i) : getFloat(i);
    }

    /** Element {@code i} of an integer tensor. */
    public long getLong(long i) {
        return switch (dtype) {
            case I64 -> data.getAtIndex(I64_LE, i);
            case I32 -> data.getAtIndex(I32_LE, i);
            case I16 -> data.getAtIndex(I16_LE, i);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
            default -> throw new IllegalStateException("getLong on " + dtype + " tensor");
        };
    }

    /** A copy of all elements as float32 (converting from the storage dtype). */
    public float[] toFloatArray() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32_LE, 0, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) out[i] = getFloat(i);
        }
        return out;
    }

    /** A copy of all elements as double. */
    public double[] toDoubleArray() {
        int n = Math.toIntExact(numel());
        double[] out = new double[n];
        if (dtype == DType.F32) {
            float[] f = toFloatArray();   // one bulk copy, then widen (element reads are slow before the JIT warms up)
            for (int i = 0; i < n; i++) out[i] = f[i];
        } else {
            for (int i = 0; i < n; i++) out[i] = getDouble(i);
        }
        return out;
    }

    /** A copy of all elements of an integer tensor as long. */
    public long[] toLongArray() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = getLong(i);
        return out;
    }

    /** A copy of all elements of an integer tensor as int (checked narrowing). */
    public int[] toIntArray() {
        int n = Math.toIntExact(numel());
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = Math.toIntExact(getLong(i));
        return out;
    }

    /** The view {@code this[index]} along the outermost dimension (no copy). */
    public Tensor select(long index) {
        if (shape.length == 0) throw new IllegalStateException("select on a scalar");
        long[] inner = Arrays.copyOfRange(shape, 1, shape.length);
        long bytes = dtype.storageBytes(numel(inner));
        return new Tensor(dtype, inner, data.asSlice(Math.multiplyExact(Objects.checkIndex(index, shape[0]), bytes), bytes));
    }

    /** The view {@code this[from:to]} along the outermost dimension (no copy). */
    public Tensor slice(long from, long to) {
        java.util.Objects.checkFromToIndex(from, to, shape[0]);
        long[] s = shape.clone();
        s[0] = to - from;
        long rowBytes = dtype.storageBytes(numel(Arrays.copyOfRange(shape, 1, shape.length)));
        return new Tensor(dtype, s, data.asSlice(from * rowBytes, (to - from) * rowBytes));
    }

    /** The same data seen with another shape of equal element count (no copy). */
    public Tensor reshape(long... newShape) {
        if (numel(newShape) != numel()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(dtype, newShape, data);
    }

    @Override
    public String toString() { return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]"; }

    private static final class Objects {
        static long checkIndex(long i, long n) { return java.util.Objects.checkIndex(i, n); }
    }
}
